"""The review schedule: every member state's review in cycles 1-5, with dates and deadlines.

This is the calendar's public Python API (used by the CLI, the API, the pages, tracking and reports)::

    from uprwatch.calendar.schedule import reviews_of, next_review, deadlines_for, upcoming
    reviews_of("China")            # [ReviewEntry(cycle=1, session=4, ...), ..., ReviewEntry(cycle=5, session=59)]
    next_review("China")           # the first review whose session has not ended
    deadlines_for(entry)           # [Deadline(key="stakeholder_submissions", ...), ...]
    upcoming(days=90)              # [(Deadline, ReviewEntry), ...] due in the next 90 days

The placement comes from ``calendar.derivation`` (data + rule); a review an ingested document put in
the database (``records.Review`` after session 20) overrides the derived session and makes it
``official``. Dates come from ``calendar.sessions``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from uprwatch.calendar.deadlines import Deadline, deadlines_for_session
from uprwatch.calendar.derivation import Placement, placements, review_days
from uprwatch.calendar.sessions import SessionDates, session_dates
from uprwatch.records.cycles import cycle_of_session
from uprwatch.records.states import StateRecord, UnknownStateError, load_states, resolve_state


@dataclass(frozen=True)
class ReviewEntry:
    iso3: str
    state: str
    slug: str
    cycle: int
    session: int
    year: int
    status: str  # official | derived | projected
    source: str
    note: str
    dates: SessionDates = field(repr=False)
    review_date: dt.date | None = None  # the day of the state's review, when its WG report says

    @property
    def start_date(self) -> dt.date:
        return self.dates.start

    @property
    def end_date(self) -> dt.date:
        return self.dates.end

    def as_dict(self, with_deadlines: bool = True) -> dict:
        data = {
            "state": self.state, "iso3": self.iso3, "cycle": self.cycle, "session": self.session,
            "year": self.year, "status": self.status, "source": self.source, "note": self.note,
            **self.dates.as_dict(),
            "review_date": self.review_date.isoformat() if self.review_date else None,
        }
        if with_deadlines:
            data["deadlines"] = [d.as_dict() for d in deadlines_for(self)]
        return data


@functools.lru_cache(maxsize=1)
def _placements_by_state() -> dict[str, list[Placement]]:
    by_state: dict[str, list[Placement]] = defaultdict(list)
    for placement in placements():
        by_state[placement.iso3].append(placement)
    return dict(by_state)


# Reviews of one state come four and a half years apart; two within this many days mean one was moved.
CLOSE_REVIEWS_DAYS = 2 * 365


def _close_reviews_noted(entries: list[ReviewEntry]) -> list[ReviewEntry]:
    """No state is listed twice within a short time without a plain note that the later slot may move."""
    import dataclasses

    result = entries[:1]
    for entry in entries[1:]:
        previous = result[-1]
        gap = (entry.start_date - previous.start_date).days
        if gap < CLOSE_REVIEWS_DAYS and "may move" not in entry.note and entry.status != "official":
            months = round(gap / 30.44)
            note = (f"only {months} months after its review at session {previous.session}: one of the two was held "
                    f"outside its slot, and no source confirms this one: the slot may move")
            entry = dataclasses.replace(entry, note="; ".join(p for p in (entry.note, note) if p))
        result.append(entry)
    return result


def _database_reviews() -> dict[tuple[str, int], tuple[int, str]]:
    """(ISO3, cycle) → (session, source) for reviews after session 20 that an ingest created."""
    from uprwatch.records.models import Review

    found: dict[tuple[str, int], tuple[int, str]] = {}
    for review in Review.objects.filter(session_id__gt=20).select_related("state").prefetch_related("documents"):
        symbols = ", ".join(sorted(d.symbol for d in review.documents.all() if d.symbol))
        source = f"review in the database ({symbols})" if symbols else "review in the database"
        found[(review.state.iso3, cycle_of_session(review.session_id))] = (review.session_id, source)
    return found


def _database_ready() -> bool:
    from django.db import connection

    from uprwatch.records.models import Review, Session

    tables = set(connection.introspection.table_names())
    return {Review._meta.db_table, Session._meta.db_table} <= tables


class Schedule:
    """One consistent snapshot: placements + database reviews + session dates."""

    def __init__(self, include_database: bool = True):
        # The derivation needs no database: before ``uprwatch init`` the calendar still works from data.
        include_database = include_database and _database_ready()
        self.sessions = session_dates(include_database=include_database)
        self.database_reviews = _database_reviews() if include_database else {}
        self.states = {s.iso3: s for s in load_states()}

    def reviews_of(self, state: StateRecord) -> list[ReviewEntry]:
        entries = []
        for placement in _placements_by_state().get(state.iso3, []):
            session, status, source, note = placement.session, placement.status, placement.source, placement.note
            ingested = self.database_reviews.get((state.iso3, placement.cycle))
            if ingested:
                if ingested[0] != session:
                    note = f"the derivation said session {session}; a document in the database says {ingested[0]}"
                session, source = ingested
                status = "official"
            dates = self.sessions[session]
            day = review_days().get((state.iso3, session))
            entries.append(ReviewEntry(
                state.iso3, state.name, slugify(state.name), placement.cycle, session, dates.year,
                status, source, note, dates, dt.date.fromisoformat(day[0]) if day else None,
            ))
        return _close_reviews_noted(sorted(entries, key=lambda e: e.cycle))

    def all_reviews(self) -> list[ReviewEntry]:
        return [e for state in self.states.values() if state.is_member for e in self.reviews_of(state)]

    def by_session(self) -> dict[int, list[ReviewEntry]]:
        grouped: dict[int, list[ReviewEntry]] = defaultdict(list)
        for entry in self.all_reviews():
            grouped[entry.session].append(entry)
        for entries in grouped.values():
            entries.sort(key=lambda e: e.state)
        return dict(grouped)


def _state(state: str | StateRecord | object) -> StateRecord:
    """Accept a name (any alias), a StateRecord or a records.State."""
    if isinstance(state, StateRecord):
        return state
    if isinstance(state, str):
        return resolve_state(state)
    iso3 = getattr(state, "iso3", None)
    if iso3 is None:
        raise UnknownStateError(str(state))
    return resolve_state(iso3)


def today() -> dt.date:
    return timezone.localdate()


def reviews_of(state: str | StateRecord | object, schedule: Schedule | None = None) -> list[ReviewEntry]:
    """Every review of a state, cycle 1 to 5 (empty for the Holy See and Palestine, which are not reviewed).

    :param state: a name or alias ("DPR Korea"), a ``StateRecord`` or a ``records.State``
    :raises UnknownStateError: for a name that is not a state (with close matches)
    """
    return (schedule or Schedule()).reviews_of(_state(state))


def next_review(state: str | StateRecord | object, on: dt.date | None = None,
                schedule: Schedule | None = None) -> ReviewEntry | None:
    """The state's first review whose Working Group session has not ended by ``on`` (default today)."""
    on = on or today()
    for entry in reviews_of(state, schedule):
        if entry.end_date >= on:
            return entry
    return None


