"""Implementation tracking: organisations and roles, campaigns, assessments with evidence,
events, alerts, API tokens and the audit log.

Content (campaigns, assessments, events) is ``private`` to its organisation until it is ``published``;
a private assessment is a draft. Assessments are never overwritten: every save adds an
``AssessmentVersion``. Editable objects carry a ``version`` number for optimistic locking.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from uprwatch.records.models import Recommendation, State


class Role(models.TextChoices):
    VIEWER = "viewer", "viewer"
    CONTRIBUTOR = "contributor", "contributor"
    EDITOR = "editor", "editor"
    ADMIN = "admin", "admin"


# Each role can do everything the roles before it can.
ROLE_RANK = {Role.VIEWER: 1, Role.CONTRIBUTOR: 2, Role.EDITOR: 3, Role.ADMIN: 4}


class Visibility(models.TextChoices):
    PRIVATE = "private", "private"
    PUBLISHED = "published", "published"


class ImplementationStatus(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", "not implemented"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "partially implemented"
    IMPLEMENTED = "implemented", "implemented"
    REGRESSED = "regressed", "regressed"
    UNKNOWN = "unknown", "unknown"


class Confidence(models.TextChoices):
    LOW = "low", "low"
    MEDIUM = "medium", "medium"
    HIGH = "high", "high"


class Organisation(models.Model):
    """An NGO, or a coalition whose member organisations point to it with ``coalition``."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    coalition = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="member_organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tracking:organisation", args=[self.slug])


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_user_org_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.VIEWER)
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class Campaign(models.Model):
    """A campaign: a saved search plus pinned and excluded recommendations, owned by an organisation.

    Named ``Watchlist`` until migration 0004: the audit log keeps that name for it (``audit_type``), so
    the log and its exports read the same before and after, and ``uprwatch restore`` maps older dumps.
    """

    # What the audit log calls this model (``AuditEntry.object_type``).
    audit_type = "watchlist"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    query = models.CharField(max_length=1000, blank=True, help_text="Search query string, e.g. q=refoulement&sur=China")
    pinned = models.ManyToManyField(Recommendation, blank=True, related_name="pinned_in")
    excluded = models.ManyToManyField(Recommendation, blank=True, related_name="excluded_from")
    states = models.ManyToManyField(State, blank=True, related_name="campaigns", help_text="States whose deadlines are watched")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "campaign"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracking:campaign", args=[self.pk])


class Assessment(models.Model):
    """One organisation's current assessment of one recommendation; earlier versions are kept."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="assessments")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    status = models.CharField(max_length=25, choices=ImplementationStatus.choices, default=ImplementationStatus.UNKNOWN)
    assessed_on = models.DateField(default=timezone.localdate)
    rationale = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assessed_on", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "organisation"], name="assessment_rec_org_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()} ({self.recommendation_id})"

    def get_absolute_url(self) -> str:
        return reverse("tracking:assessment", args=[self.pk])


class AssessmentVersion(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=25, choices=ImplementationStatus.choices)
    assessed_on = models.DateField()
    rationale = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["assessment", "version"], name="assessment_version_unique")]


class Event(models.Model):
    """A dated incident or development, linked to states and to the recommendations it bears on."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    occurred_on = models.DateField()
    occurred_until = models.DateField(null=True, blank=True)
    people_count = models.PositiveIntegerField(null=True, blank=True, help_text="How many people, if counted")
    count_note = models.CharField(max_length=200, blank=True, help_text="e.g. 'about', 'at least'")
    places = models.CharField(max_length=300, blank=True)
    sources = models.TextField(blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM)
    states = models.ManyToManyField(State, blank=True, related_name="tracking_events")
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="tracking_events")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracking:event", args=[self.pk])


class EvidenceItem(models.Model):
    """A source backing an assessment or an event.

    Evidence has a visibility of its own: a contributor's evidence is a draft until an editor publishes
    it, even when what it backs is already published. Outsiders see it only when both are published.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="evidence")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    citation = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    date = models.DateField(null=True, blank=True)
    quote = models.TextField(blank=True)
    file = models.FileField(upload_to="tracking/evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "evidence"

    def __str__(self) -> str:
        return self.citation

    @property
    def parent(self):
        return self.assessment or self.event

    def get_absolute_url(self) -> str:
        return self.parent.get_absolute_url() + f"#evidence-{self.pk}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracking_preferences")
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    # The preference's name predates the campaign name; it is a key of the API and of the form.
    watchlist_matches = models.BooleanField(default=True)
    deadlines = models.BooleanField(default=True)
    deadline_days = models.PositiveSmallIntegerField(default=30, help_text="Warn this many days before a deadline")


class Notification(models.Model):
    class Kind(models.TextChoices):
        # The stored value (and the job's kind) keep the model's first name.
        CAMPAIGN_MATCH = "watchlist_match", "new recommendations match a campaign"
        DEADLINE = "deadline", "a deadline approaches"
        INVITATION = "invitation", "invitation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Stops the same deadline or match being announced twice.
    key = models.CharField(max_length=200)
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    recommendation_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_user_key_unique")]


class Job(models.Model):
    """A database-backed task, run by ``uprwatch jobs run`` (from cron: no extra server)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class AuditEntry(models.Model):
    """One create, update, delete or publish of tracking data. Append-only."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        PUBLISH = "publish"

    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="audit_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are read-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are read-only")
