"""A state's profile (the analysis feature's figures) as JSON, XLSX (one sheet per table) or CSV.

The tables and their columns are the ones the profile page offers as CSV (``analysis.views.PROFILE_TABLES``),
so every export holds exactly the figures a reader sees on the page.
"""

from __future__ import annotations

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from uprwatch.office import xml_safe
from uprwatch.records.lookup import find_state
from uprwatch.reports.selection import ReportError, ReportNotFound
from uprwatch.spreadsheet import XLSX_CONTENT_TYPE

FORMATS = ("json", "xlsx", "csv")
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
}


def profile_export(name: str, fmt: str, table: str | None = None) -> tuple[str, bytes]:
    """``(file name, content)`` of a state's profile; ``table`` picks the one CSV table.

    :raises ReportError: unknown state, format or table
    """
    from uprwatch.analysis import profiles
    from uprwatch.analysis.views import PROFILE_TABLES as tables

    if fmt not in FORMATS:
        raise ReportNotFound(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    state = find_state(name)
    data = profiles.cached_state_profile(state)
    if fmt == "json":
        return f"{state.slug}-profile.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False,
                                                        indent=2).encode("utf-8")
    if fmt == "csv":
        if table not in tables:
            raise ReportError(f"CSV needs --table, one of: {', '.join(tables)}")
        (part, key), columns = tables[table]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(data[part][key])
        return f"{state.slug}-{table}.csv", out.getvalue().encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name_, ((part, key), columns) in tables.items():
        sheet = workbook.create_sheet(name_[:31])  # Excel's limit on sheet names
        sheet.append(columns)
        for row in data[part][key]:
            sheet.append([xml_safe(row.get(column)) for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return f"{state.slug}-profile.xlsx", out.getvalue()
