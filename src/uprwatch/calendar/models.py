"""What the calendar remembers between requests: the published version of each iCal event."""

from __future__ import annotations

from django.db import models


class FeedEvent(models.Model):
    """One event of the iCal feeds as last published, so a changed date is an update, not a new event.

    A subscribed calendar matches events by ``UID``; RFC 5545 asks that ``SEQUENCE`` go up with every
    significant revision and ``LAST-MODIFIED`` say when. The feeds are computed from the data on each
    request, so the previous version has to be kept somewhere: here, keyed by UID, with a fingerprint of
    what the event said (dates, title, text, status).
    """

    uid = models.CharField(max_length=200, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)
    created = models.DateTimeField()
    last_modified = models.DateTimeField()

    class Meta:
        ordering = ["uid"]

    def __str__(self) -> str:
        return f"{self.uid} (sequence {self.sequence})"
