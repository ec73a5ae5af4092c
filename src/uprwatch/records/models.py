"""The UPR as data: states, cycles, sessions, reviews, recommendations, responses and labels.

Labels (UPR Info issues, OHCHR themes, affected persons, SDGs, and the action category) carry their
``origin``: ``human`` when a person or a coding source (UPR Info, an OHCHR list) assigned them,
``machine`` when a classifier did, so that every view can tell the two apart and filter on them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify


class Origin(models.TextChoices):
    HUMAN = "human", "human"
    MACHINE = "machine", "machine"


class Response(models.TextChoices):
    SUPPORTED = "supported", "supported"
    NOTED = "noted", "noted"
    # UPR Info's third answer, kept as it says it; every supported/noted count counts it as noted
    # (``NOTED_RESPONSES``): the UN's own vocabulary has only "supports" and "notes".
    NOT_SUPPORTED = "not supported", "not supported"
    PARTIALLY_SUPPORTED = "partially supported", "partially supported"
    PENDING = "pending", "pending"
    UNKNOWN = "unknown", "unknown"


NOTED_RESPONSES = (Response.NOTED, Response.NOT_SUPPORTED)

ACTION_CATEGORIES = {
    1: "minimal action",
    2: "continuing action",
    3: "considering action",
    4: "general action",
    5: "specific action",
}


class Bloc(models.Model):
    """An intergovernmental organisation or political group of states (EU, OIC, AU, ...)."""

    code = models.CharField(max_length=30, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class State(models.Model):
    iso3 = models.CharField(max_length=3, unique=True)
    iso2 = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100, unique=True, help_text="Official UN short name")
    slug = models.SlugField(max_length=100, unique=True)
    regional_group = models.CharField(max_length=20, blank=True)
    is_member = models.BooleanField(default=True)
    aliases = models.JSONField(default=list, blank=True)
    blocs = models.ManyToManyField(Bloc, blank=True, related_name="states")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:state", args=[self.slug])

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Cycle(models.Model):
    number = models.PositiveSmallIntegerField(primary_key=True)
    first_session = models.PositiveSmallIntegerField()
    last_session = models.PositiveSmallIntegerField()
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Cycle {self.number}"


class Session(models.Model):
    """A session of the UPR Working Group."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="sessions")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Session {self.number}"


class Review(models.Model):
    """One State under Review at one Working Group session."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reviews")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reviews")

    class Meta:
        ordering = ["session_id", "state__name"]
        constraints = [models.UniqueConstraint(fields=["state", "session"], name="review_state_session_unique")]

    def __str__(self) -> str:
        return f"{self.state} — session {self.session_id}"

    @property
    def cycle(self) -> int:
        return self.session.cycle_id

    def get_absolute_url(self) -> str:
        return reverse("web:review", args=[self.state.slug, self.session_id])


class ImportBatch(models.Model):
    """One run of an import (the bundled dataset, a document ingest, a classification run)."""

    kind = models.CharField(max_length=30)
    source = models.CharField(max_length=300)
    started_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"{self.kind}: {self.source}"


class Document(models.Model):
    """An official UN document (or a dataset file) that recommendations came from."""

    class Kind(models.TextChoices):
        WORKING_GROUP_REPORT = "working_group_report"
        RESPONSES_ADDENDUM = "responses_addendum"
        THEMATIC_LIST = "thematic_list"
        DATASET = "dataset"
        # The review's other documents, kept for their text (found by a word they contain), no recommendations
        NATIONAL_REPORT = "national_report"
        UN_COMPILATION = "un_compilation"
        STAKEHOLDER_SUMMARY = "stakeholder_summary"

    symbol = models.CharField(max_length=80, blank=True, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=300, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True, help_text="The text of a document kept for reading and finding (not parsed)")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.symbol or self.filename


class Term(models.Model):
    """A label in one taxonomy: a UPR Info issue, an OHCHR theme, a group of affected persons, an SDG."""

    class Taxonomy(models.TextChoices):
        ISSUE = "issue", "UPR Info issue"
        THEME = "theme", "OHCHR theme"
        AFFECTED_PERSONS = "affected_persons", "affected persons"
        SDG = "sdg", "Sustainable Development Goal"

    taxonomy = models.CharField(max_length=20, choices=Taxonomy.choices)
    code = models.CharField(max_length=120, help_text="Theme code such as 'G5', or the issue name")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["taxonomy", "name"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="term_taxonomy_code_unique")]

    def __str__(self) -> str:
        return self.name


class RecommendationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("review__state", "review__session").prefetch_related(
            "recommending_states", "labels__term"
        )


class Recommendation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    paragraph = models.CharField(max_length=20, blank=True, help_text="Paragraph reference, e.g. 186.243")
    text = models.TextField()
    recommending_states = models.ManyToManyField(State, related_name="recommendations_made", blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.UNKNOWN)
    response_source = models.CharField(max_length=200, blank=True, help_text="Where the response came from")
    response_explanation = models.TextField(blank=True)
    already_implemented = models.BooleanField(default=False, help_text="The state claims it is already implemented")
    action_category = models.PositiveSmallIntegerField(null=True, blank=True)
    action_origin = models.CharField(max_length=10, choices=Origin.choices, blank=True)
    action_confidence = models.FloatField(null=True, blank=True)
    action_evidence = models.CharField(max_length=200, blank=True)
    action_model_version = models.CharField(max_length=40, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates",
        help_text="Set on exact duplicate source rows (kept, so source figures still add up)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review__session_id", "id"]
        indexes = [models.Index(fields=["response"]), models.Index(fields=["action_category"])]

    def __str__(self) -> str:
        return f"{self.paragraph or self.pk}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("web:recommendation", args=[self.pk])


class Label(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="labels")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="labels")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.HUMAN)
    confidence = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recommendation", "term"], name="label_recommendation_term_unique")]
        indexes = [models.Index(fields=["term", "origin"])]

    def __str__(self) -> str:
        return f"{self.term} ({self.origin})"


class Provenance(models.Model):
    """Where a recommendation came from; a merged recommendation keeps every source."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="provenance")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="provenance")
    dataset = models.CharField(max_length=120, blank=True, help_text="e.g. 'UPR Info database'")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL)
    locator = models.CharField(max_length=80, blank=True, help_text="Row number or paragraph in the source")
    original = models.JSONField(default=dict, blank=True, help_text="The source's own values (state spellings, ...)")

    def __str__(self) -> str:
        return f"{self.dataset or self.document} {self.locator}"


class VoluntaryPledge(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="pledges")
    text = models.TextField()
    action_category = models.PositiveSmallIntegerField(null=True, blank=True)
    issues = models.ManyToManyField(Term, blank=True, related_name="pledges")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT)
    locator = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["review__session_id", "id"]

    def __str__(self) -> str:
        return self.text[:60]
