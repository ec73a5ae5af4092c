"""Page through a HURIDOCS Uwazi database's public API (UPR Info's database runs on Uwazi).

``/api/search`` answers ``{"rows": [...], "totalRows": N}`` for ``limit``/``from``; the reported total
stops at 10,000, so the only reliable end is an empty page. A full pass over UPR Info's 264,000 entities
takes 10-15 minutes at a polite pace, long enough to be interrupted: every page is written to a run folder
under ``UPRWATCH_HOME`` with a cursor, and the next run goes on from the last page it holds instead of
starting again. Nothing here touches the database; the pages are read back by the mapping once complete.

The language goes in the ``Accept-Language`` header (Uwazi refuses a ``?language=`` parameter). Retries
with back-off on 429 and 5xx answers are the download client's job (``sources.download``); the pause
between pages is ours (``UPRWATCH_UWAZI_PAUSE_SECONDS``) because it is a courtesy to the host, not a
reaction to an error.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from uprwatch.errors import Invalid, Unavailable

PAGE_SIZE = 100
CURSOR_FILE = "cursor.json"


class SourceAnswerError(Invalid):
    """The source answered something that is not what its API returns (an HTML page, truncated JSON...)."""


class SourceUnreachable(Unavailable):
    """The source could not be reached, or kept failing after the retries."""


@dataclass
class Answer:
    """What one HTTP GET returned (after the download client's retries)."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str = ""


# (url, request headers) -> Answer; raises SourceUnreachable when the host cannot be reached.
Fetch = Callable[[str, dict[str, str]], Answer]


@dataclass
class Query:
    """What a pass asks for: which templates, in which order, from when. Two passes with the same query
    may share a run folder (resume); a different query starts afresh."""

    types: list[str]
    sort: str = "creationDate"
    order: str = "asc"
    since_ms: int | None = None  # with sort=editDate/desc: stop at the first entity edited before this
    language: str = "en"

    def key(self) -> dict:
        return {"types": self.types, "sort": self.sort, "order": self.order, "since_ms": self.since_ms,
                "language": self.language}


@dataclass
class PassReport:
    pages: int = 0  # pages fetched by this run (a resumed run counts only its own)
    pages_total: int = 0  # pages the run folder holds, from the first
    resumed_from: int | None = None  # the ``from`` offset a resumed run started at
    seconds_fetching: float = 0.0  # waiting for the host
    seconds_pausing: float = 0.0  # the politeness pause
    seconds_own: float = 0.0  # our own work per pass (decode, check, write the page), for the benchmark
    entities: int = 0
    page_times: list[float] = field(default_factory=list)


def decode_json(answer: Answer, what: str) -> dict:
    """The JSON object of an answer, or a one-line error saying what came back instead."""
    if answer.status != 200:
        raise SourceAnswerError(f"{what}: HTTP {answer.status} from {answer.url}")
    body = answer.body.lstrip()
    if not body.startswith(b"{"):
        kind = "an HTML page" if body[:200].lower().startswith((b"<!doctype", b"<html")) else "not JSON"
        raise SourceAnswerError(f"{what}: the source answered {kind} instead of JSON ({answer.url})")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceAnswerError(f"{what}: invalid JSON from {answer.url} ({exc})") from None
    if not isinstance(data, dict):
        raise SourceAnswerError(f"{what}: expected a JSON object from {answer.url}")
    return data


class UwaziClient:
    """One Uwazi database, reached through ``fetch``."""

    def __init__(self, base_url: str, fetch: Fetch, *, language: str = "en", pause: float = 1.0,
                 user_agent: str = ""):
        self.base_url = base_url.rstrip("/")
        self.fetch = fetch
        self.language = language
        self.pause = pause
        self.user_agent = user_agent

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # The download client sends a User-Agent naming uprwatch and its address; ``user_agent`` overrides it.
        agent = {"User-Agent": self.user_agent} if self.user_agent else {}
        return {"Accept": "application/json", "Accept-Language": self.language, **agent, **(extra or {})}

    def url(self, path: str, params: dict | None = None) -> str:
        return f"{self.base_url}{path}" + (f"?{urlencode(params)}" if params else "")

    def get_json(self, path: str, params: dict | None = None, what: str = "") -> dict:
        return decode_json(self.fetch(self.url(path, params), self.headers()), what or path)

    def templates(self) -> list[dict]:
        return _rows(self.get_json("/api/templates", what="templates"), "templates")

    def thesauri(self) -> list[dict]:
        return _rows(self.get_json("/api/thesauris", what="thesauri"), "thesauri")

    def search_params(self, query: Query, offset: int, limit: int) -> dict:
        return {"types": json.dumps(query.types, separators=(",", ":")), "sort": query.sort, "order": query.order,
                "limit": limit, "from": offset}

    def probe(self, query: Query, fetch: Fetch | None = None) -> tuple[Answer, dict | None]:
        """One request for the most recently edited entity: (answer, its JSON, or None for a 304).

        ``fetch`` is a conditional one (it sends the ETag / Last-Modified of the last answer), so an
        unchanged source costs exactly this request: a 304 when the host honours the validators,
        otherwise the same newest entity and total as at the last sync.
        """
        newest = Query(types=query.types, sort="editDate", order="desc", language=query.language)
        answer = (fetch or self.fetch)(self.url("/api/search", self.search_params(newest, 0, 1)), self.headers())
        if answer.status == 304:
            return answer, None
        return answer, decode_json(answer, "the newest entity")

    def pages(self, query: Query, run_dir: Path, report: PassReport, page_size: int = PAGE_SIZE,
              on_page: Callable[[PassReport], None] | None = None) -> list[Path]:
        """Fetch every page not yet in ``run_dir`` (resuming), returning the page files in order."""
        cursor = _read_cursor(run_dir, query)
        offset = cursor["next_from"]
        if offset:
            report.resumed_from = offset
        while not cursor["complete"]:
            if cursor["pages"] and self.pause:
                began = time.perf_counter()
                time.sleep(self.pause)
                report.seconds_pausing += time.perf_counter() - began
            began = time.perf_counter()
            answer = self.fetch(self.url("/api/search", self.search_params(query, offset, page_size)), self.headers())
            fetched = time.perf_counter()
            data = decode_json(answer, f"search page from {offset}")
            rows = _rows(data, f"search page from {offset}")
            stop = not rows
            if query.since_ms is not None:
                kept = [r for r in rows if _edit_ms(r) is None or _edit_ms(r) >= query.since_ms]
                stop = stop or len(kept) < len(rows)
                rows = kept
            if rows:
                page = run_dir / f"page-{cursor['pages']:06d}.json"
                _write_atomically(page, json.dumps({"from": offset, "rows": rows}, ensure_ascii=False))
                cursor["pages"] += 1
            offset += page_size
            cursor.update(next_from=offset, complete=stop)
            _write_atomically(run_dir / CURSOR_FILE, json.dumps(cursor))
            done = time.perf_counter()
            report.seconds_fetching += fetched - began
            report.seconds_own += done - fetched
            report.page_times.append(done - fetched)
            report.pages += 1
            report.entities += len(rows)
            report.pages_total = cursor["pages"]
            if on_page is not None:
                on_page(report)
        report.pages_total = cursor["pages"]
        return sorted(run_dir.glob("page-*.json"))


def read_pages(files: list[Path]) -> Iterator[dict]:
    """The entities of a run folder's pages, in order."""
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        yield from data["rows"]


def clear_run(run_dir: Path) -> None:
    shutil.rmtree(run_dir, ignore_errors=True)


def _rows(data: dict, what: str) -> list[dict]:
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SourceAnswerError(f"{what}: the answer has no list of rows (keys: {', '.join(sorted(data)) or 'none'})")
    return rows


def _edit_ms(entity: dict) -> int | None:
    value = entity.get("editDate", entity.get("creationDate"))
    return int(value) if isinstance(value, (int, float)) else None


def _read_cursor(run_dir: Path, query: Query) -> dict:
    fresh = {"query": query.key(), "next_from": 0, "pages": 0, "complete": False}
    path = run_dir / CURSOR_FILE
    try:
        cursor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cursor = None
    if not isinstance(cursor, dict) or cursor.get("query") != query.key():
        # another query's pages (or a damaged cursor): they cannot be continued
        clear_run(run_dir)
        cursor = fresh
    run_dir.mkdir(parents=True, exist_ok=True)
    # pages written after the cursor was last saved (a kill between the two writes) are dropped
    for page in run_dir.glob("page-*.json"):
        if int(page.stem.split("-")[1]) >= cursor["pages"]:
            page.unlink()
    return cursor


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
