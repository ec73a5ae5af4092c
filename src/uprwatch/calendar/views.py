"""Calendar pages and iCal feeds: thin views over ``calendar.schedule`` and ``calendar.ical``."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from uprwatch.calendar import ical
from uprwatch.calendar.schedule import (
    Schedule,
    deadlines_for,
    next_review,
    reviews_of,
    sessions_overview,
    today,
    upcoming_sessions,
)
from uprwatch.records.states import StateRecord, UnknownStateError, load_states, resolve_state

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
DUE_NEXT_COUNT = 12


def state_by_slug(slug: str) -> StateRecord:
    """The state whose URL slug this is (the same slug as ``records.State``), or ``Http404``."""
    from django.utils.text import slugify

    for state in load_states():
        if slugify(state.name) == slug:
            return state
    raise Http404(f"no state with the slug {slug!r}")


def calendar_page(request):
    on = today()
    schedule = Schedule()
    coming = upcoming_sessions(count=4, on=on, schedule=schedule)
    due = sorted(
        ((deadline, session) for session in upcoming_sessions(count=8, on=on, schedule=schedule)
         for deadline in session.deadlines if (deadline.end_date or deadline.date) >= on),
        key=lambda pair: pair[0].date,
    )[:DUE_NEXT_COUNT]
    context = {
        "today": on, "coming": coming, "due": due, "sessions": sessions_overview(schedule=schedule),
        "query": request.GET.get("state", "").strip(),
    }
    status = 200
    if context["query"]:
        try:
            state = resolve_state(context["query"])
            context["found"] = state
            context["found_reviews"] = reviews_of(state, schedule)
            context["found_next"] = next_review(state, on, schedule)
        except UnknownStateError as exc:
            context["error"] = exc
            status = 404
    return render(request, "calendar/calendar.html", context, status=status)


def state_ics(request, slug: str):
    state = state_by_slug(slug)
    response = HttpResponse(ical.state_calendar(state, today()), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="upr-{slug}.ics"'
    return response


def sessions_ics(request):
    response = HttpResponse(ical.sessions_calendar(today()), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="upr-sessions.ics"'
    return response


def state_panel_context(request, state) -> dict | None:
    """Context of the "UPR calendar" panel on a state page (None for a state the UPR does not review)."""
    record = resolve_state(state.iso3)
    if not record.is_member:
        return None
    on = today()
    schedule = Schedule()
    upcoming_review = next_review(record, on, schedule)
    return {
        "calendar_state": record,
        "calendar_slug": state.slug,
        "calendar_reviews": reviews_of(record, schedule),
        "calendar_next": upcoming_review,
        "calendar_deadlines": deadlines_for(upcoming_review) if upcoming_review else [],
        "calendar_today": on,
    }
