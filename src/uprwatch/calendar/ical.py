"""iCalendar (RFC 5545) feeds: one per state, one for all Working Group sessions.

Written by hand because the format is small: CRLF line ends, lines folded at 75 octets, TEXT values
escaped, all-day events (``DTSTART;VALUE=DATE``, exclusive ``DTEND``), stable ``UID`` values so that a
subscribed calendar updates events instead of duplicating them, ``DTSTAMP`` in UTC. Estimated dates
are ``STATUS:TENTATIVE``, official ones ``STATUS:CONFIRMED``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from uprwatch.calendar.schedule import Schedule, SessionOverview, deadlines_for, reviews_of, sessions_overview
from uprwatch.records.states import StateRecord

PRODID = "-//uprwatch//UPR calendar//EN"
UID_DOMAIN = "uprwatch"
# Deadlines of reviews whose session ended longer ago than this are left out of the feeds: a
# subscribed calendar should show what is coming, and the history stays in the sessions' events.
HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.date
    end: dt.date  # inclusive last day
    summary: str
    description: str
    confirmed: bool
    categories: str = "UPR"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line to at most 75 octets per line (RFC 5545 3.1), never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def render_calendar(name: str, events: Iterable[Event], now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.end + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"CATEGORIES:{escape_text(event.categories)}",
            "STATUS:" + ("CONFIRMED" if event.confirmed else "TENTATIVE"),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def state_events(state: StateRecord, on: dt.date, schedule: Schedule | None = None) -> list[Event]:
    events = []
    for entry in reviews_of(state, schedule):
        if entry.end_date < on - dt.timedelta(days=HISTORY_DAYS):
            continue
        for deadline in deadlines_for(entry):
            status = deadline.status if deadline.key != "working_group" else entry.dates.status
            summary = (f"{deadline.label}: {entry.state}" if deadline.key != "working_group"
                       else f"UPR review of {entry.state}")
            events.append(Event(
                uid=f"review-{entry.iso3.lower()}-c{entry.cycle}-{deadline.key.replace('_', '-')}",
                start=deadline.date,
                end=deadline.end_date or deadline.date,
                summary=f"{summary} (UPR cycle {entry.cycle}, WG {entry.session})",
                description=(
                    f"{entry.state}, cycle {entry.cycle}, Working Group session {entry.session} "
                    f"({entry.status}: {entry.source}).\n{deadline.label}: {status} ({deadline.source})."
                    + (f"\nReview day: {entry.review_date:%d %B %Y}." if entry.review_date
                       and deadline.key == "working_group" else "")
                ),
                confirmed=status == "official" and entry.status == "official",
            ))
    return sorted(events, key=lambda e: (e.start, e.uid))


def state_calendar(state: StateRecord, on: dt.date, now: dt.datetime | None = None) -> str:
    return render_calendar(f"UPR: {state.name}", state_events(state, on), now)


def session_events(session: SessionOverview, on: dt.date) -> list[Event]:
    states = ", ".join(e.state for e in session.reviews) or "states not known"
    number = session.dates.number
    events = [Event(
        uid=f"wg-session-{number}",
        start=session.dates.start,
        end=session.dates.end,
        summary=f"UPR Working Group session {number} (cycle {session.dates.cycle})",
        description=f"States under review: {states}.\nDates: {session.dates.status} ({session.dates.source}).",
        confirmed=session.dates.status == "official",
    )]
    if session.dates.end >= on - dt.timedelta(days=HISTORY_DAYS):
        for deadline in session.deadlines:
            if deadline.key == "working_group":
                continue
            events.append(Event(
                uid=f"wg-session-{number}-{deadline.key.replace('_', '-')}",
                start=deadline.date,
                end=deadline.end_date or deadline.date,
                summary=f"{deadline.label} (UPR WG {number})",
                description=f"For the states of session {number}: {states}.\n{deadline.status} ({deadline.source}).",
                confirmed=deadline.status == "official",
            ))
    return events


def sessions_calendar(on: dt.date, now: dt.datetime | None = None) -> str:
    events = [e for session in sessions_overview() for e in session_events(session, on)]
    return render_calendar("UPR Working Group sessions", sorted(events, key=lambda e: (e.start, e.uid)), now)
