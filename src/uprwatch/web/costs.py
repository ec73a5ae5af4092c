"""Limits on the expensive requests anonymous visitors may make: exports, submission matrices, briefs.

One such request costs seconds of CPU (a 41k-row XLSX, a whole-dataset matrix), so a handful of
anonymous clients could keep a 2-core server busy for everyone. For anonymous requests to these paths:

- an identical request (same URL, same data: the page cache's stamps) is answered from a shared cache
  (files under ``UPRWATCH_HOME/cache/exports``, every worker) and costs nothing;
- otherwise each client address has a CPU budget (``UPRWATCH_ANONYMOUS_CPU_SECONDS`` per
  ``UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS``), charged with the CPU time each request really used
  (measured on the thread, streaming included); once it is spent, the answer is HTTP 429 with a clear
  message and ``Retry-After``, before any work is done.

Signed-in people and API tokens are not limited here (they are accountable; their pages are private).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

from uprwatch.ui.throttle import client_address, too_many_requests
from uprwatch.web import slots

# Paths whose answer is built from a whole result set (prefixes; the query string chooses the size).
EXPENSIVE_PREFIXES = (
    "/search/export.",
    "/api/recommendations/export",
    "/reports/matrix/",
    "/api/reports/matrix",
    "/reports/brief/",
    "/api/reports/brief",
)
# Larger answers are streamed to the client but not kept: the cache is for the common downloads.
MAX_CACHED_BYTES = 64 * 1024 * 1024
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Result-Count")


def is_expensive(path: str) -> bool:
    return path.startswith(EXPENSIVE_PREFIXES)


def is_anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return not request.headers.get("Authorization") and not (user is not None and user.is_authenticated)


# --- the budget ------------------------------------------------------------------------------------

def _budget_key(address: str) -> str:
    return "cpu-budget:" + hashlib.sha256(address.encode()).hexdigest()


def _spent(address: str, now: float) -> tuple[float, float]:
    spent, first = caches["throttle"].get(_budget_key(address), (0.0, now))
    if now - first >= settings.UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS:
        return 0.0, now
    return spent, first


def retry_after(address: str) -> int | None:
    """Seconds until ``address`` may make another expensive request, or None when it may now."""
    now = time.time()
    spent, first = _spent(address, now)
    if spent < settings.UPRWATCH_ANONYMOUS_CPU_SECONDS:
        return None
    return max(1, math.ceil(first + settings.UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS - now))


def charge(address: str, seconds: float) -> None:
    now = time.time()
    spent, first = _spent(address, now)
    window = settings.UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS
    caches["throttle"].set(_budget_key(address), (spent + seconds, first), timeout=math.ceil(first + window - now))


def limited_response(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = math.ceil(wait / 60)
    message = (
        f"This server limits the exports, matrices and briefs it builds for visitors who are not signed in "
        f"({settings.UPRWATCH_ANONYMOUS_CPU_SECONDS:g} s of processing per "
        f"{settings.UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS // 60} minutes per address), and your address has used "
        f"its share. Try again in {minutes} minute{'s' if minutes != 1 else ''}, or sign in."
    )
    return too_many_requests(request, message, wait)


# --- the cache -------------------------------------------------------------------------------------

def _cache_key(request: HttpRequest) -> str:
    from uprwatch.web.pagecache import _stamps

    parts = (request.get_full_path(), request.headers.get("Accept", "")[:100], *_stamps())
    return "export:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _from_cache(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response.headers[name] = value
    response.headers["X-Uprwatch-Cache"] = "hit"
    return response


def _entry(response: HttpResponse, content: bytes) -> dict:
    return {"status": response.status_code, "content": content,
            "headers": {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}}


def _metered(chunks: Iterable[bytes], done: Callable[[bytes | None], None]) -> Iterator[bytes]:
    """Pass a streamed body through, keeping a copy while it is small enough; ``done`` gets the copy (or
    None: too large or interrupted) once the last chunk is out."""
    kept: list[bytes] | None = []
    size = 0
    finished = False
    try:
        for chunk in chunks:
            if kept is not None:
                size += len(chunk)
                if size <= MAX_CACHED_BYTES:
                    kept.append(chunk)
                else:
                    kept = None
            yield chunk
        finished = True
    finally:
        done(b"".join(kept) if finished and kept is not None else None)


class ExpensiveRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not is_expensive(request.path):
            return self.get_response(request)
        if not is_anonymous(request):
            # Not limited, but still one at a time with the others (``uprwatch.web.slots``).
            slot = slots.acquire()
            try:
                response = self.get_response(request)
            except BaseException:
                slot.release()
                raise
            if response.streaming:
                response.streaming_content = slots.holding(response.streaming_content, slot)
            else:
                slot.release()
            return response
        seconds = settings.UPRWATCH_EXPORT_CACHE_SECONDS
        key = _cache_key(request) if seconds > 0 else None
        if key is not None:
            cached = caches["exports"].get(key)
            if cached is not None:
                return _from_cache(cached)
        address = client_address(request)
        wait = retry_after(address)
        if wait is not None:
            return limited_response(request, wait)
        slot = slots.acquire()
        if key is not None:
            # the request this one waited for may have been the identical one: built once, served to both
            cached = caches["exports"].get(key)
            if cached is not None:
                slot.release()
                return _from_cache(cached)
        started = time.thread_time()
        try:
            response = self.get_response(request)
        except BaseException:
            slot.release()
            raise

        def done(content: bytes | None) -> None:
            slot.release()
            charge(address, time.thread_time() - started)
            if key is not None and content is not None and response.status_code == 200:
                caches["exports"].set(key, _entry(response, content), seconds)

        if response.streaming:
            response.streaming_content = _metered(slots.holding(response.streaming_content, slot), done)
        else:
            done(response.content if len(response.content) <= MAX_CACHED_BYTES else None)
        return response

