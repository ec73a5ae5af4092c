"""API endpoints for the UPR calendar (the same data as ``uprwatch calendar --json``)."""

from __future__ import annotations

from ninja import Query, Router
from ninja.errors import HttpError

from uprwatch.calendar import summary

router = Router(tags=["calendar"])


@router.get("/calendar", summary="Upcoming sessions with their states, and what is due next")
def calendar(request, days: int = Query(120, ge=0, le=3650)) -> dict:
    return summary.calendar_summary(days=days)


@router.get("/calendar/states/{name}", summary="One state's reviews in cycles 1-5, with dates and deadlines")
def state_calendar(request, name: str) -> dict:
    return summary.state_summary(name)


@router.get("/calendar/sessions", summary="Working Group sessions with dates and states under review")
def sessions(request, first: int = Query(1, ge=1, le=68), last: int = Query(68, ge=1, le=68)) -> list[dict]:
    if first > last:
        raise HttpError(400, f"first ({first}) is after last ({last})")
    return summary.sessions_summary(first, last)


@router.get("/calendar/upcoming", summary="Deadlines due within `days` days (of every state, or one)")
def upcoming(request, days: int = Query(90, ge=0, le=3650), state: str | None = None) -> list[dict]:
    return summary.deadlines_due(days, state=state)


@router.get("/calendar/check", summary="Derived cycle-2 sessions 24-26 against the published lists of 52-54")
def check(request) -> dict:
    return summary.derivation_check()
