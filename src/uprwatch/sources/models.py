"""What uprwatch holds from live sources, record by record.

``SourceRecord``: one record of an external source (a UHRI annotation, a UPR Info entity, ...) and the
UPR recommendation it is. A recommendation known to several sources has one row per source record, each
with its own response, date and address: nothing a source said is overwritten by another source, so a
disagreement stays visible (``sources.merge.disagreements``).

``MechanismRecommendation``: a recommendation or observation of another UN human rights mechanism (a
treaty body such as CAT or CRC, a special procedure such as a Special Rapporteur), kept beside the UPR's
recommendations rather than among them: it has no Working Group session, no recommending state and no
response, and every UPR figure (statistics, profiles, support rates) stays a UPR figure.
"""

from __future__ import annotations

from django.db import models

from uprwatch.records.models import ImportBatch, Recommendation, State


class SourceRecord(models.Model):
    source = models.CharField(max_length=40, help_text="Source key, e.g. 'uhri', 'upr-info'")
    record_id = models.CharField(max_length=120, help_text="The source's own stable key (UHRI AnnotationId, ...)")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="source_records")
    published = models.DateField(null=True, blank=True, help_text="The date the source gives the record")
    response = models.CharField(max_length=20, blank=True, help_text="The response as this source states it")
    url = models.URLField(max_length=500, blank=True)
    digest = models.CharField(max_length=40, help_text="Hash of the record's content: tells a changed record")
    data = models.JSONField(default=dict, blank=True, help_text="The source's own values")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="source_records")
    first_seen = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "record_id"]
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="source_record_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.record_id}"


class MechanismRecommendation(models.Model):
    class BodyKind(models.TextChoices):
        TREATY_BODY = "treaty_body", "treaty body"
        SPECIAL_PROCEDURE = "special_procedure", "special procedure"
        OTHER = "other", "other mechanism"

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", "recommendation"
        OBSERVATION = "observation", "concern / observation"
        OTHER = "other", "other"

    source = models.CharField(max_length=40)
    record_id = models.CharField(max_length=120)
    body = models.CharField(max_length=120, db_index=True, help_text="Canonical name: 'CAT', 'CRC', 'SR on torture'")
    body_kind = models.CharField(max_length=20, choices=BodyKind.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    states = models.ManyToManyField(State, related_name="mechanism_recommendations", blank=True)
    symbol = models.CharField(max_length=80, blank=True)
    published = models.DateField(null=True, blank=True)
    text = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    affected_persons = models.JSONField(default=list, blank=True)
    sdgs = models.JSONField(default=list, blank=True, help_text="SDG targets, e.g. '16.2'")
    url = models.URLField(max_length=500, blank=True)
    digest = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="mechanism_recommendations")
    first_seen = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="mechanism_record_unique")]

    def __str__(self) -> str:
        return f"{self.body} {self.symbol}: {self.text[:60]}"
