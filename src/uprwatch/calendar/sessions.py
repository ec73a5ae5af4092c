"""When each Working Group session (1-68) meets: year and dates, official or estimated.

Official dates come from UN documents and the 2025-26 events sheet (``data/calendar/session-dates.csv``)
and from ``records.Session.start_date/end_date`` when an ingested Working Group report set them.
Other sessions get an estimate: the Working Group meets three times a year, in slots that open on the
first Monday on or after 20 January, 28 April and 28 October, for two weeks (Monday to Friday of the
following week). Years come from ``session-years.csv`` (sessions 1-53); later sessions continue the
three-a-year rhythm from the last dated session.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass

from uprwatch.calendar.derivation import DATA
from uprwatch.records.cycles import CYCLE_SESSIONS, cycle_of_session, session_years

LAST_SESSION = CYCLE_SESSIONS[5][1]
SESSIONS_PER_YEAR = 3
# (month, day): a slot opens on the first Monday on or after this day.
SLOT_OPENINGS = ((1, 20), (4, 28), (10, 28))
SESSION_LENGTH_DAYS = 11  # Monday of week one to Friday of week two


@dataclass(frozen=True)
class SessionDates:
    number: int
    cycle: int
    year: int
    start: dt.date
    end: dt.date
    status: str  # official | estimated
    source: str


@functools.lru_cache(maxsize=1)
def bundled_session_dates() -> dict[int, tuple[dt.date, dt.date, str]]:
    with open(DATA / "session-dates.csv", encoding="utf-8", newline="") as handle:
        return {
            int(row["session"]): (dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"]), row["source"])
            for row in csv.DictReader(handle)
        }


def database_session_dates() -> dict[int, tuple[dt.date, dt.date, str]]:
    """Dates that an ingested document stored on records.Session (official)."""
    from uprwatch.records.models import Session

    return {
        number: (start, end or start + dt.timedelta(days=SESSION_LENGTH_DAYS), "Working Group report in the database")
        for number, start, end in Session.objects.filter(start_date__isnull=False).values_list(
            "number", "start_date", "end_date"
        )
    }


def all_session_years() -> dict[int, int]:
    """Year of every session 1-68: data for 1-53, then three sessions a year after the last known."""
    years = dict(session_years())
    for number, (start, _end, _source) in bundled_session_dates().items():
        years[number] = start.year
    last = max(years)
    slot = _slot_in_year(last, years)
    year = years[last]
    for number in range(last + 1, LAST_SESSION + 1):
        slot += 1
        if slot == SESSIONS_PER_YEAR:
            slot, year = 0, year + 1
        years[number] = year
    return years


def _slot_in_year(number: int, years: dict[int, int]) -> int:
    """0, 1 or 2: the session's place among the sessions of its year (Jan, Apr-May, Oct-Nov)."""
    earlier = [n for n, y in years.items() if y == years[number] and n < number]
    dated = bundled_session_dates().get(number)
    if dated:
        month = dated[0].month
        return 0 if month <= 3 else 1 if month <= 7 else 2
    return min(len(earlier), SESSIONS_PER_YEAR - 1)


def estimated_dates(number: int, years: dict[int, int]) -> tuple[dt.date, dt.date]:
    month, day = SLOT_OPENINGS[_slot_in_year(number, years)]
    opening = dt.date(years[number], month, day)
    start = opening + dt.timedelta(days=(7 - opening.weekday()) % 7)
    return start, start + dt.timedelta(days=SESSION_LENGTH_DAYS)


def session_dates(include_database: bool = True) -> dict[int, SessionDates]:
    """Every session 1-68 with its dates; official where a document or data file gives them."""
    years = all_session_years()
    official = dict(bundled_session_dates())
    if include_database:
        for number, value in database_session_dates().items():
            official.setdefault(number, value)
    result = {}
    for number in range(1, LAST_SESSION + 1):
        if number in official:
            start, end, source = official[number]
            result[number] = SessionDates(number, cycle_of_session(number), start.year, start, end, "official", source)
        else:
            start, end = estimated_dates(number, years)
            result[number] = SessionDates(
                number, cycle_of_session(number), years[number], start, end, "estimated",
                "estimate: three sessions a year (see calendar.sessions)",
            )
    return result
