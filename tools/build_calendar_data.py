"""Convert the calendar sources in ../shared into the files the app ships in ``data/calendar/``.

Run from the project root: ``.venv/bin/python tools/build_calendar_data.py [--shared ../shared]``.

Outputs (all UTF-8 CSV, state names resolved to ISO3 with our own states table):

- ``states-by-session-1-20.csv``: session, iso3, source_name — who was reviewed in sessions 1-20.
- ``review-years.csv``: iso3, review1, review2 — year of each state's cycle-1 and cycle-2 review.
- ``sessions-52-54.csv``: session, iso3, source_name — the published lists of sessions 52-54.
- ``wg-session-dates.csv``: session, start, end, evidence, source — the evidence table(s)
  ``wg-session-dates-*.csv`` (first and last day of sessions, e.g. 21-50, with the kind of evidence and the
  source address of each), checked (real dates, end not before start) and sorted.
- ``session-date-claims.csv``: session, start, end, evidence, source — every other dated claim: the UN
  documents in ../shared (Working Group reports, national reports: ``document``), the 2025-26 events sheet
  (``planning sheet``), China's fourth review (A/HRC/56/6) and known dissenting claims (``KNOWN_CLAIMS``).
  ``uprwatch.calendar.evidence`` keeps the strongest claim per session and reports the others.
- ``session-events.csv``: session, event, date, source — dated deadlines of sessions 52-54.
- ``document-reviews.csv``: session, iso3, source — reviews a UN document's symbol attests.
- ``review-days.csv``: session, iso3, date, source — the day of a state's review, from its WG report.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import re
from pathlib import Path

import openpyxl
import pypdf

from uprwatch.calendar.evidence import COLUMNS, EvidenceError, fits_pattern, read_claims
from uprwatch.records.states import resolve_state

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "uprwatch" / "data" / "calendar"

ORDINALS = {
    word: number
    for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=1,
    )
}
for tens_word, tens in (("twenty", 20), ("thirty", 30), ("forty", 40), ("fifty", 50)):
    ORDINALS[tens_word.replace("y", "ieth")] = tens  # twentieth, thirtieth, fortieth, fiftieth
    for word, unit in list(ORDINALS.items())[:9]:
        ORDINALS[f"{tens_word}-{word}"] = tens + unit

MONTHS = "January February March April May June July August September October November December".split()
_MONTH = "(" + "|".join(MONTHS) + ")"

# "held its nineteenth session from 28 April to 9 May 2014" / "... from 1 to 15 December 2008"
HELD_RE = re.compile(
    r"held its (?P<ordinal>[a-z\-]+) session,? from (?P<d1>\d{1,2})(?: " + _MONTH + r")?(?: (?P<y1>\d{4}))? "
    r"to (?P<d2>\d{1,2}) " + _MONTH + r" (?P<y2>\d{4})"
)
# Cover pages: "Working Group on the Universal Periodic Review Seventh session Geneva, 8-19 February 2010"
COVER_RE = re.compile(
    r"Working Group on the Universal Periodic Review (?P<ordinal>[A-Za-z\-]+) session (?:Geneva, )?"
    r"(?P<d1>\d{1,2})(?: " + _MONTH + r")?(?: (?P<y1>\d{4}))?\s*[-\u2013]\s*(?P<d2>\d{1,2}) " + _MONTH
    + r" (?P<y2>\d{4})"
)
# "The review of the United States of America was held at the 9th meeting, on 5 November 2010."
REVIEW_DAY_RE = re.compile(
    r"The review of (?:the )?(?P<state>[A-Z][\w ,'\-]+?) was held at the \d+\w* meeting,? on (?P<day>\d{1,2}) "
    + _MONTH + r" (?P<year>\d{4})"
)
# Claims known from the sources' own notes rather than from a file: ../shared/data/README.md says session
# 40's last day is disputed (4 Feb 2022 in the session documents' headers, 3 Feb in a press release).
KNOWN_CLAIMS = [
    (40, dt.date(2022, 1, 24), dt.date(2022, 2, 3), "secondary (press release)",
     "a press release cited by ../shared/data/README.md (data/calendar: session 40's last day is disputed)"),
]
SYMBOL_RE = re.compile(r"A/HRC/(?:WG\.6/\d+/(?:[A-Z]{3}/\d|L\.\d+)|\d+/\d+)(?!\d)")


def _date(day: str, month: str, year: str) -> dt.date:
    return dt.date(int(year), MONTHS.index(month) + 1, int(day))


def session_dates_from_text(text: str) -> tuple[int, dt.date, dt.date] | None:
    """Find the Working Group session a UN document names, with its first and last day."""
    flat = re.sub(r"\s+", " ", text)
    for regex in (HELD_RE, COVER_RE):
        match = regex.search(flat)
        if not match:
            continue
        number = ORDINALS.get(match.group("ordinal").lower())
        if number is None:
            continue
        groups = match.groups()
        month1, month2 = groups[2], groups[5]
        year2 = match.group("y2")
        end = _date(match.group("d2"), month2, year2)
        start = _date(match.group("d1"), month1 or month2, match.group("y1") or year2)
        return number, start, end
    return None


def document_session_dates(
    shared: Path, reviews: list[tuple[int, str, str]], review_days: list[tuple[int, str, str, str]]
) -> list[tuple[int, dt.date, dt.date, str, str]]:
    """Session dates stated by the PDFs, one claim per session and distinct dates (documents that disagree
    are all kept: the calendar's check reports them); appends (session, iso3, source) to ``reviews`` when the
    document's symbol names the State under Review (A/HRC/WG.6/48/SVN/1), and (session, iso3, day, source)
    to ``review_days`` when a Working Group report says on which day the state was reviewed."""
    found: dict[tuple[int, dt.date, dt.date], tuple[int, dt.date, dt.date, str, str]] = {}
    pdfs = sorted((shared / "data" / "un-documents").rglob("*.pdf"))
    for path in pdfs:
        try:
            reader = pypdf.PdfReader(path)
            text = " ".join(reader.pages[i].extract_text() or "" for i in range(min(3, len(reader.pages))))
        except Exception as exc:  # a broken PDF must not stop the others
            print(f"skipped {path.name}: {exc}")
            continue
        result = session_dates_from_text(text)
        if result is None:
            continue
        number, start, end = result
        symbol = SYMBOL_RE.search(re.sub(r"\s+", " ", text))
        source = f"UN document {symbol.group(0) if symbol else path.name} ({path.relative_to(shared)})"
        day = REVIEW_DAY_RE.search(re.sub(r"\s+", " ", text))
        if day:
            try:
                iso3 = resolve_state(day.group("state")).iso3
            except LookupError as exc:
                print(f"review day in {path.name} not used: {exc}")
            else:
                review_days.append((number, iso3, _date(day.group("day"), day.group(3), day.group("year")).isoformat(),
                                    source))
        state_code = re.search(r"WG\.6/(\d+)/([A-Z]{3})/", symbol.group(0)) if symbol else None
        if state_code and int(state_code.group(1)) == number:
            reviews.append((number, resolve_state(state_code.group(2)).iso3, source))
        found.setdefault((number, start, end), (number, start, end, "document", source))
    return list(found.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    calendar = args.shared / "data" / "calendar"

    with open(calendar / "states-by-session-1-20.csv", encoding="utf-8", newline="") as handle:
        rows = [(int(r["Session"]), resolve_state(r["To"]).iso3, r["To"]) for r in csv.DictReader(handle)]
    _write(OUT / "states-by-session-1-20.csv", ["session", "iso3", "source_name"], sorted(rows))

    with open(calendar / "review-years-cycles-1-2.csv", encoding="utf-8", newline="") as handle:
        years = [
            (resolve_state(r["country"]).iso3, _year(r["review1"]), _year(r["review2"]))
            for r in csv.DictReader(handle)
        ]
    _write(OUT / "review-years.csv", ["iso3", "review1", "review2"], sorted(years))

    book = openpyxl.load_workbook(calendar / "sessions-52-54-and-2025-26-events.xlsx", read_only=True)
    lists = []
    for session_label, names in list(book["sessions_info"].iter_rows(values_only=True))[1:]:
        session = int(re.match(r"\d+", session_label).group(0))
        for name in re.sub(r"<br>", " ", names).split(","):
            name = re.sub(r"\s+", " ", name.replace("*", "")).strip()
            lists.append((session, resolve_state(name).iso3, name))
    _write(OUT / "sessions-52-54.csv", ["session", "iso3", "source_name"], sorted(lists))

    xlsx_source = "sessions-52-54-and-2025-26-events.xlsx, sheet All"
    events = []
    wg_dates: dict[int, dict[str, dt.date]] = {}
    for event, country, session_label, when, _description, _input in list(book["All"].iter_rows(values_only=True))[1:]:
        if country != "All" or not isinstance(when, dt.datetime):
            continue  # national workshops of one state are not part of the UPR calendar
        session = int(re.match(r"\d+", session_label).group(0))
        kind = _event_kind(event)
        if kind is None:
            continue
        events.append((session, kind, when.date().isoformat(), xlsx_source))
        wg_dates.setdefault(session, {})[kind] = when.date()
    _write(OUT / "session-events.csv", ["session", "event", "date", "source"], sorted(events))

    reviews: list[tuple[int, str, str]] = []
    review_days: list[tuple[int, str, str, str]] = []
    claims = document_session_dates(args.shared, reviews, review_days)
    first_days = {}
    for row in sorted(review_days):  # the same report can sit in two folders: keep one per review
        first_days.setdefault(row[:2], row)
    _write(OUT / "review-days.csv", ["session", "iso3", "date", "source"], sorted(first_days.values()))
    reviews.append((45, "CHN", "Working Group report A/HRC/56/6 (China)"))
    seen: set[tuple[int, str]] = set()
    unique = [r for r in sorted(reviews) if r[:2] not in seen and not seen.add(r[:2])]
    _write(OUT / "document-reviews.csv", ["session", "iso3", "source"], unique)
    # Known and documented: China's fourth review, WG 45, 22 January-2 February 2024 (A/HRC/56/6).
    claims.append((45, dt.date(2024, 1, 22), dt.date(2024, 2, 2), "document", "Working Group report A/HRC/56/6 (China)"))
    for session, kinds in sorted(wg_dates.items()):
        if "working_group" not in kinds:
            continue
        # The sheet dates the session's opening and the adoption of its reports on the last day.
        end = kinds.get("working_group_adoption", kinds["working_group"] + dt.timedelta(days=11))
        claims.append((session, kinds["working_group"], end, "planning sheet", xlsx_source))
    claims += KNOWN_CLAIMS
    claims.sort(key=lambda c: c[0])  # stable: within a session, documents stay ahead of the sheet
    _write(OUT / "session-date-claims.csv", list(COLUMNS),
           [(n, s.isoformat(), e.isoformat(), evidence, src) for n, s, e, evidence, src in claims])
    table = evidence_table(calendar)
    _write(OUT / "wg-session-dates.csv", list(COLUMNS),
           [(c.session, c.start.isoformat(), c.end.isoformat(), c.evidence, c.source) for c in table])
    for claim in table:
        if not fits_pattern(claim.start, claim.end):
            print(f"note: session {claim.session} ({claim.start} to {claim.end}) does not run Monday to Friday "
                  "of the following week")
    print(f"wrote {len(rows)} reviews 1-20, {len(years)} review years, {len(lists)} listed for 52-54, "
          f"{len(events)} events, {len(claims)} dated claims and {len(table)} rows of the evidence table to {OUT}")


def evidence_table(calendar: Path) -> list:
    """Every ``wg-session-dates-*.csv`` in the shared calendar folder, one row per session, sorted.

    A session given twice with different dates is an error in the table (the calendar could not say which
    row the evidence column belongs to): stop and name both.
    """
    by_session = {}
    for path in sorted(calendar.glob("wg-session-dates-*.csv")):
        try:
            claims = read_claims(path)
        except EvidenceError as exc:
            raise SystemExit(f"evidence table: {exc}") from exc
        for claim in claims:
            other = by_session.get(claim.session)
            if other is not None and (other.start, other.end) != (claim.start, claim.end):
                raise SystemExit(f"evidence table: session {claim.session} given twice with different dates "
                                 f"({other.start}-{other.end} and {claim.start}-{claim.end}, {path.name})")
            by_session.setdefault(claim.session, claim)
    return [by_session[n] for n in sorted(by_session)]


def _event_kind(label: str) -> str | None:
    label = label.lower()
    if "stakeholder" in label:
        return "stakeholder_submissions"
    if "national report" in label and "deadline" in label:
        return "national_report"
    if "upr working group" in label:
        return "working_group"
    if label.startswith("adoption of reports"):
        return "working_group_adoption"
    if "hrc plenary" in label:
        return "hrc_adoption"
    return None


def _year(value: str) -> str:
    return value if value.strip().isdigit() else ""


def _write(path: Path, header: list[str], rows: list) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
