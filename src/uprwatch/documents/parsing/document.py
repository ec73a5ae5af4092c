"""Identify a document by its content and hand it to the parser of its kind."""

from __future__ import annotations

import re
from pathlib import Path

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError, file_format, pdf_pages
from uprwatch.documents.parsing.addenda import parse_responses_addendum
from uprwatch.documents.parsing.front import REPORT_TITLE, SYMBOL, VIEWS
from uprwatch.documents.parsing.parsed import ParsedDocument
from uprwatch.documents.parsing.reports import parse_working_group_report
from uprwatch.documents.parsing.thematic import parse_thematic_list


def max_bytes() -> int:
    """The size limit for any document (settings.UPRWATCH_MAX_UPLOAD_BYTES, 50 MB without Django)."""
    try:
        from django.conf import settings

        return int(settings.UPRWATCH_MAX_UPLOAD_BYTES)
    except Exception:  # parsing without configured Django settings (tools, benchmarks)
        return 50 * 1024 * 1024


def parse_document(path: Path | str) -> ParsedDocument:
    """Parse any supported document; raises ``DocumentError`` saying what is wrong otherwise."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes():
        raise DocumentError(
            f"the file is {size:,} bytes, larger than the {max_bytes():,}-byte limit (UPRWATCH_MAX_UPLOAD_BYTES)"
        )
    kind = file_format(path)
    if kind == "pdf":
        return parse_pdf_pages(pdf_pages(path))
    return parse_thematic_list(path)


def parse_pdf_pages(pages: list[str]) -> ParsedDocument:
    page_one = repair.normalise_characters(pages[0])
    head = re.sub(r"\s+", " ", page_one)
    if not REPORT_TITLE.search(head):
        raise DocumentError(
            "not a UPR document uprwatch can read: page 1 has no 'Report of the Working Group on the "
            "Universal Periodic Review' title (national reports, compilations and decisions are not supported)"
        )
    symbols = SYMBOL.findall(head)
    if not symbols:
        raise DocumentError("no document symbol (A/HRC/x/y) on page 1")
    symbol = re.sub(r"\s", "", max(symbols, key=len))
    if "/Add." in symbol:
        if not VIEWS.search(head):
            raise DocumentError(f"{symbol} is an addendum but not the state's 'Views on conclusions and/or recommendations'")
        return parse_responses_addendum(pages, symbol, page_one)
    return parse_working_group_report(pages, symbol, page_one)
