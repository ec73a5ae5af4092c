"""``Server-Timing: cpu;dur=<ms>, total;dur=<ms>`` on every answer, when ``UPRWATCH_SERVER_TIMING=1``.

The CPU time the request's thread spent (every middleware, the page cache included) and the time from the
first middleware to the answer, so a load benchmark can say what each kind of page costs the server under
load and how long the server held it, apart from how long the client waited (which on a busy machine
also measures the queue before a worker takes the request, and the client's own turns on the CPU). A streamed body's CPU is spent after this header is
sent and is not in it. Off by default: it tells a client how long its request kept the server busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.UPRWATCH_SERVER_TIMING:
            return self.get_response(request)
        started, started_wall = time.thread_time(), time.perf_counter()
        response = self.get_response(request)
        cpu, total = time.thread_time() - started, time.perf_counter() - started_wall
        response.headers["Server-Timing"] = f"cpu;dur={cpu * 1000:.1f}, total;dur={total * 1000:.1f}"
        return response
