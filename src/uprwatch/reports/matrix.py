"""The submission matrix NGOs attach to stakeholder submissions and mid-term reports.

One row per recommendation: recommendation | recommending states | position | assessment |
evidence | suggested follow-up recommendation. The follow-up column is a *draft* worded from the
State's position and the latest assessment, for the coalition to edit; it is marked as such.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from xml.sax.saxutils import escape

from uprwatch.office import xml_safe
from uprwatch.records.models import Recommendation
from uprwatch.reports.selection import Selection, visible_evidence
from uprwatch.spreadsheet import XLSX_CONTENT_TYPE

COLUMNS = ("Recommendation", "Recommending states", "Position", "Assessment", "Evidence",
           "Suggested follow-up recommendation (draft)")


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(";.")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def suggested_follow_up(text: str, response: str, status: str | None) -> str:
    """A draft follow-up recommendation from the position and the assessment (for people to edit)."""
    gist = _lower_first(text)
    if status == "implemented":
        return f"Sustain and report on the measures taken to {gist}" if not gist.startswith("to ") else (
            f"Sustain and report on the measures taken {gist}")
    if response in ("noted", "not supported"):
        return f"Reconsider its position and accept the recommendation: {gist}"
    if status in ("not_implemented", "regressed"):
        return f"Take concrete steps, with a timeline and a budget, to implement the supported recommendation: {gist}"
    if status == "partially_implemented":
        return f"Complete the implementation of the supported recommendation, and report on progress: {gist}"
    return f"Report on the steps taken to implement the recommendation: {gist}"


def day(value) -> str:
    """The site's one date format ("9 Oct 2023"), as on the pages and in the brief."""
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


def _draft(assessment) -> str:
    """Unpublished assessments are marked in the matrix too, so a draft is never sent by mistake."""
    return "" if assessment.visibility == "published" else f" [DRAFT — private to {assessment.organisation.name}]"


def matrix_rows(selection: Selection) -> list[dict]:
    """The matrix as data: one dict per recommendation, oldest session first."""
    latest: dict[int, list] = defaultdict(list)
    from uprwatch.tracking.models import Assessment

    queryset = (Assessment.objects.filter(selection.audience.visible(), recommendation_id__in=selection.ids)
                .select_related("organisation").prefetch_related(visible_evidence(selection))
                .order_by("-assessed_on", "organisation__name"))
    for assessment in queryset:
        latest[assessment.recommendation_id].append(assessment)
    # Plain values, not model instances with prefetched relations: those cost most of the export's time.
    states: dict[int, list[str]] = defaultdict(list)
    through = Recommendation.recommending_states.through
    for rec_id, name in through.objects.filter(recommendation_id__in=selection.ids).order_by("state__name").values_list(
            "recommendation_id", "state__name"):
        states[rec_id].append(name)
    rows = []
    recs = (Recommendation.objects.filter(pk__in=selection.ids).order_by("review__session_id", "id")
            .values_list("pk", "text", "paragraph", "response", "review__session_id", "review__session__cycle_id"))
    for pk, text, paragraph, response, session, cycle in recs:
        assessments = latest.get(pk, [])
        newest = assessments[0] if assessments else None
        rows.append({
            "id": pk,
            "recommendation": f"{text} (session {session}, cycle {cycle}"
                              + (f", para. {paragraph}" if paragraph else "") + ")",
            "recommending_states": ", ".join(states.get(pk, [])),
            "position": response,
            "assessment": "\n".join(
                f"{a.get_status_display()}{_draft(a)} ({a.organisation.name}, {day(a.assessed_on)})"
                + (f": {a.rationale}" if a.rationale else "") for a in assessments
            ),
            "evidence": "\n".join(
                f"{e.citation}" + (f", {day(e.date)}" if e.date else "") + (f" — {e.url}" if e.url else "")
                for a in assessments for e in a.evidence.all()
            ),
            "follow_up": suggested_follow_up(text, response, newest.status if newest else None),
        })
    return rows


def _values(row: dict) -> list[str]:
    return [xml_safe(row[key]) for key in ("recommendation", "recommending_states", "position", "assessment",
                                           "evidence", "follow_up")]


def iter_matrix_xlsx(selection: Selection) -> Iterator[bytes]:
    """The matrix as XLSX, in chunks: the first bytes go out before the rows are built."""
    from uprwatch.spreadsheet import Sheet, stream_xlsx

    rows = itertools.chain([list(COLUMNS)], (_values(row) for row in _lazy(matrix_rows, selection)))
    about = [["Subject", xml_safe(selection.title)], ["Recommendations", len(selection.ids)],
             ["Sources", "UPR Info database; United Nations documents; uprwatch assessments"],
             ["Note", "The follow-up column is a draft for the coalition to edit."]]
    yield from stream_xlsx([
        Sheet("Matrix", rows, widths=[70, 30, 14, 40, 40, 60], bold_header=True, wrap=True, freeze_header=True),
        Sheet("About", about),
    ])


def _lazy(function, *args) -> Iterator:
    yield from function(*args)


def matrix_xlsx(selection: Selection) -> bytes:
    return b"".join(iter_matrix_xlsx(selection))


def matrix_docx(selection: Selection) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    # One small font for the whole document: setting it run by run costs seconds on a long table.
    document.styles["Normal"].font.size = Pt(8)
    section = document.sections[0]
    # Landscape: six columns of prose do not fit a portrait page.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(xml_safe(f"UPR submission matrix: {selection.title}"), level=1)
    document.add_paragraph(
        f"{len(selection.ids)} recommendations. Sources: UPR Info database, United Nations documents, "
        "uprwatch assessments. The last column is a draft for the coalition to edit."
    )
    rows = matrix_rows(selection)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    append_rows(table, [_values(row) for row in rows])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_BREAKS = re.compile(r"([\r\n\t])")  # python-docx turns each of \r and \n into a break


def _cell_xml(value: str, width: int | None) -> str:
    """One ``<w:tc>`` as python-docx's ``cell.text = value`` writes it (a run; newlines as breaks)."""
    parts = []
    for token in _BREAKS.split(value):
        if token == "\t":
            parts.append("<w:tab/>")
        elif token in ("\r", "\n"):
            parts.append("<w:br/>")
        elif token:
            parts.append(f'<w:t xml:space="preserve">{escape(token)}</w:t>')
    properties = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>' if width is not None else ""
    return f'<w:tc>{properties}<w:p><w:r>{"".join(parts)}</w:r></w:p></w:tc>'


def append_rows(table, rows: list[list[str]]) -> None:
    """Append rows of text to a python-docx table in one XML parse.

    ``table.add_row()`` and ``cell.text`` build each of the thousands of cells element by element (about
    half a second per hundred rows); the same XML written as one string is parsed ten times faster.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Emu

    # Each cell gets its column's width, as add_row() does (twips, the unit of w:tcW).
    widths = [Emu(column.w).twips if column.w is not None else None for column in table._tbl.tblGrid.gridCol_lst]
    body = "".join("<w:tr>" + "".join(_cell_xml(value, width) for value, width in zip(row, widths, strict=True))
                   + "</w:tr>" for row in rows)
    for tr in list(parse_xml(f"<w:tbl {nsdecls('w')}>{body}</w:tbl>")):
        table._tbl.append(tr)


FORMATS = {"docx": matrix_docx, "xlsx": matrix_xlsx}
# The web and the API stream these instead of building the whole file first.
STREAMS = {"xlsx": iter_matrix_xlsx}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX_CONTENT_TYPE,
}
