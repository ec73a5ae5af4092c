"""Alerts: new recommendations that match a campaign, and deadlines of watched states.

Nothing here needs a server of its own. Ingest and classification send ``recommendations_changed``;
our receiver only queues a ``Job`` row. ``uprwatch jobs run`` (run it from cron, e.g. every
10 minutes) works through the queue, checks deadlines, creates in-app notifications and sends email
through Django's email backend, honouring each user's preferences.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from uprwatch.tracking import campaigns, selection
from uprwatch.tracking.models import Campaign, Job, Notification, NotificationPreference

log = logging.getLogger(__name__)

PREFERENCE_FIELDS = ("in_app", "email", "watchlist_matches", "deadlines", "deadline_days")


def on_recommendations_changed(sender, ids: list[int], reason: str = "", **kwargs) -> None:
    """Receiver: queue a match check; the work happens in ``uprwatch jobs run``."""
    Job.objects.create(kind="watchlist_match", payload={"ids": [int(i) for i in ids], "reason": reason})


def preferences(user) -> NotificationPreference:
    prefs, _ = NotificationPreference.objects.get_or_create(user=user)
    return prefs


def update_preferences(user, **values) -> NotificationPreference:
    from uprwatch.tracking.errors import Invalid

    prefs = preferences(user)
    for key, value in values.items():
        if key not in PREFERENCE_FIELDS:
            raise Invalid(f"unknown preference {key!r}")
        if key == "deadline_days":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise Invalid("deadline_days must be a whole number") from None
            if not 0 < value <= 365:
                raise Invalid("deadline_days must be between 1 and 365")
        else:
            value = bool(value)
        setattr(prefs, key, value)
    prefs.save()
    return prefs


def _recipients(campaign: Campaign, preference: str):
    User = get_user_model()
    for user in User.objects.filter(memberships__organisation=campaign.organisation, is_active=True).distinct():
        prefs = preferences(user)
        if getattr(prefs, preference) and (prefs.in_app or prefs.email):
            yield user, prefs


def notify(user, prefs: NotificationPreference, *, kind: str, key: str, message: str, url: str,
           campaign: Campaign | None = None, recommendation_ids: list[int] | None = None) -> Notification | None:
    """Create one notification (once per key) and email it if the user wants email."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, kind=kind, key=key[:200], message=message, url=url, campaign=campaign,
                recommendation_ids=recommendation_ids or [],
                # Email-only users still get a row (it stops repeats) but it is already "read".
                read_at=None if prefs.in_app else timezone.now(),
            )
    except IntegrityError:
        return None  # already announced
    if prefs.email and user.email:
        body = render_to_string("tracking/email/notification.txt", {"note": note, "user": user, "site": _site()})
        send_mail(f"[uprwatch] {message[:120]}", body, settings.DEFAULT_FROM_EMAIL, [user.email])
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
    return note


def _site() -> str:
    """Where the site is reached (``https://upr.example.org``), for absolute links in emails."""
    return settings.UPRWATCH_SITE_URL.rstrip("/")


def match_campaigns(ids: list[int], reason: str = "", changed_at: datetime.datetime | None = None) -> int:
    """Notify members of every campaign that the changed recommendations match. Returns notifications made.

    Only campaigns that existed when the change happened are told: a campaign made later already shows
    those recommendations, so they are not news to it.
    """
    changed = set(ids)
    made = 0
    candidates = Campaign.objects.select_related("organisation")
    if changed_at is not None:
        candidates = candidates.filter(created_at__lte=changed_at)
    for campaign in candidates:
        try:
            matched = sorted(changed & campaigns.recommendation_ids(campaign))
        except selection.Invalid as exc:
            log.warning("campaign %s: %s", campaign.pk, exc)
            continue
        if not matched:
            continue
        what = "newly classified" if reason == "classify" else "new or changed"
        url = reverse("tracking:campaign", args=[campaign.pk])
        for user, prefs in _recipients(campaign, "watchlist_matches"):
            # A recommendation is announced once per person and campaign, however often it changes
            # afterwards (ingest, then classification, then a merge...).
            told = {
                i for ids_ in Notification.objects.filter(
                    user=user, campaign=campaign, kind=Notification.Kind.CAMPAIGN_MATCH
                ).values_list("recommendation_ids", flat=True) for i in ids_
            }
            fresh = [i for i in matched if i not in told]
            if not fresh:
                continue
            message = f"{len(fresh)} {what} recommendation(s) match the campaign “{campaign.name}”"
            key = f"match:{campaign.pk}:{','.join(map(str, fresh))}"[:200]
            if notify(user, prefs, kind=Notification.Kind.CAMPAIGN_MATCH, key=key, message=message, url=url,
                      campaign=campaign, recommendation_ids=fresh):
                made += 1
    return made


