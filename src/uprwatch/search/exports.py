"""Exports of a whole result set (every matching row, not one page) as CSV, JSON or XLSX.

Rows are produced in chunks from the database and written as they come, so a 41k-row export never
holds the whole set in memory; XLSX too, through the streaming writer of ``uprwatch.spreadsheet``.
Every format starts answering at once, before the last row is fetched.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse

from uprwatch.search.results import recommendations_out
from uprwatch.search.service import QueryError, SearchParams, matching_ids
from uprwatch.spreadsheet import XLSX_CONTENT_TYPE

FORMATS = ("csv", "json", "xlsx")
CHUNK = 500
COLUMNS = [
    "id", "paragraph", "text", "state_under_review", "recommending_states", "session", "cycle", "year",
    "response", "response_source", "action_category", "action_origin", "issues", "themes", "labels",
]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": XLSX_CONTENT_TYPE,
}


def iter_records(ids: list[int]) -> Iterator[dict]:
    """``recommendation_out`` dicts for these ids, in this order, fetched in chunks."""
    for start in range(0, len(ids), CHUNK):
        yield from recommendations_out(ids[start: start + CHUNK])


def flat_row(out: dict) -> list:
    """One spreadsheet row; labels keep their origin so machine labels are never mistaken for human ones."""
    labels = "; ".join(
        f"{label['taxonomy']}:{label['name']} ({label['origin']}"
        + (f" {label['confidence']:.2f}" if label["confidence"] is not None else "") + ")"
        for label in out["labels"]
    )
    themes = "; ".join(label["name"] for label in out["labels"] if label["taxonomy"] == "theme")
    values = dict(out, recommending_states="; ".join(out["recommending_states"]),
                  issues="; ".join(out["issues"]), themes=themes, labels=labels)
    return ["" if values[c] is None else values[c] for c in COLUMNS]


def iter_csv(ids: list[int]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for out in iter_records(ids):
        writer.writerow(flat_row(out))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def iter_json(ids: list[int]) -> Iterator[str]:
    """``{"count": N, "results": [...]}``: the API's shape, with every row and no facets."""
    yield f'{{"count": {len(ids)}, "results": ['
    for i, out in enumerate(iter_records(ids)):
        yield ("," if i else "") + "\n" + json.dumps(out, ensure_ascii=False)
    yield "\n]}\n"


def iter_xlsx(ids: list[int]) -> Iterator[bytes]:
    """The XLSX workbook in chunks, as its rows are fetched (``uprwatch.spreadsheet``: no temporary file)."""
    from uprwatch.spreadsheet import Sheet, stream_xlsx

    rows = itertools.chain([COLUMNS], (flat_row(out) for out in iter_records(ids)))
    yield from stream_xlsx([Sheet("recommendations", rows)])


def write_xlsx(ids: list[int], handle) -> None:
    for chunk in iter_xlsx(ids):
        handle.write(chunk)


def export_response(params: SearchParams, fmt: str) -> HttpResponse:
    """A streamed download of every row matching ``params``. Raises ``QueryError`` for a bad format."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    ids = matching_ids(params)
    filename = f"uprwatch-recommendations.{fmt}"
    stream = {"csv": iter_csv, "json": iter_json, "xlsx": iter_xlsx}[fmt](ids)
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Result-Count"] = str(len(ids))
    return response
