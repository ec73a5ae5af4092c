"""Page 1 of a UN document: its symbol, its title, the State under Review, the session and its dates."""

from __future__ import annotations

import datetime as dt
import re

from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing.parsed import DocumentIdentity
from uprwatch.documents.parsing.states import lookup_misspelt_state, lookup_state
from uprwatch.records.states import UnknownStateError

SYMBOL = re.compile(r"A/HRC/(?!WG)\d+/\d+(?:/Add\.\s?\d+)?(?:/Corr\.\s?\d+)?")

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENTHS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70}
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


def ordinal_number(word: str) -> int | None:
    """'forty-eighth' -> 48, 'seventeenth' -> 17, '12th' -> 12."""
    word = word.strip().lower().replace("\u2011", "-").replace("–", "-")
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", word):
        return int(m.group(1))
    if word in ORDINALS:
        return ORDINALS[word]
    if word in _TENTHS:
        return _TENTHS[word]
    parts = re.split(r"[-\s]+", word)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in ORDINALS and ORDINALS[parts[1]] < 10:
        return _TENS[parts[0]] + ORDINALS[parts[1]]
    return None


_HELD = re.compile(
    r"held\s+its\s+([a-z]+(?:[-\s][a-z]+)?|\d{1,2}(?:st|nd|rd|th))\s+session,?\s+(?:from|on)\s+"
    r"(\d{1,2})(?:\s+([A-Z][a-z]+))?(?:\s+(\d{4}))?(?:\s+\d{1,2}(?=\s+to\b))?\s*(?:to|-|–|and)\s*(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})",
)


def session_and_dates(text: str) -> tuple[int | None, dict]:
    """From "held its seventeenth session from 21 October to 1 November 2013"."""
    match = _HELD.search(re.sub(r"\s+", " ", text))
    if not match:
        return None, {}
    number = ordinal_number(match.group(1))
    day1, month1, year1, day2, month2, year2 = match.groups()[1:]
    try:
        end = dt.date(int(year2), MONTHS[month2.lower()], int(day2))
        start = dt.date(int(year1 or year2), MONTHS[(month1 or month2).lower()], int(day1))
    except (KeyError, ValueError):
        return number, {}
    if start > end:  # "from 30 December to 5 January 2010"
        start = start.replace(year=start.year - 1)
    return number, {"start": start.isoformat(), "end": end.isoformat()}


def resolve_state_under_review(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" *:.")
    candidates = [name, re.sub(r"\s*\(.*\)\s*$", "", name), re.sub(r"^the\s+", "", name, flags=re.I)]
    for candidate in candidates:
        if state := lookup_state(candidate):
            return state
    for candidate in candidates:  # "The review of Costa Rica Republic was held"
        if state := lookup_misspelt_state(candidate):
            return state
    raise DocumentError(f"the State under Review cannot be resolved: {UnknownStateError(name)}")


def title_state(page_one: str) -> str | None:
    """The line naming the State under Review just after the report title on page 1."""
    lines = [ln.strip(" *\t") for ln in page_one.split("\n")]
    for index, line in enumerate(lines):
        if "Working Group" in line and re.search(r"Periodic(?:\s+Review\W*)?$", line):
            rest = lines[index + 1:]
            if rest and re.fullmatch(r"Review\W*", rest[0]):
                rest = rest[1:]
            for candidate in rest:
                if candidate and not candidate.lower().startswith(("addendum", "united nations", "*")):
                    return candidate
    return None


# Document symbols beyond the Council's A/HRC/x/y: drafts, the three pre-session documents, decisions.
DRAFT_SYMBOL = re.compile(r"A\s*/\s*HRC\s*/\s*WG\.?\s*6\s*/\s*(\d{1,2})\s*/\s*L\.?\s*(\d{1,2})")
SESSION_DOCUMENT = re.compile(r"A/HRC/WG\.6/(\d{1,2})/([A-Z]{3})/([1-3])(?:/Corr\.\d)?")
DECISION_SYMBOL = re.compile(r"A/HRC/DEC/\d+/\d+")

