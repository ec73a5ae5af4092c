"""The calendar as plain JSON-ready data: what the CLI prints and the API returns (same shapes)."""

from __future__ import annotations

import datetime as dt

from uprwatch.calendar.consistency import dates_check
from uprwatch.calendar.derivation import check_against_cycle4_lists
from uprwatch.calendar.schedule import (
    Schedule,
    _database_ready,
    next_review,
    reviews_of,
    sessions_overview,
    today,
    upcoming,
    upcoming_sessions,
)
from uprwatch.records.states import resolve_state


def state_summary(name: str, on: dt.date | None = None) -> dict:
    """``{"state", "iso3", "today", "next_review", "reviews": [{"cycle", "session", "year", "status", ...}]}``.

    :raises UnknownStateError: for an unknown name (its ``suggestions`` hold close matches)
    """
    on = on or today()
    state = resolve_state(name)
    schedule = Schedule()
    upcoming_review = next_review(state, on, schedule)
    return {
        "state": state.name,
        "iso3": state.iso3,
        "today": on.isoformat(),
        "next_review": upcoming_review.as_dict() if upcoming_review else None,
        "reviews": [entry.as_dict() for entry in reviews_of(state, schedule)],
    }


def calendar_summary(on: dt.date | None = None, days: int = 120, sessions: int = 4) -> dict:
    """``{"today", "upcoming_sessions": [...], "due_next": [...]}``: the next sessions with their states,
    and the session deadlines (stakeholder submissions, national reports, ...) due within ``days``."""
    on = on or today()
    schedule = Schedule()
    coming = upcoming_sessions(count=sessions, on=on, schedule=schedule)
    until = on + dt.timedelta(days=days)
    due = sorted(
        ({**deadline.as_dict(), "session": session.dates.number}
         for session in sessions_overview(schedule=schedule)
         for deadline in session.deadlines
         if deadline.date <= until and (deadline.end_date or deadline.date) >= on
         and deadline.key != "mid_term_report"),
        key=lambda d: d["date"],
    )
    return {"today": on.isoformat(), "upcoming_sessions": [s.as_dict() for s in coming], "due_next": due}


def sessions_summary(first: int = 1, last: int = 68) -> list[dict]:
    return [s.as_dict() for s in sessions_overview(first, last)]


def deadlines_due(days: int, on: dt.date | None = None, state: str | None = None) -> list[dict]:
    """Every state's deadlines (or one state's) due within ``days`` days of ``on``, soonest first, as the
    JSON the API's ``/calendar/upcoming`` and the assistant's ``upcoming_deadlines`` tool return."""
    states = [resolve_state(state)] if state else None
    return [u.as_dict() for u in upcoming(days, on=on, states=states)]


def derivation_check() -> dict:
    """The derived cycle-2 sessions 24-26 against the published lists of sessions 52-54 (keys "52", "53",
    "54"), and under "dates" every session date the calendar holds against the evidence
    (``calendar.consistency.dates_check``)."""
    report: dict = {str(session): figures for session, figures in check_against_cycle4_lists().items()}
    report["dates"] = dates_check(include_database=_database_ready())
    return report
