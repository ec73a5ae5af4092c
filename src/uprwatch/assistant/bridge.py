"""Serve the MCP server's streamable-HTTP transport from inside uprwatch's WSGI server.

``uprwatch serve`` runs Django under runserver or gunicorn (WSGI, threads), while the MCP SDK's HTTP
transport is an ASGI application that needs a running event loop and its session manager's task group.
Rather than a second server on a second port, each server process starts one event loop in a daemon
thread on the first MCP request; a Django view hands every request to it and waits for the answer.

The transport runs stateless with JSON answers: every POST carries one JSON-RPC message and gets its
answer in the same HTTP response, so any worker of any process can answer any request (no session to
keep in one process) and nothing streams through the WSGI server.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from mcp.server.transport_security import TransportSecuritySettings

TIMEOUT_SECONDS = 120  # one tool call; the tools are bounded, this only stops a stuck request


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Bridge:
    """One event loop thread per process that runs the MCP session manager and answers requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._manager = None

    def _start(self) -> None:
        from uprwatch.assistant.server import build_server

        server = build_server()
        # Django's ALLOWED_HOSTS already checks the Host header of every request that reaches the view.
        server.streamable_http_app(
            json_response=True, stateless_http=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        manager = server.session_manager
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve() -> None:
            async with manager.run():
                ready.set()
                await asyncio.Event().wait()  # until the process ends (daemon thread)

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(serve())

        threading.Thread(target=run, name="uprwatch-mcp", daemon=True).start()
        if not ready.wait(30):
            raise RuntimeError("the MCP server did not start")
        self._loop, self._manager = loop, manager

    def handle(self, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
               scheme: str, host: tuple[str, int], client: tuple[str, int]) -> Answer:
        with self._lock:
            if self._loop is None:
                self._start()
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": scheme,
            "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "", "headers": headers,
            "server": host, "client": client,
        }
        future = asyncio.run_coroutine_threadsafe(self._call(scope, body), self._loop)
        return future.result(TIMEOUT_SECONDS)

    async def _call(self, scope: dict, body: bytes) -> Answer:
        answer = Answer(500, [], b"")
        chunks: list[bytes] = []
        done = asyncio.Event()
        sent_body = False

        async def receive() -> dict:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # the client "disconnects" only once the answer is complete
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                answer.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    done.set()

        try:
            await self._manager.handle_request(scope, receive, send)
        finally:
            done.set()
        answer.body = b"".join(chunks)
        return answer


bridge = Bridge()
