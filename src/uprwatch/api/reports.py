"""API endpoints for reports: the brief as JSON (or its HTML/PDF document) and the submission matrix."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router
from ninja.errors import HttpError

from uprwatch.api.auth import caller
from uprwatch.reports import matrix as matrix_module
from uprwatch.reports.brief import (
    build_brief,
    check_web_pdf_size,
    render_brief_html,
    render_brief_pdf,
)
from uprwatch.reports.selection import Audience, Selection, select

router = Router(tags=["reports"])


def _selection(request, sur: str, q: str, campaign: str, published: bool = False) -> Selection:
    audience = Audience.for_user(caller(request))
    audience.include_unpublished = not published
    return select(sur.strip() or None, query=q, campaign=campaign.strip() or None, audience=audience)


@router.get("/reports/brief", summary="Advocacy brief: JSON data, or format=html|pdf for the document")
def brief(request, sur: str = "", q: str = "", campaign: str = "", format: str = "json", published: bool = False):
    """Keys: ``title``, ``state``, ``query`` (the query, else the campaign's saved search), ``campaign``,
    ``campaign_unpublished``, ``unpublished`` (``count``, ``organisations``: material not yet published, each
    item marked in its ``unpublished`` key), ``published_only``, ``generated_on``, ``summary``,
    ``recommendations``, ``firsts``, ``assessments``, ``timeline``, ``deadlines``. ``published=true`` leaves
    out everything unpublished. A token (``Authorization: Bearer``) or a session shows its organisations'
    private material."""
    if format not in ("json", "html", "pdf"):
        raise HttpError(400, f"unknown format {format!r}: use json, html or pdf")
    selection = _selection(request, sur, q, campaign, published)
    if format == "pdf":
        check_web_pdf_size(selection)
    data = build_brief(selection)
    if format == "html":
        return HttpResponse(render_brief_html(data), content_type="text/html; charset=utf-8")
    if format == "pdf":
        return HttpResponse(render_brief_pdf(data), content_type="application/pdf")
    return data


@router.get("/reports/matrix", summary="Submission matrix as DOCX or XLSX (campaign, or sur and/or q)")
def matrix(request, campaign: str = "", sur: str = "", q: str = "", format: str = "xlsx", published: bool = False):
    if format not in matrix_module.FORMATS:
        raise HttpError(400, f"unknown format {format!r}: use docx or xlsx")
    selection = _selection(request, sur, q, campaign, published)
    if format in matrix_module.STREAMS:
        response = StreamingHttpResponse(matrix_module.STREAMS[format](selection),
                                         content_type=matrix_module.CONTENT_TYPES[format])
    else:
        response = HttpResponse(matrix_module.FORMATS[format](selection),
                                content_type=matrix_module.CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="matrix.{format}"'
    return response
