"""Upcoming deadlines of a state, for campaign pages and deadline alerts.

The calendar feature (``uprwatch.calendar``) knows the review schedule; when it offers
``upcoming_deadlines(state, today, within_days)`` we use it. Otherwise the deadlines are the
Working Group sessions in the database at which the state is scheduled for review (Review rows of
sessions that have not started yet).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from uprwatch.records.models import Review, State


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    label: str


def _calendar_function():
    try:
        from uprwatch.calendar import deadlines as calendar_deadlines
    except ImportError:
        return None
    return getattr(calendar_deadlines, "upcoming_deadlines", None)


def upcoming_deadlines(state: State, today: datetime.date, within_days: int | None = None) -> list[Deadline]:
    until = today + datetime.timedelta(days=within_days) if within_days is not None else None
    calendar_function = _calendar_function()
    if calendar_function is not None:
        found = [Deadline(getattr(d, "date", None) or d["date"], getattr(d, "label", None) or d["label"])
                 for d in calendar_function(state, today, within_days)]
    else:
        reviews = Review.objects.filter(state=state, session__start_date__gte=today).select_related("session")
        found = [Deadline(r.session.start_date, f"review at UPR Working Group session {r.session_id}") for r in reviews]
    return sorted((d for d in found if d.date >= today and (until is None or d.date <= until)), key=lambda d: d.date)
