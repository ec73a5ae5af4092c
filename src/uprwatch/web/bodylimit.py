"""A limit on request bodies, enforced from the ``Content-Length`` header before a byte is read.

Django refuses an oversized form only after reading it, and spools an oversized upload to disk before
any view can refuse it: a 200 MB POST was read whole, then answered 413. This middleware answers 413
at once. A document upload may be as large as ``UPRWATCH_MAX_UPLOAD_BYTES`` plus the form around it (an
ingest of several: ``UPRWATCH_MAX_INGEST_BYTES``), evidence ``UPRWATCH_MAX_EVIDENCE_BYTES``, any other body
``DATA_UPLOAD_MAX_MEMORY_SIZE``, each plus the same margin. A body without a length (chunked) is never
read by Django's WSGI handler, so it needs no check here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from uprwatch.errors import TooLarge

# The multipart envelope and the other fields of an upload form.
FORM_MARGIN = 256 * 1024
# Where several documents go up in one request (one ingest, one transaction).
INGEST_PATHS = ("/documents/upload/", "/api/documents/ingest")


def body_limit(request: HttpRequest) -> int:
    """The largest body this request may have: uploads by what they carry, anything else a form's size."""
    path = request.path
    if path in INGEST_PATHS:
        return settings.UPRWATCH_MAX_INGEST_BYTES + FORM_MARGIN
    if "evidence" in path or path.startswith("/tracking/events/"):
        return settings.UPRWATCH_MAX_EVIDENCE_BYTES + FORM_MARGIN
    if request.content_type == "multipart/form-data":
        return settings.UPRWATCH_MAX_UPLOAD_BYTES + FORM_MARGIN
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_MARGIN


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        limit = body_limit(request)
        if length is None:
            return _refuse(request, TooLarge("the Content-Length header is not a number"), 400)
        if length > limit:
            return _refuse(request, TooLarge(
                f"the request body is {length:,} bytes; this address accepts at most {limit:,} bytes"))
        return self.get_response(request)


def _refuse(request: HttpRequest, error: TooLarge, status: int | None = None) -> HttpResponse:
    status = status or error.status
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": str(error)}, status=status)
    else:
        response = HttpResponse(f"{error}\n", status=status, content_type="text/plain; charset=utf-8")
    return response
