"""The live-source HTTP client against a real server on 127.0.0.1 (conditional GET, resume, retries, checks)."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from uprwatch.sources.download import DownloadError, UnexpectedContent, download, part_path, sniff, state_path

BODY = json.dumps([{"AnnotationId": f"id-{i}", "Text": "Ensure non-refoulement " * 20} for i in range(300)]).encode()
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"


class Server:
    """A tiny HTTP server whose behaviour each test scripts: ``plan`` is a list of what to do per request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list[str] = []
        self.body = BODY
        self.etag = ETAG
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 (http.server's name)
                owner.requests.append(dict(self.headers))
                action = owner.plan.pop(0) if owner.plan else "ok"
                body = owner.body
                if action.startswith("status:"):
                    code = int(action.split(":")[1])
                    self.send_response(code)
                    if code == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if action == "html":
                    page = b"<!DOCTYPE html><html><head><title>Access denied</title></head><body>no</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if self.headers.get("If-None-Match") == owner.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                start = 0
                range_header = self.headers.get("Range")
                if range_header and self.headers.get("If-Range") == owner.etag:
                    start = int(range_header.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("ETag", owner.etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if action == "cut":  # announce the whole length, send a third, drop the connection
                    self.wfile.write(body[start:start + (len(body) - start) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/export-full-en.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


def no_wait(seconds: float) -> None:
    pass


def test_downloads_then_not_modified(server, tmp_path):
    dest = tmp_path / "export.json"
    seen = []
    first = download(server.url, dest, expect="json", progress=lambda done, total: seen.append((done, total)))
    assert first.status == "downloaded" and dest.read_bytes() == BODY and first.kind == "json"
    assert seen[-1] == (len(BODY), len(BODY))
    assert json.loads(state_path(dest).read_text())["etag"] == ETAG
    second = download(server.url, dest, expect="json")
    assert second.status == "not_modified"
    assert server.requests[-1]["If-None-Match"] == ETAG
    assert server.requests[-1]["If-Modified-Since"] == LAST_MODIFIED
    assert dest.read_bytes() == BODY


def test_changed_file_is_fetched_again(server, tmp_path):
    dest = tmp_path / "export.json"
    download(server.url, dest, expect="json")
    server.etag, server.body = '"v2"', BODY + b" "
    again = download(server.url, dest, expect="json")
    assert again.status == "downloaded" and dest.read_bytes() == BODY + b" "


def test_cut_transfer_is_resumed_with_range(server, tmp_path):
    dest = tmp_path / "export.json"
    server.plan = ["cut"]
    result = download(server.url, dest, expect="json", sleep=no_wait)
    assert result.status == "resumed" and dest.read_bytes() == BODY
    assert server.requests[1]["Range"] == f"bytes={len(BODY) // 3}-"
    assert server.requests[1]["If-Range"] == ETAG
    assert not part_path(dest).exists()


def test_resume_after_a_failed_run(server, tmp_path):
    """A run that gave up leaves the part file; the next run asks only for the rest."""
    dest = tmp_path / "export.json"
    server.plan = ["cut", "status:503"]
    with pytest.raises(DownloadError, match="503"):
        download(server.url, dest, expect="json", retries=1, sleep=no_wait)
    assert not dest.exists() and part_path(dest).stat().st_size == len(BODY) // 3
    result = download(server.url, dest, expect="json")
    assert result.status == "resumed" and dest.read_bytes() == BODY


def test_truncated_body_is_refused_when_retries_run_out(server, tmp_path):
    dest = tmp_path / "export.json"
    server.etag = ""  # no validator: nothing to resume against, every attempt starts over and is cut
    server.plan = ["cut", "cut", "cut"]
    with pytest.raises(DownloadError, match="truncated|cut"):
        download(server.url, dest, expect="json", retries=2, sleep=no_wait)
    assert not dest.exists()


def test_html_page_where_json_expected(server, tmp_path):
    dest = tmp_path / "export.json"
    dest.write_bytes(b"[]")  # a good earlier copy
    server.plan = ["html"]
    with pytest.raises(UnexpectedContent, match="HTML page \\('Access denied'\\) where a JSON file was expected"):
        download(server.url, dest, expect="json")
    assert dest.read_bytes() == b"[]" and not part_path(dest).exists()


def test_not_found_fails_at_once(server, tmp_path):
    server.plan = ["status:404"]
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(server.url, tmp_path / "x.json", expect="json", sleep=no_wait)
    assert len(server.requests) == 1


def test_server_errors_and_rate_limits_are_retried(server, tmp_path):
    server.plan = ["status:500", "status:429", "status:502"]
    waits = []
    result = download(server.url, tmp_path / "x.json", expect="json", sleep=waits.append, backoff=0.5)
    assert result.status == "downloaded" and result.attempts == 4
    assert waits == [0.5, 0.0, 2.0]  # back-off doubles; Retry-After: 0 is honoured


def test_server_error_gives_up(server, tmp_path):
    server.plan = ["status:500"] * 5
    with pytest.raises(DownloadError, match="HTTP 500.*5 attempts"):
        download(server.url, tmp_path / "x.json", expect="json", retries=4, sleep=no_wait)


def test_unreachable_host(tmp_path):
    with pytest.raises(DownloadError, match="cannot connect|gave up"):
        download("http://127.0.0.1:9/x.json", tmp_path / "x.json", retries=1, sleep=no_wait, timeout=2)


def test_bad_address(tmp_path):
    with pytest.raises(DownloadError):
        download("ftp-nonsense://x", tmp_path / "x.json")


@pytest.mark.parametrize(("head", "kind"), [
    (b'\xef\xbb\xbf  [{"a": 1}]', "json"),
    (b"PK\x03\x04....[Content_Types].xml xl/workbook.xml", "xlsx"),
    (b"PK\x03\x04....word/document.xml", "docx"),
    (b"%PDF-1.7", "pdf"),
    (b"  <!doctype html><html>", "html"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"To,From,Text\n", "csv"),
    (b"\x00\x01\x02", "unknown"),
])
def test_sniff(head, kind):
    assert sniff(head) == kind


def test_pdf_expected_but_html_served(server, tmp_path):
    """docs.un.org answers an unknown symbol with an HTML page and HTTP 200."""
    server.plan = ["html"]
    with pytest.raises(UnexpectedContent, match="where a PDF file was expected"):
        download(server.url, tmp_path / "a.pdf", expect="pdf")


def test_stored_validators_of_another_address_are_ignored(server, tmp_path):
    dest = tmp_path / "export.json"
    dest.write_bytes(BODY)
    state_path(dest).write_text(json.dumps({"url": "http://elsewhere/", "etag": ETAG, "complete": True}))
    result = download(server.url, dest, expect="json")
    assert result.status == "downloaded" and "If-None-Match" not in server.requests[0]


def test_paths_are_beside_the_file(tmp_path):
    dest = Path(tmp_path / "export-full-en.json")
    assert part_path(dest).name == "export-full-en.json.part"
    assert state_path(dest).name == "export-full-en.json.download.json"
