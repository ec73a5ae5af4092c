"""``/mcp/``: the MCP server over streamable HTTP, inside ``uprwatch serve``.

The view checks what Django should check before the SDK sees a request: the body's size (refused before
it is read), the bearer token (a wrong one is a 401 here, not a tool error later), and a per-client
request budget (HTTP 429 with Retry-After) so that an assistant in a loop cannot monopolise a shared
server. Then it hands the request to ``bridge`` and returns its answer.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from uprwatch.assistant.bridge import bridge
from uprwatch.ui.throttle import client_address

MAX_BODY_BYTES = 1024 * 1024  # one JSON-RPC message; tool arguments are small
WINDOW_SECONDS = 60
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


def _refuse(status: int, detail: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _over_budget(key: str) -> int:
    """Seconds to wait when ``key`` has used its requests of the current minute, else 0."""
    limit = settings.UPRWATCH_MCP_REQUESTS_PER_MINUTE
    if limit <= 0:
        return 0
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    cache_key = "mcp:" + hashlib.sha256(f"{key}:{window}".encode()).hexdigest()
    cache = caches["throttle"]
    used = cache.get(cache_key, 0) + 1
    cache.set(cache_key, used, timeout=WINDOW_SECONDS + 1)
    if used > limit:
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    return 0


@csrf_exempt
def mcp_endpoint(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "Content-Length is not a number")
    if length > MAX_BODY_BYTES:
        return _refuse(413, f"an MCP message may be at most {MAX_BODY_BYTES} bytes")
    header = request.headers.get("Authorization", "")
    client = f"address:{client_address(request)}"
    if header:
        from uprwatch.tracking.organisations import user_for_token

        scheme, _, key = header.partition(" ")
        user = user_for_token(key.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return _refuse(401, "invalid or revoked token: send 'Authorization: Bearer <uprwatch API token>', "
                                "or no Authorization header for public data", WWW_Authenticate="Bearer")
        client = f"user:{user.pk}"
    wait = _over_budget(client)
    if wait:
        return _refuse(429, f"too many MCP requests: at most {settings.UPRWATCH_MCP_REQUESTS_PER_MINUTE} a minute; "
                            f"try again in {wait} s", Retry_After=str(wait))

    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in request.headers.items()]
    port = int(request.get_port() or 80)
    answer = bridge.handle(
        request.method, request.path, request.META.get("QUERY_STRING", "").encode(), headers, request.body,
        request.scheme, (request.get_host().rsplit(":", 1)[0], port), (client_address(request), 0),
    )
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    if header:
        response["Cache-Control"] = "no-store"  # a member's private data must not be kept by a proxy
    return response
