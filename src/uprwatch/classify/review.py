"""The review queue: machine labels, lowest confidence first; an editor's decision makes them human."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, FloatField, Min, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from uprwatch.classify.models import ReviewDecision
from uprwatch.errors import Invalid, NotFound
from uprwatch.records.editors import can_edit_records
from uprwatch.records.models import ACTION_CATEGORIES, Label, Origin, Recommendation, Term
from uprwatch.records.signals import announce_recommendations_changed


class DecisionError(Invalid):
    """A decision that cannot be applied (unknown issue, bad category, nothing to review)."""


class DecisionNotFound(NotFound, DecisionError):
    """A decision on a recommendation that does not exist (404)."""


can_review = can_edit_records  # the review queue's name for the one rule


def review_queue():
    """Recommendations with machine issue labels or a machine action category, least confident first."""
    machine = Label.objects.filter(recommendation=OuterRef("pk"), origin=Origin.MACHINE)
    return (
        Recommendation.objects.filter(Q(Exists(machine)) | Q(action_origin=Origin.MACHINE))
        .annotate(
            min_label=Min("labels__confidence", filter=Q(labels__origin=Origin.MACHINE)),
            # NULL handling of LEAST differs between SQLite and PostgreSQL: coalesce both sides first.
            min_confidence=Least(Coalesce("min_label", Value(1.0), output_field=FloatField()),
                                 Coalesce("action_confidence", Value(1.0), output_field=FloatField())),
        )
        .order_by("min_confidence", "pk")
    )


def snapshot(rec: Recommendation) -> dict:
    labels = rec.labels.filter(term__taxonomy=Term.Taxonomy.ISSUE).select_related("term").order_by("term__code")
    return {
        "action_category": rec.action_category,
        "action_origin": rec.action_origin,
        "issues": {label.term.code: label.origin for label in labels},
    }


def decide(rec_id: int, user, issues: list[str] | None = None, action_category: int | None = None) -> ReviewDecision:
    """Accept (``issues``/``action_category`` None) or correct a recommendation's machine labels.

    The chosen issues become human labels recorded with ``decided_by``/``decided_at``; machine issue
    labels not chosen are removed; the action category becomes human. One transaction.
    """
    with transaction.atomic():
        try:
            rec = Recommendation.objects.select_for_update().get(pk=rec_id)
        except Recommendation.DoesNotExist:
            raise DecisionNotFound(f"no recommendation {rec_id}") from None
        before = snapshot(rec)
        machine_issue_labels = list(rec.labels.filter(origin=Origin.MACHINE, term__taxonomy=Term.Taxonomy.ISSUE)
                                    .select_related("term"))
        if not machine_issue_labels and rec.action_origin != Origin.MACHINE:
            raise DecisionError(f"recommendation {rec_id} has no machine labels to review")
        if action_category is not None and action_category not in ACTION_CATEGORIES:
            raise DecisionError(f"action category must be 1–5, not {action_category}")
        now = timezone.now()
        if issues is None:
            chosen = {label.term.code for label in machine_issue_labels}
        else:
            chosen = {i.strip() for i in issues if i.strip()}
        terms = {t.code: t for t in Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE, code__in=chosen)}
        unknown = sorted(chosen - terms.keys())
        if unknown:
            raise DecisionError("unknown issue(s): " + ", ".join(unknown))
        existing = {label.term.code: label for label in rec.labels.filter(term__taxonomy=Term.Taxonomy.ISSUE)
                    .select_related("term")}
        for code, label in existing.items():
            if label.origin == Origin.MACHINE and code not in chosen:
                label.delete()
        for code in chosen:
            label = existing.get(code)
            if label is None:
                Label.objects.create(recommendation=rec, term=terms[code], origin=Origin.HUMAN,
                                     decided_by=user, decided_at=now)
            elif label.origin == Origin.MACHINE:
                label.origin, label.decided_by, label.decided_at = Origin.HUMAN, user, now
                label.save(update_fields=["origin", "decided_by", "decided_at"])
        if rec.action_origin == Origin.MACHINE or action_category is not None:
            if action_category is not None and action_category != rec.action_category:
                rec.action_category, rec.action_evidence = action_category, ""
                rec.action_confidence = None
            rec.action_origin = Origin.HUMAN
            rec.save(update_fields=["action_category", "action_origin", "action_confidence", "action_evidence",
                                    "updated_at"])
        after = snapshot(rec)
        decision = ReviewDecision.objects.create(
            recommendation=rec, decided_by=user, accepted=(issues is None and action_category is None)
            or (set(before["issues"]) == set(after["issues"]) and before["action_category"] == after["action_category"]),
            before=before, after=after,
        )
        announce_recommendations_changed([rec.pk], "review")
    return decision
