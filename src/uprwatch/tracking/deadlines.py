"""Upcoming deadlines of a state, for campaign pages and deadline alerts: the calendar's schedule
(``calendar.schedule.state_deadlines``) in the small shape tracking stores and sends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from uprwatch.calendar.schedule import state_deadlines
from uprwatch.records.models import State


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    label: str


def watched_state_deadlines(state: State, today: datetime.date, within_days: int | None = None) -> list[Deadline]:
    """The deadlines of a state a campaign watches, from ``today`` (within ``within_days`` days, or all)."""
    until = today + datetime.timedelta(days=within_days) if within_days is not None else None
    found = [Deadline(d.date, d.label) for d in state_deadlines(state, today, within_days)]
    return sorted((d for d in found if d.date >= today and (until is None or d.date <= until)), key=lambda d: d.date)
