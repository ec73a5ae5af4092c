"""Brief and submission-matrix pages: thin over ``selection``, ``brief`` and ``matrix``.

A report's errors (unknown state or campaign, nothing selected, no PDF) reach ``web.user_errors``,
which shows them on ``reports/error.html`` with the status of their class.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from uprwatch.reports import matrix as matrix_module
from uprwatch.reports.brief import (
    build_brief,
    check_web_pdf_size,
    render_brief_html,
    render_brief_pdf,
)
from uprwatch.reports.selection import Audience, Selection, select


def _selection(request: HttpRequest) -> Selection:
    return select(
        request.GET.get("sur", "").strip() or None,
        query=request.GET.get("q", ""),
        campaign=request.GET.get("campaign", "").strip() or None,
        audience=audience_for(request.user, request.GET.get("published") == "1"),
    )


def audience_for(user, published_only: bool) -> Audience:
    """The viewer's organisations; with ``published=1`` the brief leaves out everything unpublished."""
    audience = Audience.for_user(user)
    audience.include_unpublished = not published_only
    return audience


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "reports/error.html", {"message": message}, status=status)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(selection: Selection, kind: str, extension: str) -> str:
    return f"{slugify(selection.title)[:80] or 'uprwatch'}-{kind}.{extension}"


def brief(request: HttpRequest) -> HttpResponse:
    """``/reports/brief/?sur=China&q=...&campaign=...&format=page|html|pdf``."""
    fmt = request.GET.get("format", "page")
    if fmt not in ("page", "html", "pdf"):
        return _error(request, f"unknown format {fmt!r}: use html or pdf", 400)
    selection = _selection(request)
    if fmt == "pdf":
        check_web_pdf_size(selection)
    data = build_brief(selection)
    if fmt == "html":
        return _download(render_brief_html(data).encode("utf-8"), "text/html; charset=utf-8",
                         _filename(selection, "brief", "html"))
    if fmt == "pdf":
        return _download(render_brief_pdf(data), "application/pdf", _filename(selection, "brief", "pdf"))
    from uprwatch.reports.brief import document_context

    query = [(key, request.GET[key]) for key in ("sur", "q", "campaign") if request.GET.get(key)]
    published = query + [("published", "1")]
    if request.GET.get("published") == "1":
        query = published
    context = document_context(data, for_print=False) | {
        "query_string": urlencode(query), "published_query": urlencode(published),
        # "include your drafts" only for a member who asked for the published-only brief
        "all_query": urlencode([(k, v) for k, v in query if k != "published"])
        if request.GET.get("published") == "1" and request.user.is_authenticated else "",
    }
    return render(request, "reports/brief_page.html", context)


def matrix(request: HttpRequest) -> HttpResponse:
    """``/reports/matrix/?campaign=...[&sur=...][&q=...]&format=docx|xlsx``."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in matrix_module.FORMATS:
        return _error(request, f"unknown format {fmt!r}: use docx or xlsx", 400)
    selection = _selection(request)
    filename = _filename(selection, "matrix", fmt)
    if fmt in matrix_module.STREAMS:
        response = StreamingHttpResponse(matrix_module.STREAMS[fmt](selection),
                                         content_type=matrix_module.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    content = matrix_module.FORMATS[fmt](selection)
    return _download(content, matrix_module.CONTENT_TYPES[fmt], filename)


def profile(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """``/reports/profile/<slug>.json|xlsx`` and ``.csv?table=...``: a state's profile figures."""
    from uprwatch.reports.profile_export import CONTENT_TYPES, profile_export

    filename, content = profile_export(slug, fmt, request.GET.get("table"))
    return _download(content, CONTENT_TYPES[fmt], filename)
