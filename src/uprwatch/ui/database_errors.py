"""Values the database cannot hold answer 400, not 500.

Request parameters are checked by type but not against what the database stores: an id too large for
its integer column reaches the driver through a join (``recommendations=<id>``), ``__in`` or raw SQL,
and a NUL character is refused by PostgreSQL's text type. The drivers raise ``OverflowError`` (SQLite)
or ``DataError`` (PostgreSQL: out of range, NUL bytes, invalid values). Whatever the view, the request
is what is wrong, so the client gets a 400 saying so, and nothing was written (each write is atomic).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


def describe(exception: Exception) -> str:
    text = str(exception)
    if isinstance(exception, OverflowError) or "out of range" in text:
        return "a number in the request is too large"
    if "NUL" in text:
        return "the request contains a NUL character"
    return "a value in the request cannot be stored or looked up"


class DataErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError | DataError):
            return None
        message = describe(exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(f"Bad request: {message}.", content_type="text/plain; charset=utf-8")
