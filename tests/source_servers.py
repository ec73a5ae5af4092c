"""Local stand-ins for the live sources, on 127.0.0.1, speaking their formats (../shared/sources/README.md).

- ``UwaziServer``: UPR Info's database API (HURIDOCS Uwazi): ``GET /api/search`` with ``types``, ``sort``,
  ``order``, ``limit``, ``from`` (``{"rows": [...], "totalRows": n}``, the total capped at 10,000 as the
  real one), ``/api/templates``, ``/api/thesauris``; refuses a ``language`` parameter (400) as Uwazi does;
  sends an ETag and answers ``If-None-Match`` with 304. Faults on demand: statuses to answer first for a
  page (``fail``), an HTML page instead of JSON (``garbage_from``), a page that hangs until released
  (``hold_from``).
- ``DocumentsServer``: the UN documents service, ``/api/symbol/access?s=&l=&t=``: the file for a known
  symbol (with ETag / Last-Modified, 304 on a match), and for an unknown one a 200 HTML page, as the real
  service does.
- ``upr_info_entity(...)``: one entity of UPR Info's recommendation template.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

RECOMMENDATION_TEMPLATE = "5d8ce04361cde0408222e9a8"
STATE_TEMPLATE = "5d8cdec361cde0408222d3ec"
NOT_FOUND_PAGE = (b"<!DOCTYPE html><html><head><title>Official Document System</title></head>"
                  b"<body><p>Document not found.</p></body></html>")


def _item(label: str, value: str | None = None) -> dict:
    return {"value": value or hashlib.sha1(label.encode()).hexdigest()[:12], "label": label}


def upr_info_entity(shared_id: str, *, sur: str, by: list[str], text: str, response: str | None = "Supported",
                    session: str = "45 - January 2024", cycle: str = "Cycle 4", issues: list[str] = (),
                    action: str | None = "5 - Specific action", created: int = 1_700_000_000_000,
                    edited: int | None = None, extra: dict | None = None) -> dict:
    metadata = {
        "recommendation": [{"value": text}],
        "state_under_review": [_item(sur)],
        "recommending_state": [_item(name) for name in by],
        "issues": [_item(issue) for issue in issues],
        "cycle": [_item(cycle)],
        "session": [{**_item(session), "type": "entity"}],
        "state_under_review___regional_group": [{"value": "Asia-Pacific States", "label": "Asia-Pacific States"}],
    }
    if response is not None:
        metadata["response"] = [_item(response)]
    if action is not None:
        metadata["action_category"] = [_item(action)]
    metadata.update(extra or {})
    return {"_id": f"id-{shared_id}", "sharedId": shared_id, "language": "en", "title": text[:80],
            "template": RECOMMENDATION_TEMPLATE, "published": True, "creationDate": created,
            "editDate": edited or created, "metadata": metadata}


class _Server:
    def start(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class UwaziServer(_Server):
    def __init__(self, entities: list[dict], extra_templates: list[dict] | None = None):
        self.entities = entities
        # the recommendation template's properties, as /api/templates lists them (a test may add one)
        self.properties = ["recommendation", "state_under_review", "recommending_state", "response", "issues",
                           "cycle", "session", "action_category"]
        self.thesauri: list[dict] = [{"_id": "th-responses", "name": "Response", "values": [
            {"id": "resp-s", "label": "Supported"}, {"id": "resp-n", "label": "Noted"},
            {"id": "resp-ns", "label": "Not Supported"}]}]
        self.requests: list[dict] = []  # {"path", "query", "headers"}
        self.fail: dict[int, list[int]] = defaultdict(list)  # page offset -> statuses to answer first
        self.garbage_from: int | None = None
        self.hold_from: int | None = None
        self.release = threading.Event()
        self.etags = True
        self.extra_templates = extra_templates or []

    def search_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/api/search"]

    def page_offsets(self) -> list[int]:
        return [int(r["query"]["from"]) for r in self.search_requests() if r["query"].get("limit") != "1"]

    def _search(self, query: dict) -> tuple[int, dict]:
        if "language" in query:
            return 400, {"error": "language is not a valid parameter", "prettyMessage": "Bad request"}
        types = json.loads(query.get("types", "[]") or "[]")
        rows = [e for e in self.entities if not types or e["template"] in types]
        key = query.get("sort", "creationDate")
        rows.sort(key=lambda e: (e.get(key, 0), e["sharedId"]), reverse=query.get("order") == "desc")
        start, limit = int(query.get("from", 0)), int(query.get("limit", 30))
        return 200, {"rows": rows[start:start + limit], "totalRows": min(len(rows), 10_000),
                     "aggregations": {"all": {}}}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                server.requests.append({"path": parsed.path, "query": query, "headers": dict(self.headers)})
                if parsed.path == "/api/search":
                    offset = int(query.get("from", 0))
                    page = query.get("limit") != "1"
                    if page and server.hold_from is not None and offset >= server.hold_from:
                        server.release.wait(60)
                    if page and server.fail.get(offset):
                        status = server.fail[offset].pop(0)
                        return self._send(status, b'{"error":"busy"}', {"Retry-After": "0"} if status == 429 else {})
                    if page and server.garbage_from is not None and offset >= server.garbage_from:
                        return self._send(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                                          content_type="text/html")
                    status, data = server._search(query)
                elif parsed.path == "/api/templates":
                    properties = [{"name": name, "label": name.replace("_", " ").title(), "type": "select"}
                                  for name in server.properties]
                    status, data = 200, {"rows": [{"_id": RECOMMENDATION_TEMPLATE, "name": "Recommendation",
                                                   "properties": properties}, *server.extra_templates]}
                elif parsed.path == "/api/thesauris":
                    status, data = 200, {"rows": server.thesauri}
                else:
                    status, data = 404, {"error": "not found"}
                body = json.dumps(data).encode()
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if server.etags and status == 200 and self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", {"ETag": etag})
                self._send(status, body, {"ETag": etag} if server.etags else {})

            def _send(self, status, body, headers=None, content_type="application/json; charset=utf-8"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        return Handler


class DocumentsServer(_Server):
    def __init__(self, documents: dict[str, bytes] | None = None):
        self.documents = dict(documents or {})  # symbol -> body (any language)
        self.requests: list[dict] = []
        self.truncate: set[str] = set()  # symbols whose body is cut off mid-transfer

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                server.requests.append({"path": parsed.path, "query": query, "headers": dict(self.headers)})
                symbol = query.get("s", "")
                body = server.documents.get(symbol) if parsed.path == "/api/symbol/access" else None
                if body is None:  # the real service: an HTML page with status 200
                    return self._send(200, NOT_FOUND_PAGE, "text/html; charset=utf-8")
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return None
                kind = "application/pdf" if body.startswith(b"%PDF") else "application/octet-stream"
                if symbol in server.truncate:
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                self._send(200, body, kind, {"ETag": etag, "Last-Modified": "Mon, 24 Mar 2025 10:00:00 GMT"})

            def _send(self, status, body, content_type, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


class FileServer(_Server):
    """Files at paths (``{"/uhri/export-full-en.json": b"[...]"}``) as a plain web server sends them: with
    an ETag and Last-Modified, 304 on a matching ``If-None-Match``, 404 for anything else."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.requests: list[dict] = []

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urlparse(self.path).path
                server.requests.append({"path": path, "headers": dict(self.headers)})
                body = server.files.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if path.endswith(".json")
                                 else "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Sun, 12 Apr 2026 11:59:28 GMT")
                self.end_headers()
                self.wfile.write(body)

        return Handler