def deadlines_for(entry: ReviewEntry) -> list[Deadline]:
    """The deadlines of one review, earliest first, each ``official`` or ``estimated``."""
    return deadlines_for_session(entry.dates)


@dataclass(frozen=True)
class UpcomingDeadline:
    deadline: Deadline
    entry: ReviewEntry

    def as_dict(self) -> dict:
        return {**self.deadline.as_dict(), "review": self.entry.as_dict(with_deadlines=False)}


def upcoming(days: int = 90, on: dt.date | None = None, states: list | None = None,
             schedule: Schedule | None = None) -> list[UpcomingDeadline]:
    """Deadlines (of every state, or of ``states``) that fall within ``days`` days from ``on``, by date.

    A window (the session, the mid-term report window) counts while it is open.
    """
    on = on or today()
    until = on + dt.timedelta(days=days)
    schedule = schedule or Schedule()
    if states is None:
        entries = schedule.all_reviews()
    else:
        entries = [e for s in states for e in schedule.reviews_of(_state(s))]
    found = []
    for entry in entries:
        if entry.end_date < on - dt.timedelta(days=1200):
            continue  # long past: no deadline can still be open (the mid-term window ends ~2.5 years on)
        for deadline in deadlines_for(entry):
            last = deadline.end_date or deadline.date
            if deadline.date <= until and last >= on:
                found.append(UpcomingDeadline(deadline, entry))
    return sorted(found, key=lambda u: (u.deadline.date, u.entry.state))


@dataclass(frozen=True)
class SessionOverview:
    dates: SessionDates
    reviews: list[ReviewEntry]
    deadlines: list[Deadline]

    def as_dict(self) -> dict:
        return {
            "session": self.dates.number, "cycle": self.dates.cycle, "year": self.dates.year,
            **self.dates.as_dict(),
            "states": [{"state": e.state, "iso3": e.iso3, "status": e.status, "note": e.note} for e in self.reviews],
            "deadlines": [d.as_dict() for d in self.deadlines],
        }


def sessions_overview(first: int = 1, last: int = 68, schedule: Schedule | None = None) -> list[SessionOverview]:
    """Sessions ``first``..``last`` with their states and the deadlines common to their reviews."""
    schedule = schedule or Schedule()
    grouped = schedule.by_session()
    return [
        SessionOverview(schedule.sessions[n], grouped.get(n, []), deadlines_for_session(schedule.sessions[n]))
        for n in range(first, last + 1)
    ]


def upcoming_sessions(count: int = 4, on: dt.date | None = None, schedule: Schedule | None = None) -> list[SessionOverview]:
    """The next ``count`` sessions that have not ended (the one in progress first)."""
    on = on or today()
    return [s for s in sessions_overview(schedule=schedule) if s.dates.end >= on][:count]


def state_deadlines(state, today: dt.date, within_days: int | None = None,
                    schedule: Schedule | None = None) -> list[Deadline]:
    """A state's deadlines from ``today`` on (within ``within_days`` days, or all), earliest first.

    The entry point of tracking's campaign pages and deadline alerts, which show only a label and a date,
    so the label says how sure the date is when no document gives it: "Stakeholder submissions due (UPR
    cycle 5, WG 59; estimated from projected session dates)". ``state``: a name, StateRecord or records.State.
    A caller asking for several states passes one ``schedule`` (building one reads every review and
    session: a campaign page of 30 states spent ~1 s building 30 identical ones).
    """
    days = within_days if within_days is not None else 366 * 12  # to the end of the projected cycle 5
    return [
        dataclasses.replace(u.deadline, label=f"{u.deadline.label} (UPR cycle {u.entry.cycle}, WG {u.entry.session}"
                                              f"{_how_sure(u.deadline, u.entry.dates)})")
        for u in upcoming(days, on=today, states=[state], schedule=schedule)
    ]


def _how_sure(deadline: Deadline, session: SessionDates) -> str:
    if deadline.status == "official":
        return ""
    if deadline.key == "working_group":
        return f"; {session.status} dates"
    if session.status == "official":
        return "; estimated"
    return f"; estimated from {session.status} session dates"
