"""OHCHR thematic lists of recommendations ("UPR matrices", DOCX)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError, open_docx
from uprwatch.documents.parsing.front import resolve_state_under_review
from uprwatch.documents.parsing.parsed import ParsedDocument, ParsedRecommendation
from uprwatch.documents.parsing.splitter import split_recommendations, unresolved_state
from uprwatch.records.states import UnknownStateError

_LIST_HEADER = re.compile(r"UPR of (.+?)\s*\((\d)\w*\s+Cycle\s*[-–]\s*(\d{1,2})\w*\s+session\)", re.I)
_LIST_PARAGRAPH = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?\s+", re.S)
_SOURCE = re.compile(r"\n?\s*Source of position\s*:\s*(.*)$", re.I | re.S)


@dataclass
class ListTables:
    """What a thematic list says, whatever file it came in: the page header, the paragraphs outside the
    tables and each table as rows of cell texts. The DOCX reader fills it; tests load it from JSON."""

    header: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> ListTables:
        return cls(header=data.get("header", ""), paragraphs=list(data.get("paragraphs", [])),
                   tables=[[list(row) for row in table] for table in data.get("tables", [])])

    def to_json(self) -> dict:
        return {"header": self.header, "paragraphs": self.paragraphs, "tables": self.tables}


def read_docx_tables(path: Path | str) -> ListTables:
    document = open_docx(path)
    return ListTables(
        header=" ".join(p.text for s in document.sections for p in s.header.paragraphs),
        paragraphs=[p.text for p in document.paragraphs if p.text.strip()],
        tables=[[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables],
    )


def parse_thematic_list(path: Path | str) -> ParsedDocument:
    return parse_list_tables(read_docx_tables(path))


def parse_list_tables(document: ListTables) -> ParsedDocument:
    match = _LIST_HEADER.search(document.header)
    tables = [t for t in document.tables if t and t[0] and "recommendation" in t[0][0].lower()]
    if not match or not tables:
        raise DocumentError(
            "not an OHCHR thematic list of recommendations (no 'UPR of <State> (<n> Cycle – <n> session)' "
            "header or no recommendations table)"
        )
    sur = resolve_state_under_review(match.group(1))
    session = int(match.group(3))
    recommendations: list[ParsedRecommendation] = []
    seen: set[str] = set()
    for table in tables:
        header_cells = [c.lower() for c in table[0]]
        for cells in table[1:]:
            if len(cells) < 3 or not (para := _LIST_PARAGRAPH.match(cells[0])):
                continue
            paragraph = para.group(1)
            body = cells[0][para.end():]
            source = ""
            if found := _SOURCE.search(body):
                source = re.sub(r"\s+", " ", found.group(1)).strip()
                body = body[: found.start()]
            parts = split_recommendations(body)
            if not any(c for _, c in parts) and (unknown := unresolved_state(body.strip())):
                raise DocumentError(f"paragraph {paragraph}: recommending state cannot be resolved: "
                                    f"{UnknownStateError(unknown)}")
            labels = _list_labels(cells[2], cells[3] if len(cells) > 3 and "sdg" in header_cells[3] else "")
            position = cells[1].strip().lower()
            response = "supported" if position.startswith("support") else "noted" if position.startswith("note") else (
                "partially supported" if "partial" in position else None)
            if paragraph in seen:
                continue  # the same recommendation listed again under another theme
            seen.add(paragraph)
            # One row may hold several recommendations of one paragraph, each with its own states.
            for text, segment_codes in parts or [(body.strip(), [])]:
                recommendations.append(ParsedRecommendation(
                    paragraph=paragraph, text=repair.clean_text(text), recommending_states=segment_codes,
                    response=response, source_of_position=source, **labels,
                ))
    if not recommendations:
        raise DocumentError("the thematic list has no recommendations")
    return ParsedDocument(
        symbol=f"OHCHR thematic list {sur} WG{session}", kind="thematic_list", state_under_review=sur,
        session=session, dates={}, recommendations=recommendations, title="Thematic list of recommendations",
    )


def _list_labels(themes_cell: str, sdg_cell: str) -> dict[str, list[str]]:
    """Themes, affected persons and SDGs from the list's cells (all three layouts since 2013)."""
    themes: list[str] = []
    persons: list[str] = []
    sdgs: list[str] = []
    target = themes
    for raw in (themes_cell + "\n" + sdg_cell).split("\n"):
        line = raw.strip().lstrip("-•").strip()
        low = line.lower()
        if not line:
            continue
        if low.startswith(("affected persons", "groups of persons", "persons")):
            target = persons
            continue
        if low.startswith("sdgs") or low.startswith("relevant sdg"):
            target = sdgs
            continue
        if sdg := re.match(r"S(\d{1,2})\s+SDG\s+\d{1,2}\s*-\s*(.*)", line):
            sdgs.append(f"SDG {int(sdg.group(1))}")
            continue
        if target is sdgs or re.match(r"\d{1,2}\s*-\s*[A-Z ,&]+$", line):
            if m := re.match(r"(\d{1,2})\s*-", line):
                sdgs.append(f"SDG {int(m.group(1))}")
            continue
        target.append(line)
    return {
        "themes": list(dict.fromkeys(themes)),
        "affected_persons": list(dict.fromkeys(persons)),
        "sdgs": list(dict.fromkeys(sdgs)),
    }
