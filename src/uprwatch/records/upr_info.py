"""Read UPR Info's database exports and the compact bundle we ship converted from them.

``read_upr_info_csv`` validates a raw export (columns, responses, action categories, sessions and
state names) and yields plain dicts; ``write_bundle`` stores them as gzipped JSON Lines in
``uprwatch/data/upr-info/``; ``read_bundle`` reads them back with the same checks. Every error
names the file and the line.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from uprwatch.errors import Invalid
from uprwatch.records.states import UnknownStateError, resolve_state

BUNDLE_DIR = Path(__file__).resolve().parent.parent / "data" / "upr-info"
RECOMMENDATIONS_BUNDLE = BUNDLE_DIR / "recommendations.jsonl.gz"
PLEDGES_BUNDLE = BUNDLE_DIR / "pledges.jsonl.gz"

REQUIRED_COLUMNS = ("To", "Text", "From", "Response", "Action", "Issue", "Session")
RESPONSES = {"accepted": "supported", "noted": "noted", "voluntary pledge": "pledge"}
# UPR Info writes "(Unknown)" (HTML-escaped) where it could not tell who made a recommendation.
UNKNOWN_RECOMMENDER = "(unknown)"
MAX_SESSION = 200


class DataFileError(Invalid):
    """A data file that cannot be loaded; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in html.unescape(value or "").split(",") if part.strip()]


def _clean_row(path: Path | str, line: int, raw: dict[str, str]) -> dict:
    def fail(message: str):
        raise DataFileError(path, line, message)

    if None in raw or any(value is None for value in raw.values()):
        fail("wrong number of fields (truncated or malformed row)")
    # SQLite would store it, PostgreSQL refuses it mid-load: the same clear error on both
    nul_columns = [column for column, value in raw.items() if "\x00" in value]
    if nul_columns:
        fail(f"NUL character in {', '.join(nul_columns)}")
    text = " ".join((raw.get("Text") or "").split())
    if not text:
        fail("empty recommendation text")
    response = RESPONSES.get((raw.get("Response") or "").strip().casefold())
    if response is None:
        fail(f"unknown response {raw.get('Response')!r} (expected Accepted, Noted or Voluntary Pledge)")
    try:
        session = int(raw["Session"])
    except (TypeError, ValueError):
        fail(f"session is not a number: {raw.get('Session')!r}")
    if not 1 <= session <= MAX_SESSION:
        fail(f"session out of range: {session}")
    action_raw = (raw.get("Action") or "").strip()
    action = None
    if action_raw:
        if action_raw not in {"1", "2", "3", "4", "5"}:
            fail(f"action category must be 1-5, got {action_raw!r}")
        action = int(action_raw)
    try:
        sur = resolve_state(html.unescape(raw["To"]))
    except UnknownStateError as exc:
        fail(f"State under Review: {exc}")
    from_name = html.unescape(raw.get("From") or "").strip()
    recommending: list[str] = []
    if from_name.casefold() != UNKNOWN_RECOMMENDER:
        try:
            recommending = [resolve_state(from_name).iso3]
        except UnknownStateError as exc:
            fail(f"recommending state: {exc}")
    return {
        "row": line,
        "sur": sur.iso3,
        "by": recommending,
        "text": text,
        "response": response,
        "action": action,
        "issues": _split_list(raw.get("Issue", "")),
        "session": session,
        "sur_blocs": [b for b in _split_list(raw.get("To-Org", "")) if b.casefold() != UNKNOWN_RECOMMENDER],
        "by_blocs": [b for b in _split_list(raw.get("From-Org", "")) if b.casefold() != UNKNOWN_RECOMMENDER],
        "original": {"To": raw["To"], "From": raw.get("From", ""), "source_file": raw.get("source_file", "")},
    }


def read_upr_info_csv(path: Path | str) -> Iterator[dict]:
    """Yield validated rows of a UPR Info export (recommendations or voluntary pledges)."""
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise DataFileError(path, None, f"cannot open: {exc.strerror}") from exc
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataFileError(path, 1, f"missing column(s): {', '.join(missing)}")
            for raw in reader:
                yield _clean_row(path, reader.line_num, raw)
        except UnicodeDecodeError as exc:
            raise DataFileError(path, None, f"not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise DataFileError(path, reader.line_num, f"malformed CSV: {exc}") from exc


def write_bundle(rows: Iterable[dict], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    # mtime=0 keeps the file byte-identical across runs, so re-running the converter shows no diff.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8")
        for row in rows:
            text.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
        text.flush()
        text.detach()
    return count


_BUNDLE_KEYS = {"row", "sur", "by", "text", "response", "action", "issues", "session"}


def read_bundle(path: Path | str) -> Iterator[dict]:
    """Yield the rows of a bundle written by ``write_bundle``, checking each one."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")
        with handle:
            for line_number, line in enumerate(handle, start=1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(path, line_number, f"invalid JSON: {exc.msg}") from exc
                if not isinstance(row, dict) or not _BUNDLE_KEYS <= row.keys():
                    raise DataFileError(path, line_number, f"missing keys: {sorted(_BUNDLE_KEYS - set(row or {}))}")
                yield row
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataFileError(path, None, f"cannot read (truncated or not gzip?): {exc}") from exc


def read_any(path: Path | str) -> Iterator[dict]:
    """Read either a raw UPR Info CSV export or one of our bundles, by its name."""
    name = str(path)
    if name.endswith(".jsonl.gz"):
        return read_bundle(path)
    return read_upr_info_csv(path)
