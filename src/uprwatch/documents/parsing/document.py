"""Identify a document by its content and hand it to the parser of its kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError, file_format, pdf_pages
from uprwatch.documents.parsing.addenda import parse_responses_addendum
from uprwatch.documents.parsing.front import identify_pages, refusal
from uprwatch.documents.parsing.parsed import NotRecommendationsError, ParsedDocument
from uprwatch.documents.parsing.reports import parse_working_group_report
from uprwatch.documents.parsing.thematic import parse_thematic_list


def max_bytes() -> int:
    """The size limit for any document (settings.UPRWATCH_MAX_UPLOAD_BYTES, 50 MB without Django)."""
    try:
        from django.conf import settings

        return int(settings.UPRWATCH_MAX_UPLOAD_BYTES)
    except Exception:  # parsing without configured Django settings (tools, benchmarks)
        return 50 * 1024 * 1024


def parse_document(path: Path | str, state: str | None = None,
                   session_states: Callable[[int], list[str]] | None = None) -> ParsedDocument:
    """Parse any supported document; raises ``DocumentError`` saying what is wrong otherwise.

    ``state`` names the State under Review of a document that does not (``--state``); a document that
    names another state is refused. ``session_states`` lets an OHCHR list without a title find its state
    from the calendar (see ``thematic.parse_list_tables``).
    """
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
        return parse_pdf_pages(pdf_pages(path), state=state)
    return parse_thematic_list(path, state=state, session_states=session_states)


def parse_pdf_pages(pages: list[str], state: str | None = None) -> ParsedDocument:
    """Parse a PDF's page texts (as ``extraction.pdf_pages`` gives them; the test fixtures are such texts).

    The document is identified by its first pages (``front.identify_pages``); one that holds no
    recommendations raises ``NotRecommendationsError`` saying what it is and what to read instead.
    """
    if not pages or not "".join(pages).strip():
        raise DocumentError("the document has no text")
    page_one = repair.normalise_characters(pages[0])
    identity = identify_pages([repair.normalise_characters(page) for page in pages])
    if identity.kind in ("working_group_report", "draft_report"):
        if not identity.symbol:
            raise DocumentError("no document symbol (A/HRC/x/y or A/HRC/WG.6/n/L.n) on the first pages")
        return parse_working_group_report(pages, identity.symbol, page_one, draft=identity.kind == "draft_report",
                                          session=identity.session, state=state)
    if identity.kind == "responses_addendum":
        return parse_responses_addendum(pages, identity.symbol, page_one, state=state)
    raise NotRecommendationsError(refusal(identity), identity)