# What a document's first pages call it (letters only, lower case, so split words and line breaks do
# not matter), in the order they are tried, with the kind each names.
_TITLES = (
    ("draftreportoftheworkinggroupontheuniversalperiodicreview", "draft_report"),
    ("viewsonconclusionsand", "responses_addendum"),
    ("reportoftheworkinggroupontheuniversalperiodicreview", "working_group_report"),
    ("nationalreportsubmitted", "national_report"),
    ("summaryofstakeholders", "stakeholder_summary"),
    ("summarypreparedbytheofficeoftheunitednationshighcommissionerforhumanrights", "stakeholder_summary"),
    ("compilation", "compilation"),
    ("decisionadoptedbythehumanrightscouncil", "council_decision"),
    ("reportofthehumanrightscouncilonits", "council_session_report"),
    ("advancequestions", "advance_questions"),
)
# Where the documents that hold no recommendations name their state.
_STATE_IN_TITLE = (
    re.compile(r"outcome of the universal periodic review:\s*(.{3,60}?)\s+The Human Rights Council", re.I),
    re.compile(r"(?:submissions|Compilation)\s+on\s+(.{3,60}?)\s*\*?\s+(?:Report|I\.|The)"),
    re.compile(r"resolution 16/21\s*\*?\s+(.{3,60}?)\s*\*"),
)
_SESSION_KINDS = {"1": "national_report", "2": "compilation", "3": "stakeholder_summary"}


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def identify_pages(pages: list[str]) -> DocumentIdentity:
    """What a PDF is, from the symbol and the title on its first pages (the report title may be missing
    from page 1: then its structure decides, "The review of X was held" and a conclusions section)."""
    head = re.sub(r"\s+", " ", "\n".join(pages[:2]))
    squeezed = letters(head)
    kind = "unknown"
    first_title = min(((squeezed.find(key), name) for key, name in _TITLES if key in squeezed), default=None)
    if first_title:
        kind = first_title[1]
        if kind == "working_group_report" and "draftreport" in squeezed[max(0, first_title[0] - 12):first_title[0]]:
            kind = "draft_report"
    symbol, session, state = "", None, ""
    # The document's own symbol is on page 1; others it cites (the national report, the draft it
    # replaces: "Previously issued under document symbol A/HRC/WG.6/7/L.14") may be there too, so the
    # symbol taken is the one of the kind the title names.
    for text in (re.sub(r"\s+", " ", pages[0]), head):
        draft = DRAFT_SYMBOL.search(text)
        session_document = SESSION_DOCUMENT.search(text.replace(" ", ""))
        decision = DECISION_SYMBOL.search(text)
        council = [re.sub(r"\s", "", s) for s in SYMBOL.findall(text)]
        if kind == "draft_report" and draft or kind == "unknown" and draft and not council:
            symbol, session, kind = f"A/HRC/WG.6/{draft.group(1)}/L.{draft.group(2)}", int(draft.group(1)), "draft_report"
        elif kind in ("national_report", "compilation", "stakeholder_summary", "unknown") and session_document and (
                not council):
            symbol, session, state = session_document.group(0), int(session_document.group(1)), session_document.group(2)
            kind = _SESSION_KINDS[session_document.group(3)] if kind == "unknown" else kind
        elif kind == "council_decision" and decision:
            symbol = decision.group(0)
        elif council:
            wanted = [s for s in council if ("/Add." in s) == (kind == "responses_addendum")] or council
            symbol = max(wanted, key=len) if kind == "responses_addendum" else wanted[0]
        if symbol:
            break
    if kind in ("national_report", "compilation", "stakeholder_summary") and symbol.startswith("A/HRC/") and (
            "/WG.6/" not in symbol):
        # a Council document (A/HRC/x/y) whose first pages mention the pre-session documents ("(b) A
        # compilation prepared by OHCHR"): a report that lost its title, not one of them
        kind = "unknown"
    if kind == "unknown" and symbol and "/WG.6/" not in symbol:
        full = letters("\n".join(pages[:40]))
        if "/Add." in symbol and "recommendation" in full and re.search(r"(?:support|accept)", full):
            kind = "responses_addendum"
        elif ("universalperiodicreview" in full and ("interactivedialogue" in full or "thereviewof" in full)
              and re.search(r"conclusionsand(?:or)?recommendations", full)):
            kind = "working_group_report"  # a report whose first page lost its title
    if kind == "working_group_report" and "/Add." in symbol:
        kind = "responses_addendum" if "viewsonconclusions" in squeezed else "unknown"
    if not state and kind in ("compilation", "stakeholder_summary", "council_decision", "national_report"):
        for pattern in _STATE_IN_TITLE:
            if (named := pattern.search(head)) and (code := lookup_state(named.group(1))):
                state = code
                break
    return DocumentIdentity(kind=kind, symbol=symbol, state_under_review=state, session=session,
                            title=_TITLE_NAMES.get(kind, ""))


