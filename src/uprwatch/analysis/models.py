"""Lineage links: a recommendation and a similar one made to the same State under Review in an
earlier cycle. Machine links are derived data, recomputed per State under Review (see ``lineage.py``);
human links are a person's judgement that text similarity missed, and recomputing never touches them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from uprwatch.records.models import Recommendation, State


class LiveLinks(models.Manager):
    """The links pages, reports and the API read: every link but those a person rejected."""

    def get_queryset(self):
        return super().get_queryset().exclude(origin=REJECTED)


# A person's "this is not a repeat" on a machine link: kept as a row (so recomputation does not bring the
# link back) but never shown. Stored in ``origin`` beside "machine" and "human".
REJECTED = "rejected"


class LineageLink(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="lineage_earlier")
    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="lineage_later")
    lexical = models.FloatField(help_text="TF-IDF cosine of the two texts")
    semantic = models.FloatField(help_text="cosine of the two texts' embeddings")
    score = models.FloatField(help_text="the combined score the link threshold applies to")
    method = models.CharField(max_length=40)
    origin = models.CharField(max_length=10, choices=[("machine", "machine"), ("human", "human")], default="machine")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    # ``objects`` hides rejected links; ``LineageLink._base_manager`` (dumps, recomputation) sees every row.
    objects = LiveLinks()

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "earlier"], name="lineage_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} ← {self.earlier_id} ({self.score:.2f})"


class LineageRun(models.Model):
    """When the links of one State under Review were last computed, and over what data, so that
    ``uprwatch init`` recomputes only states whose recommendations changed."""

    state = models.OneToOneField(State, on_delete=models.CASCADE, related_name="lineage_run")
    method = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    links = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)
