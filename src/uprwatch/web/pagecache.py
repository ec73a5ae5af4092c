"""Whole-page cache for anonymous visitors of the public pages.

A State's profile, the calendar or a search page costs 30–130 ms of CPU to build and is the same for
every anonymous visitor, so a shared server with dozens of readers spends most of its time rebuilding
identical pages. Each page is kept once for all the server's workers (files under
``UPRWATCH_HOME/cache/pages``), keyed by its URL, the htmx headers (an htmx
request gets a fragment) and three stamps, so a cached copy never outlives the data it shows:

- the search catalog's stamp, bumped by every ingest, relabelling and review decision;
- the newest audit entry of tracking data, written by every create, update, delete and publish;
- today's date (the calendar's deadlines and "next review" move with it).

Anything else (an admin edit) is bounded by ``UPRWATCH_PAGE_CACHE_SECONDS`` (default 60; 0 turns the cache
off). Signed-in people (a session cookie) and visitors with a pending message are never served from or
stored into this cache, and neither is a response that sets a cookie or carries a CSRF token (a form for
the visitor's own session).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

PUBLIC_PREFIXES = ("/states/", "/recommendations/", "/search/", "/calendar/", "/about/")
MAX_BYTES = 1_000_000  # exports and large pages are not worth the memory


def cacheable_path(path: str) -> bool:
    return path == "/" or (path.startswith(PUBLIC_PREFIXES) and "/export" not in path)


def _stamps() -> tuple:
    from uprwatch.records.stamp import current_stamp
    from uprwatch.tracking.models import AuditEntry

    tracking = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return current_stamp(), tracking, timezone.localdate().isoformat()


def _key(request: HttpRequest) -> str:
    parts = (request.get_full_path(), request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
             *_stamps())
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.UPRWATCH_PAGE_CACHE_SECONDS
        if (seconds <= 0 or request.method not in ("GET", "HEAD") or not cacheable_path(request.path)
                or settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES):
            return self.get_response(request)
        cache = caches["pages"]
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if (response.status_code == 200 and not response.streaming and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and len(response.content) <= MAX_BYTES):
            cache.set(key, response, seconds)
        return response
