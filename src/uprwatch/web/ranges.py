"""Numbers too large for the database answer 400, not 500.

An id or count in a URL or query string is checked by type (an integer) but not by size. Django guards
plain ``pk=`` lookups, but a join (``recommendations=<id>``), ``__in`` or raw SQL passes the number to the
driver, which refuses it: SQLite's with ``OverflowError``, PostgreSQL's with a ``DataError``. Whatever the
view, the request is what is wrong, so the client gets a 400 saying so.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

MESSAGE = "a number in the request is too large"


class OutOfRangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError) or (
            isinstance(exception, DataError) and "out of range" in str(exception)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(f"Bad request: {MESSAGE}.", content_type="text/plain; charset=utf-8")
        return None
