"""Versions of the iCal events: a changed date becomes an update of the same event (RFC 5545 SEQUENCE).

``record(events, now)`` compares each event with the version last published (``calendar.models.FeedEvent``)
and returns, per UID, the ``Revision`` to write: ``SEQUENCE`` 0 for a new event, one more for every change
of its dates, title, text or status, with ``LAST-MODIFIED`` (and ``DTSTAMP``) the time of that change and
``CREATED`` the time it was first published. Unchanged events keep their stamps, so a feed fetched twice
reads the same. Safe under concurrent requests: a version is bumped only if it is still the one read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction
from django.db.models import F

if TYPE_CHECKING:
    from uprwatch.calendar.ical import Event


@dataclass(frozen=True)
class Revision:
    sequence: int
    created: dt.datetime
    last_modified: dt.datetime


def fingerprint(event: Event) -> str:
    """What a subscriber sees of the event: when it is, what it says and whether it is confirmed."""
    parts = (event.start.isoformat(), event.end.isoformat(), event.summary, event.description,
             "confirmed" if event.confirmed else "tentative", event.categories)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _table_ready() -> bool:
    from uprwatch.calendar.models import FeedEvent

    return FeedEvent._meta.db_table in connection.introspection.table_names()


def record(events: Iterable[Event], now: dt.datetime) -> dict[str, Revision]:
    """Store the version of every event and return its revision (empty before ``uprwatch init``)."""
    from uprwatch.calendar.models import FeedEvent

    prints = {event.uid: fingerprint(event) for event in events}
    if not prints:
        return {}
    try:
        if not _table_ready():
            return {}
        with transaction.atomic():
            stored = {row.uid: row for row in FeedEvent.objects.filter(uid__in=list(prints))}
            new = [FeedEvent(uid=uid, fingerprint=value, sequence=0, created=now, last_modified=now)
                   for uid, value in prints.items() if uid not in stored]
            changed = [uid for uid, value in prints.items() if uid in stored and stored[uid].fingerprint != value]
            if new:
                FeedEvent.objects.bulk_create(new, ignore_conflicts=True)  # another request may have won
            for uid in changed:
                FeedEvent.objects.filter(uid=uid, fingerprint=stored[uid].fingerprint).update(
                    fingerprint=prints[uid], sequence=F("sequence") + 1, last_modified=now)
            if new or changed:
                stored = {row.uid: row for row in FeedEvent.objects.filter(uid__in=list(prints))}
    except DatabaseError:
        return {}  # a read-only database still serves the feed, with every event at its first version
    return {uid: Revision(row.sequence, row.created, row.last_modified) for uid, row in stored.items()}
