"""OHCHR thematic lists of recommendations ("UPR matrices", DOCX)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError, file_format, open_docx
from uprwatch.documents.parsing.front import letters, resolve_state_under_review, state_as_given
from uprwatch.documents.parsing.parsed import ParsedDocument, ParsedRecommendation
from uprwatch.documents.parsing.splitter import split_recommendations, unresolved_state
from uprwatch.documents.parsing.states import lookup_state, split_state_names, states_named
from uprwatch.documents.wordbinary import read_doc
from uprwatch.records.cycles import session_years
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


def read_doc_tables(path: Path | str) -> ListTables:
    """The same from a Word 97-2003 .doc (OHCHR's lists of 2014-2016 are often in this format)."""
    word = read_doc(path)
    return ListTables(header=word.header, paragraphs=word.paragraphs, tables=word.tables)


def parse_thematic_list(path: Path | str, state: str | None = None,
                        session_states: Callable[[int], list[str]] | None = None) -> ParsedDocument:
    reader = read_doc_tables if file_format(path) == "doc" else read_docx_tables
    return parse_list_tables(reader(path), state=state, session_states=session_states)


# What each column holds, by the words of its header (all layouts since 2013: "Recommendation |
# Recommending State/s | Position | Full list of rights/affected persons" in 2014-2016; "Recommendation |
# Position | Full list of themes | Assessment" in 2017-2022; "Recommendation and recommending State |
# Position of the State under review | Human rights themes and groups of persons | Relevant SDGs" since).
_COLUMNS = (
    ("states", re.compile(r"recommending\s+state", re.I)),
    ("recommendation", re.compile(r"recommendation", re.I)),
    ("position", re.compile(r"position", re.I)),
    ("sdgs", re.compile(r"\bsdg", re.I)),
    ("themes", re.compile(r"theme|right|affected|persons|issue", re.I)),
    ("assessment", re.compile(r"assessment|comment|implementation", re.I)),
)
# A row that heads a group of rows: "Theme: A12 Acceptance of international norms", "Right or area: 2.1. ..."
_GROUP_HEADING = re.compile(r"^\s*(?:Theme|Right or area|Right|Area|Issue)\s*:\s*(.+)$", re.I | re.S)
# A title paragraph or header naming the state without the "UPR of <State> (<n> Cycle ...)" form.
_TITLE_STATE = re.compile(r"(?:UPR\s+of|Recommendations\s+(?:to|received\s+by|for)|Thematic\s+list\s+of\s+"
                          r"recommendations\s*(?:[-–:]|for|on|to))\s+(?:the\s+)?([A-Z][\w'’ .-]{2,60}?)\s*(?:[(\n–-]|$)")
_COUNCIL_SYMBOL = re.compile(r"A/HRC/(\d{1,2})/(\d{1,3})")


def _column_roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {"recommendation": 0}  # "Recommendation and recommending State" since 2023
    for index, cell in enumerate(header[1:], start=1):
        for role, pattern in _COLUMNS:
            if pattern.search(cell) and role not in roles:
                roles[role] = index
                break
    if "position" not in roles and len(header) > 1:
        roles["position"] = 1
    return roles


def _position(cell: str) -> str | None:
    position = re.sub(r"\s+", " ", cell).strip().lower()
    if "partial" in position:
        return "partially supported"
    if position.startswith(("support", "accept")):
        return "supported"
    if position.startswith(("note", "not support", "reject")):
        return "noted"
    return None


def parse_list_tables(document: ListTables, state: str | None = None,
                      session_states: Callable[[int], list[str]] | None = None) -> ParsedDocument:
    """An OHCHR thematic list of any period, with or without its "UPR of <State>" header or title.

    When the list does not name its State under Review, ``state`` (``--state``) names it; failing that
    the state is read from the "Source of position" symbols (A/HRC/<Council session>/<n>/Add.1) and the
    calendar: ``session_states(n)`` gives the states reviewed in Working Group session n (the caller
    passes the calendar's; the parser sits below it), and the one of them the recommendations name, not
    being a recommending state, is taken. ``ParsedDocument.state_source`` says which way was used.
    """
    tables = [t for t in document.tables if t and t[0] and "recommendation" in t[0][0].lower()]
    if not tables:
        raise DocumentError(_not_a_list(document))
    recommendations: list[ParsedRecommendation] = []
    seen: set[str] = set()
    for table in tables:
        roles = _column_roles(table[0])
        group = ""
        for cells in table[1:]:
            cells = cells + [""] * (len(table[0]) - len(cells))
            first = cells[roles["recommendation"]]
            if heading := _GROUP_HEADING.match(first):
                group = re.sub(r"\s+", " ", heading.group(1)).strip()
                continue
            if not (para := _LIST_PARAGRAPH.match(first)):
                continue
            paragraph = para.group(1)
            body = first[para.end():]
            source = ""
            position_cell = cells[roles["position"]] if roles["position"] < len(cells) else ""
            for holder in ("body", "position"):
                text = body if holder == "body" else position_cell
                if found := _SOURCE.search(text):
                    source = source or re.sub(r"\s+", " ", found.group(1)).strip()
                    if holder == "body":
                        body = body[: found.start()]
                    else:
                        position_cell = position_cell[: found.start()]
            parts = split_recommendations(body)
            if "states" in roles:
                # 2014-2016: the recommending states in a column of their own ("Chile; Argentina")
                column = re.sub(r"\s+", " ", cells[roles["states"]]).strip()
                codes = split_state_names(re.sub(r"\s*(?:;|\n)\s*", ", ", column)) if column else None
                if column and not codes:
                    raise DocumentError(f"paragraph {paragraph}: recommending state cannot be resolved: "
                                        f"{UnknownStateError(column)}")
                text = " ".join(piece for piece, _ in parts) if parts and any(c for _, c in parts) else body
                parts = [(text.strip(" \n;."), codes or [])]
            elif not any(c for _, c in parts) and (unknown := unresolved_state(body.strip())):
                raise DocumentError(f"paragraph {paragraph}: recommending state cannot be resolved: "
                                    f"{UnknownStateError(unknown)}")
            labels = _list_labels(cells[roles["themes"]] if "themes" in roles else "",
                                  cells[roles["sdgs"]] if "sdgs" in roles else "")
            if not labels["themes"] and group:
                labels["themes"] = [group]
            if paragraph in seen:
                continue  # the same recommendation listed again under another theme
            seen.add(paragraph)
            # One row may hold several recommendations of one paragraph, each with its own states.
            for text, segment_codes in parts or [(body.strip(), [])]:
                recommendations.append(ParsedRecommendation(
                    paragraph=paragraph, text=repair.clean_text(text), recommending_states=segment_codes,
                    response=_position(position_cell), source_of_position=source, **labels,
                ))
    if not recommendations:
        raise DocumentError("the thematic list has no recommendations (no row starts with a paragraph number "
                            "such as '140.7')")
    sur, session, state_source = _list_state(document, recommendations, state, session_states)
    return ParsedDocument(
        symbol=f"OHCHR thematic list {sur} WG{session}" if session else f"OHCHR thematic list {sur}",
        kind="thematic_list", state_under_review=sur, session=session, dates={},
        recommendations=recommendations, title="Thematic list of recommendations", state_source=state_source,
    )


def _not_a_list(document: ListTables) -> str:
    text = letters(" ".join([document.header, *document.paragraphs[:20]]))
    if "advancequestions" in text or "questionsto" in text:
        what = "the advance questions states sent before the review"
    elif "nationalreport" in text:
        what = "a national report"
    else:
        what = ""
    lead = f"this is {what}, not" if what else "not"
    return (f"{lead} an OHCHR thematic list of recommendations: no table whose first column is headed "
            "'Recommendation'. uprwatch reads OHCHR's thematic lists (DOCX or DOC), Working Group reports, their "
            "drafts and addenda (PDF)")


def _list_state(document: ListTables, recommendations: list[ParsedRecommendation], state: str | None,
                session_states: Callable[[int], list[str]] | None) -> tuple[str, int | None, str]:
    """The State under Review, the Working Group session and how the state was found."""
    session = None
    if match := _LIST_HEADER.search(document.header) or next(
            (m for p in document.paragraphs[:10] if (m := _LIST_HEADER.search(p))), None):
        session = int(match.group(3))
        sur, how = state_as_given(match.group(1), state)
        return sur, session, how
    symbols = [m for r in recommendations if (m := _COUNCIL_SYMBOL.search(r.source_of_position))]
    council = Counter(int(m.group(1)) for m in symbols).most_common(1)
    if session is None and council:
        session = working_group_session(council[0][0])
    if state:
        return resolve_state_under_review(state), session, "given with --state"
    for text in (document.header, *document.paragraphs[:10]):
        if (named := _TITLE_STATE.search(text)) and (code := lookup_state(named.group(1).strip(" .-–"))):
            return code, session, "named in the list's title"
    symbol = symbols[0].group(0) if symbols else ""
    if not symbols or session is None:
        raise DocumentError("the thematic list does not name its State under Review (no 'UPR of <State>' header "
                            "or title, no 'Source of position' symbol): give it with --state")
    candidates = session_states(session) if session_states else []
    recommending = {code for r in recommendations for code in r.recommending_states}
    named = Counter(code for r in recommendations for code in states_named(r.text) if code in candidates)
    choices = [code for code, _ in named.most_common() if code not in recommending]
    where = (f"the Source of position {symbol}/Add.1 points to Human Rights Council session {council[0][0]}, "
             f"that is Working Group session {session}")
    if len(choices) == 1 or (len(choices) > 1 and named[choices[0]] >= 3 * named[choices[1]]):
        return choices[0], session, (f"{where}; of the states the calendar has in that session, the "
                                     f"recommendations name {choices[0]} (the only one that is not a recommending "
                                     "state)" if len(choices) == 1 else f"{where}; of the states the calendar has in "
                                     f"that session, the recommendations name {choices[0]} most")
    if not candidates:
        raise DocumentError(f"the thematic list does not name its State under Review: {where}, and no calendar "
                            "was given to narrow it down: give the state with --state")
    raise DocumentError(f"the thematic list does not name its State under Review: {where}, which reviewed "
                        f"{', '.join(sorted(candidates))}; the recommendations do not tell which: give it with --state")


def working_group_session(council_session: int) -> int | None:
    """The Working Group session whose reports a Human Rights Council session adopts.

    The Council meets in March, June and September (session h in year 2006 + (h - 1) // 3); it adopts
    the reports of the Working Group session held about four months before: October-November of the
    year before for March, January-February for June, April-May for September (A/HRC/25/5: session 17,
    A/HRC/43/15: 34, A/HRC/59/15: 48). The Working Group's sessions by year come from the records.
    """
    year = 2006 + (council_session - 1) // 3
    slot = (council_session - 1) % 3
    by_year: dict[int, list[int]] = {}
    for wg, wg_year in session_years().items():
        by_year.setdefault(wg_year, []).append(wg)
    sessions = sorted(by_year.get(year - 1 if slot == 0 else year, []))
    wanted = -1 if slot == 0 else slot - 1
    try:
        return sessions[wanted]
    except IndexError:
        return None


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
