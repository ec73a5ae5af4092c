"""The audit trail of review-queue decisions (who changed which machine labels, when, from what to what)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from uprwatch.records.models import Recommendation


class ReviewDecision(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="review_decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(auto_now_add=True)
    accepted = models.BooleanField(help_text="True when the machine labels were accepted unchanged")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.recommendation_id} by {self.decided_by} at {self.decided_at:%Y-%m-%d %H:%M}"
