"""iCalendar (RFC 5545) feeds: one per state, one for all Working Group sessions.

Written by hand because the format is small: CRLF line ends, lines folded at 75 octets, TEXT values
escaped, all-day events (``DTSTART;VALUE=DATE``, exclusive ``DTEND``). A ``UID`` names what the event is
(China's cycle-5 review, the stakeholder deadline of session 59), never its date, so when a projected date
changes a subscribed calendar moves the event instead of adding a second one; ``calendar.revisions`` keeps
the published versions, so the moved event carries ``SEQUENCE`` one higher and ``LAST-MODIFIED`` the time
of the change. ``DTSTAMP`` is that same time (stable while the event does not change; RFC 5546 readers
take the higher SEQUENCE, then the later DTSTAMP, as the newer version). Dates from a UN document are
``STATUS:CONFIRMED``; reported, estimated and projected ones ``STATUS:TENTATIVE``, with the source or the
rule that produced them in the description.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from uprwatch.calendar.revisions import Revision, record
from uprwatch.calendar.schedule import Schedule, SessionOverview, deadlines_for, reviews_of, sessions_overview
from uprwatch.calendar.sessions import SessionDates
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


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(name: str, events: Iterable[Event], now: dt.datetime | None = None,
                    revisions: dict[str, Revision] | None = None) -> str:
    """The feed as text. ``revisions`` (from ``calendar.revisions.record``) give each event its SEQUENCE and
    stamps; an event without one is at its first version, stamped ``now``."""
    now = now or dt.datetime.now(dt.UTC)
    revisions = revisions or {}
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        revision = revisions.get(event.uid) or Revision(0, now, now)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{UID_DOMAIN}",
            f"DTSTAMP:{_utc(revision.last_modified)}",
            f"CREATED:{_utc(revision.created)}",
            f"LAST-MODIFIED:{_utc(revision.last_modified)}",
            f"SEQUENCE:{revision.sequence}",
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
                    f"({entry.status}: {entry.source})." + (f"\nNote: {entry.note}." if entry.note else "")
                    + f"\n{deadline.label}: {status} ({deadline.source})."
                    + (f"\nReview day: {entry.review_date:%d %B %Y}." if entry.review_date
                       and deadline.key == "working_group" else "")
                    + dates_text(entry.dates)
                ),
                confirmed=status == "official" and entry.status == "official",
            ))
    return sorted(events, key=lambda e: (e.start, e.uid))


def dates_text(dates: SessionDates) -> str:
    """How sure the session's dates are, for an event's description."""
    text = f"\nSession dates: {dates.status} ({dates.rule or dates.source})."
    return text + (f" {dates.note}." if dates.note else "")


def state_calendar(state: StateRecord, on: dt.date, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    events = state_events(state, on)
    return render_calendar(f"UPR: {state.name}", events, now, record(events, now))


def session_events(session: SessionOverview, on: dt.date) -> list[Event]:
    states = ", ".join(e.state for e in session.reviews) or "states not known"
    number = session.dates.number
    events = [Event(
        uid=f"wg-session-{number}",
        start=session.dates.start,
        end=session.dates.end,
        summary=f"UPR Working Group session {number} (cycle {session.dates.cycle})",
        description=f"States under review: {states}." + dates_text(session.dates),
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
    now = now or dt.datetime.now(dt.UTC)
    events = sorted((e for session in sessions_overview() for e in session_events(session, on)),
                    key=lambda e: (e.start, e.uid))
    return render_calendar("UPR Working Group sessions", events, now, record(events, now))
