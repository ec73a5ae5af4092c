"""Page 1 of a UN document: its symbol, its title, the State under Review, the session and its dates."""

from __future__ import annotations

import datetime as dt
import re

from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing.states import lookup_state
from uprwatch.records.states import UnknownStateError

SYMBOL = re.compile(r"A/HRC/(?!WG)\d+/\d+(?:/Add\.\s?\d+)?(?:/Corr\.\s?\d+)?")
REPORT_TITLE = re.compile(r"Report\s+of\s+the\s+Working\s+Group\s+on\s+the\s+Universal\s+Periodic\s+Review", re.I)
VIEWS = re.compile(r"Views\s+on\s+conclusions\s+and/or\s+recommendations", re.I)

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
    r"(\d{1,2})(?:\s+([A-Z][a-z]+))?(?:\s+(\d{4}))?\s*(?:to|-|–|and)\s*(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})",
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