_TITLE_NAMES = {
    "working_group_report": "Report of the Working Group on the Universal Periodic Review",
    "draft_report": "Draft report of the Working Group on the Universal Periodic Review",
    "responses_addendum": "Views on conclusions and/or recommendations",
    "national_report": "National report",
    "compilation": "Compilation of UN information",
    "stakeholder_summary": "Summary of stakeholders' submissions",
    "council_decision": "Decision of the Human Rights Council",
    "council_session_report": "Report of the Human Rights Council on its session",
    "advance_questions": "Advance questions",
}

_READ_INSTEAD = (
    "uprwatch reads recommendations from the Working Group report (A/HRC/<Council session>/<n>), its draft "
    "(A/HRC/WG.6/<session>/L.<n>), the state's responses (the report's /Add.1) and OHCHR's thematic list of "
    "recommendations (DOCX or DOC)"
)


def refusal(identity: DocumentIdentity) -> str:
    """Why a document gives no recommendations and what to read instead, for a person to act on."""
    what = {
        "national_report": "the national report the State under Review submits before its review",
        "compilation": "OHCHR's compilation of UN information prepared before the review",
        "stakeholder_summary": "OHCHR's summary of stakeholders' submissions prepared before the review",
        "council_decision": "the Human Rights Council's decision adopting the review's outcome",
        "council_session_report": "the Human Rights Council's report on a whole session",
        "advance_questions": "the advance questions states sent before the review",
    }.get(identity.kind)
    named = " ".join(part for part in (identity.symbol, f"({identity.state_under_review})"
                                       if identity.state_under_review else "") if part)
    if what:
        where = ""
        if identity.session:
            where = (f"; for Working Group session {identity.session} the draft report is "
                     f"A/HRC/WG.6/{identity.session}/L.<n>")
        return (f"{named + ': ' if named else ''}this is {what}; it holds no recommendations to parse. "
                f"{_READ_INSTEAD}{where}. The file can still be kept with its review.")
    return ("not a UPR document uprwatch can read: no 'Report of the Working Group on the Universal Periodic "
            "Review' title, 'Views on conclusions and/or recommendations' addendum or draft report symbol on its "
            f"first pages{' (' + named + ')' if named else ''}. {_READ_INSTEAD}.")


def state_as_given(named: str | None, given: str | None) -> tuple[str, str]:
    """The State under Review from the document's own words and ``--state``: the document's when it names
    one (``--state`` must then agree), else the given one. Returns (ISO3, how it was found)."""
    from_document = resolve_state_under_review(named) if named else None
    from_option = resolve_state_under_review(given) if given else None
    if from_document and from_option and from_document != from_option:
        raise DocumentError(f"the document names its State under Review as {named} ({from_document}), "
                            f"not {given} ({from_option}) as --state says")
    if from_document:
        return from_document, ""
    if from_option:
        return from_option, "given with --state"
    raise DocumentError("the document does not name its State under Review: give it with --state")