def check_deadlines(today: datetime.date | None = None) -> int:
    """Notify members of campaigns whose watched states have a deadline within their warning window."""
    from uprwatch.tracking.deadlines import watched_state_deadlines

    today = today or timezone.localdate()
    made = 0
    for campaign in Campaign.objects.select_related("organisation").prefetch_related("states"):
        recipients = list(_recipients(campaign, "deadlines"))
        if not recipients:
            continue
        horizon = max(prefs.deadline_days for _, prefs in recipients)
        for state in campaigns.watched_states(campaign):
            for deadline in watched_state_deadlines(state, today, horizon):
                days = (deadline.date - today).days
                message = f"{state.name}: {deadline.label} on {deadline.date.isoformat()} (in {days} days)"
                key = f"deadline:{campaign.pk}:{state.iso3}:{deadline.label}:{deadline.date.isoformat()}"
                url = reverse("tracking:campaign", args=[campaign.pk])
                for user, prefs in recipients:
                    if days <= prefs.deadline_days and notify(
                        user, prefs, kind=Notification.Kind.DEADLINE, key=key, message=message, url=url,
                        campaign=campaign,
                    ):
                        made += 1
    return made


# A job's kind -> what runs it. Apps above tracking add theirs when Django starts (the sources app adds
# "source_sync" in SourcesConfig.ready), so the queue knows them without importing them.
HANDLERS = {
    "watchlist_match": lambda job: match_campaigns(job.payload.get("ids", []), job.payload.get("reason", ""),
                                                    changed_at=job.created_at),
}
# Jobs that manage their own transactions: a source sync pages through a remote API for minutes and
# merges in a transaction of its own; wrapped in one here it would hold SQLite's write lock all along.
OWN_TRANSACTION = frozenset({"source_sync"})


def run_jobs(limit: int = 100, *, deadlines: bool = True, today: datetime.date | None = None,
             kinds: tuple[str, ...] | None = None) -> dict:
    """Process queued jobs (oldest first, only ``kinds`` when given), then check deadlines. Returns figures.

    A job is claimed (queued -> running) before it runs, so two runners (cron and one the Data sources
    page started) never run the same job twice.
    """
    done = failed = notifications = 0
    queued = Job.objects.filter(status=Job.Status.QUEUED).order_by("id")
    if kinds is not None:
        queued = queued.filter(kind__in=kinds)
    for job in queued[:limit]:
        started = {**(job.result or {}), "started_at": timezone.now().isoformat()}
        if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
                status=Job.Status.RUNNING, attempts=job.attempts + 1, result=started):
            continue  # another runner took it
        job.result = started
        job.attempts += 1
        handler = HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise ValueError(f"unknown job kind {job.kind!r}")
            if job.kind in OWN_TRANSACTION:
                made = handler(job)
            else:
                with transaction.atomic():
                    made = handler(job)
            job.status, job.error = Job.Status.DONE, ""
            job.result = {**(job.result or {}), "notifications": made}
            notifications += made
            done += 1
        except Exception as exc:  # a failing job is recorded and kept, not retried forever
            log.warning("job %s (%s) failed: %s: %s", job.pk, job.kind, type(exc).__name__, exc)
            job.status, job.error = Job.Status.FAILED, f"{type(exc).__name__}: {exc}"
            failed += 1
        job.finished_at = timezone.now()
        job.save()
    deadline_notes = check_deadlines(today) if deadlines else 0
    return {"jobs_done": done, "jobs_failed": failed, "match_notifications": notifications,
            "deadline_notifications": deadline_notes,
            "queued": Job.objects.filter(status=Job.Status.QUEUED).count()}


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    notes = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        notes = notes.filter(pk__in=ids)
    return notes.update(read_at=timezone.now())
