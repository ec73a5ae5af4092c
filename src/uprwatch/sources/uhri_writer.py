"""Write files in the UHRI export's two formats (JSON and XLSX), for tests, benchmarks and demonstrations.

Records are dicts keyed by the JSON export's field names (``AnnotationId``, ``Body``, ``Countries``, …).
The XLSX writer turns them into the 16 columns of the real spreadsheet, with its quirks: the
"Reccomending" typo in two headers, a ``"- "`` before every value and one item per line in list cells,
Excel serial dates. The JSON writer streams, so a 270,000-record file never sits in memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

# (XLSX header, JSON field) in the spreadsheet's order.
XLSX_COLUMNS = (
    ("Text", "Text"),
    ("Countries Concerned", "Countries"),
    ("Reccomending Body", "Body"),
    ("Document Symbol", "Symbol"),
    ("Themes", "Themes"),
    ("Affected Persons", "AffectedPersons"),
    ("Sdgs", "Sdgs"),
    ("Document Publication Date", "PublicationDate"),
    ("UPR Reccomending States", "UprRecommendingCountry"),
    ("UPR Position", "UprPositions"),
    ("Type", "AnnotationType"),
    ("OHCHR Annotation Id", "AnnotationId"),
    ("UPR Session", "UprSession"),
    ("Regions Concerned", "Regions"),
    ("Recommending Regions", "UprRecommendingRegions"),
    ("Date of publication on UHRI", "PublicationDateOnUhri"),
)
DATE_FIELDS = {"PublicationDate", "PublicationDateOnUhri"}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def write_json(records: Iterable[dict], path: Path | str) -> int:
    """One JSON array, written record by record. Returns how many records were written."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        for record in records:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
    return count


def _dash(value: str) -> str:
    value = str(value)
    return value if value.startswith("- ") else f"- {value}"


def xlsx_cell(field: str, value):
    """A JSON value as the spreadsheet writes it."""
    if value is None or value == [] or value == "":
        return None
    if field in DATE_FIELDS:
        moment = dt.datetime.fromisoformat(str(value))
        return round((moment - EXCEL_EPOCH).total_seconds() / 86400, 10)
    if field == "Text":
        return value
    if isinstance(value, list):
        return "\n".join(_dash(v) for v in value)
    return _dash(value)


def write_xlsx(records: Iterable[dict], path: Path | str, headers: dict[str, str] | None = None) -> int:
    """The spreadsheet export (write-only mode: rows are streamed). ``headers`` renames columns (tests)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append([(headers or {}).get(header, header) for header, _ in XLSX_COLUMNS])
    count = 0
    for record in records:
        sheet.append([xlsx_cell(field, record.get(field)) for _, field in XLSX_COLUMNS])
        count += 1
    workbook.save(path)
    return count
