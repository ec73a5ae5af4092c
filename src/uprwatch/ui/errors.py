"""Error pages for URLs no view answered: JSON ``{"detail": ...}`` under /api/, Django's pages elsewhere.

ninja answers the errors of its own endpoints in JSON, but a path its routes do not match
(``/api/recommendations/abc``: the ``int`` converter refuses it) or a request Django refuses before
any view (too many parameters) gets Django's HTML page; an API client should not have to parse HTML.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"no such API endpoint or object: {request.path}"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"bad request: {exception}" if str(exception) else "bad request"}, status=400)
    return defaults.bad_request(request, exception)
