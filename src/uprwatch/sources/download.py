"""Fetch one file from a live source over HTTP: the one client every source (UHRI, UPR Info, UN documents) uses.

``download(url, dest, expect="json")`` writes the body to ``dest`` and returns a ``Download``:

- **conditional GET**: the ``ETag`` / ``Last-Modified`` the server gave for this URL are kept beside the
  file (``<dest>.download.json``); the next call sends ``If-None-Match`` / ``If-Modified-Since`` and a
  ``304 Not Modified`` answers ``status="not_modified"`` without touching the file;
- **resume**: the body is written to ``<dest>.part``; an interrupted transfer leaves it there and the
  next call asks only for the rest (``Range: bytes=N-`` with ``If-Range``, so a file changed on the
  server meanwhile is fetched whole again rather than spliced);
- **retries** with exponential back-off (honouring ``Retry-After``) on 429, 5xx, time-outs and dropped
  connections; 4xx other than 429 fail at once;
- **the body is checked**: a body shorter than ``Content-Length`` is a truncated transfer (kept for a
  resume, retried, then refused), and a body that is not what was expected — typically an HTML page
  where a JSON, XLSX or PDF file was expected — is refused with a clear error and never replaces a good
  file;
- **progress**: ``progress(done_bytes, total_bytes_or_None)`` after every chunk.

Only the standard library is used (urllib), so the client has no dependency a server install lacks.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from uprwatch import __version__ as _version
from uprwatch.errors import Invalid, Unavailable

USER_AGENT = f"uprwatch/{_version} (+https://github.com/uprwatch/uprwatch; UPR data sync)"
CHUNK = 1 << 16
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0  # seconds: a server asking for longer is treated as down, not waited for

Progress = Callable[[int, "int | None"], None]


class DownloadError(Unavailable):
    """The source could not be fetched (network, HTTP status, truncated transfer); nothing was replaced.

    ``status``: the HTTP status the server refused with (one not worth retrying), None otherwise.
    """

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class UnexpectedContent(Invalid):
    """The source answered, but with something other than the file asked for (e.g. an HTML page)."""


# --- what a body is -------------------------------------------------------------------------------

KINDS = ("json", "xlsx", "docx", "zip", "pdf", "html", "csv", "gzip")


def sniff(head: bytes) -> str:
    """What the first bytes of a file say it is: one of ``KINDS`` or ``"unknown"``.

    Decided by content, never by a name or a Content-Type header (servers and users both get those wrong).
    ``xlsx``/``docx`` are told apart by the names of their first zip entries when they are visible.
    """
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        if b"xl/" in head[:4096]:
            return "xlsx"
        if b"word/" in head[:4096]:
            return "docx"
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        lowered.startswith(b"<") and b"<html" in lowered
    ):
        return "html"
    if stripped[:1] in (b"[", b"{"):
        return "json"
    if stripped and b"\x00" not in stripped[:512] and b"," in stripped.split(b"\n", 1)[0]:
        return "csv"
    return "unknown"


def _compatible(found: str, expected: str) -> bool:
    # An Office file whose first entry does not name its folder still is a zip: let the reader decide.
    return found == expected or (found == "zip" and expected in ("xlsx", "docx"))


def check_content(head: bytes, expect: str | tuple[str, ...] | None, what: str) -> str:
    """Raise ``UnexpectedContent`` unless ``head`` starts a file of an expected kind; returns the kind."""
    found = sniff(head)
    if expect is None:
        return found
    wanted = (expect,) if isinstance(expect, str) else tuple(expect)
    if any(_compatible(found, kind) for kind in wanted):
        return found
    wanted_text = " or ".join(k.upper() for k in wanted)
    if found == "html":
        title = _html_title(head)
        raise UnexpectedContent(
            f"{what}: the server sent an HTML page{f' ({title!r})' if title else ''} where a {wanted_text} file "
            "was expected (an error or sign-in page, or a wrong address)"
        )
    if not head:
        raise UnexpectedContent(f"{what}: the body is empty where a {wanted_text} file was expected")
    described = "an unrecognised file" if found == "unknown" else f"a {found.upper()} file"
    raise UnexpectedContent(f"{what}: {described} where a {wanted_text} file was expected")


def _html_title(head: bytes) -> str:
    text = head[:4096].decode("utf-8", "replace")
    start = text.lower().find("<title>")
    end = text.lower().find("</title>")
    return " ".join(text[start + 7:end].split())[:80] if 0 <= start < end else ""


# --- state kept beside the file -------------------------------------------------------------------


@dataclass
class Validators:
    """What the server said about the copy we hold (or are partway through)."""

    url: str
    etag: str = ""
    last_modified: str = ""
    length: int | None = None
    complete: bool = False

    @classmethod
    def load(cls, path: Path, url: str) -> Validators:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(url)
        if not isinstance(data, dict) or data.get("url") != url:
            return cls(url)  # validators of another address say nothing about this one
        return cls(url, str(data.get("etag") or ""), str(data.get("last_modified") or ""),
                   data.get("length") if isinstance(data.get("length"), int) else None, bool(data.get("complete")))

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)


@dataclass
class Download:
    """The outcome of ``download``: ``status`` is ``downloaded``, ``resumed`` or ``not_modified``."""

    url: str
    path: Path
    status: str
    size: int
    kind: str
    etag: str = ""
    last_modified: str = ""
    attempts: int = 1

    def to_json(self) -> dict:
        return {"url": self.url, "path": str(self.path), "status": self.status, "size": self.size,
                "kind": self.kind, "etag": self.etag, "last_modified": self.last_modified}


def state_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".download.json")


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


# --- the transfer ---------------------------------------------------------------------------------


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def download(
    url: str,
    dest: Path | str,
    *,
    expect: str | tuple[str, ...] | None = None,
    progress: Progress | None = None,
    retries: int = 4,
    backoff: float = 1.0,
    timeout: float = 60.0,
    headers: dict[str, str] | None = None,
    conditional: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> Download:
    """Download ``url`` to ``dest`` (see the module docstring). Raises ``DownloadError`` or ``UnexpectedContent``.

    :param expect: the kind(s) of file wanted (``sniff``'s names); ``None`` accepts anything.
    :param retries: attempts after the first one, for retryable failures only.
    :param backoff: first wait in seconds; doubled after every failed attempt.
    :param conditional: send the stored validators (``False`` always fetches the body again).
    :param sleep: how to wait between attempts (tests pass a no-op).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    what = url
    attempt = 0
    while True:
        attempt += 1
        try:
            result = _attempt(url, dest, expect, progress, timeout, headers or {}, conditional, what)
            result.attempts = attempt
            return result
        except _Retry as exc:
            if attempt > retries:
                raise DownloadError(f"{what}: {exc} (gave up after {attempt} attempts)") from None
            wait = exc.wait if exc.wait is not None else backoff * (2 ** (attempt - 1))
            if wait > MAX_RETRY_AFTER:
                raise DownloadError(f"{what}: {exc}; the server asks to wait {wait:.0f} s, try again later") from None
            sleep(wait)


def _attempt(url, dest: Path, expect, progress, timeout, extra_headers, conditional, what) -> Download:
    state_file, part = state_path(dest), part_path(dest)
    stored = Validators.load(state_file, url)
    request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **extra_headers}
    have_complete = conditional and stored.complete and dest.exists()
    if have_complete:
        if stored.etag:
            request_headers["If-None-Match"] = stored.etag
        if stored.last_modified:
            request_headers["If-Modified-Since"] = stored.last_modified
    offset = part.stat().st_size if part.exists() and not stored.complete else 0
    resume_validator = stored.etag or stored.last_modified
    if offset and resume_validator:
        request_headers["Range"] = f"bytes={offset}-"
        request_headers["If-Range"] = resume_validator
    else:
        offset = 0
    request = urllib.request.Request(url, headers=request_headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http/https only, checked below)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and have_complete:
            return Download(url, dest, "not_modified", dest.stat().st_size, sniff(_head(dest)),
                            stored.etag, stored.last_modified)
        if exc.code == 416 and offset:
            part.unlink(missing_ok=True)  # our partial copy no longer fits the file: start again
            raise _Retry("the partial copy did not match the file on the server", wait=0) from None
        if exc.code in RETRY_STATUSES:
            raise _Retry(f"HTTP {exc.code} {exc.reason}", _retry_after(exc.headers.get("Retry-After"))) from None
        raise DownloadError(f"{what}: HTTP {exc.code} {exc.reason}", status=exc.code) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout, ConnectionError, OSError)):
            raise _Retry(f"cannot connect: {reason}") from None
        raise DownloadError(f"{what}: {reason}") from None
    except ValueError as exc:  # unknown scheme, malformed address
        raise DownloadError(f"{what}: not a downloadable address ({exc})") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise _Retry(f"connection failed: {exc}") from None

    with response:
        status = response.status
        etag = response.headers.get("ETag", "") or ""
        last_modified = response.headers.get("Last-Modified", "") or ""
        length_header = response.headers.get("Content-Length")
        body_length = int(length_header) if length_header and length_header.isdigit() else None
        if status == 206:
            start, total = _content_range(response.headers.get("Content-Range", ""))
            if start != offset:
                part.unlink(missing_ok=True)
                raise _Retry("the server resumed at the wrong place", wait=0)
            mode, done = "ab", offset
        else:
            mode, done, total = "wb", 0, body_length
        # Remember the validators before the first byte, so a cut transfer can be resumed.
        Validators(url, etag or (stored.etag if status == 206 else ""),
                   last_modified or (stored.last_modified if status == 206 else ""),
                   total, complete=False).save(state_file)
        checked = mode == "ab"  # a resumed file's head was checked when it was first written
        head = b""
        try:
            with open(part, mode) as out:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    if not checked:
                        head += chunk
                        if len(head) >= 4096 or len(chunk) < CHUNK:
                            check_content(head, expect, what)
                            checked = True
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        except UnexpectedContent:
            part.unlink(missing_ok=True)
            state_file.unlink(missing_ok=True)
            raise
        except http.client.IncompleteRead:
            raise _Retry(f"transfer cut after {done:,} of {total:,} bytes" if total else "transfer cut") from None
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise _Retry(f"transfer failed after {done:,} bytes: {exc}") from None
        if not checked:
            try:
                check_content(head, expect, what)
            except UnexpectedContent:
                part.unlink(missing_ok=True)
                state_file.unlink(missing_ok=True)
                raise
    if total is not None and done < total:
        raise _Retry(f"truncated body: {done:,} of {total:,} bytes")
    if total is not None and done > total:
        part.unlink(missing_ok=True)
        raise _Retry(f"body longer than announced ({done:,} > {total:,} bytes)", wait=0)
    os.replace(part, dest)
    final_etag = etag or (stored.etag if status == 206 else "")
    final_modified = last_modified or (stored.last_modified if status == 206 else "")
    Validators(url, final_etag, final_modified, done, complete=True).save(state_file)
    return Download(url, dest, "resumed" if status == 206 else "downloaded", done, sniff(_head(dest)),
                    final_etag, final_modified)


def _content_range(value: str) -> tuple[int | None, int | None]:
    """``bytes 100-199/1000`` -> (100, 1000); the total may be ``*``."""
    try:
        unit, spec = value.split(" ", 1)
        span, total = spec.split("/", 1)
        start = int(span.split("-", 1)[0])
        return start, (int(total) if total.strip().isdigit() else None)
    except ValueError:
        return None, None


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)
