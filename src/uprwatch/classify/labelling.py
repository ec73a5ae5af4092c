"""Apply the model: machine labels for every recommendation lacking human labels.

A recommendation with human issue labels (UPR Info's coding, an editor's decision) is never touched;
nor is a human action category. Machine labels carry the model version and a confidence, and are
replaced when a newer model labels again, so running twice with the same model changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef

from uprwatch.classify.classifier import Classifier
from uprwatch.records.models import ImportBatch, Label, Origin, Recommendation, Term
from uprwatch.records.signals import announce_recommendations_changed

CHUNK = 2000


@dataclass
class RunReport:
    candidates: int = 0
    labelled: int = 0
    labels: int = 0
    actions: int = 0


def lacking_human_labels(ids: list[int] | None = None):
    """Recommendations without any human UPR Info issue label."""
    human = Label.objects.filter(recommendation=OuterRef("pk"), origin=Origin.HUMAN,
                                 term__taxonomy=Term.Taxonomy.ISSUE)
    recs = Recommendation.objects.filter(~Exists(human))
    if ids is not None:
        recs = recs.filter(pk__in=ids)
    return recs.order_by("pk")


def _up_to_date(model: Classifier, rec_ids: list[int]) -> set[int]:
    """Recommendations this model version has already labelled."""
    done = set(Label.objects.filter(recommendation_id__in=rec_ids, origin=Origin.MACHINE,
                                    model_version=model.version).values_list("recommendation_id", flat=True))
    done |= set(Recommendation.objects.filter(pk__in=rec_ids, action_origin=Origin.MACHINE,
                                              action_model_version=model.version).values_list("pk", flat=True))
    return done


def label_recommendations(model: Classifier, ids: list[int] | None = None, force: bool = False) -> RunReport:
    """Label every recommendation lacking human labels (or only ``ids``), in one transaction."""
    report = RunReport()
    terms = {t.code: t for t in Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE)}
    changed: list[int] = []
    with transaction.atomic():
        missing = [Term(taxonomy=Term.Taxonomy.ISSUE, code=n, name=n) for n in model.issues if n not in terms]
        for term in Term.objects.bulk_create(missing):
            terms[term.code] = term
        rows = list(lacking_human_labels(ids).values_list("pk", "text", "action_origin"))
        report.candidates = len(rows)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            done = set() if force else _up_to_date(model, [r[0] for r in chunk])
            todo = [r for r in chunk if r[0] not in done]
            if not todo:
                continue
            predictions = model.predict([text for _, text, _ in todo])
            todo_ids = [pk for pk, _, _ in todo]
            Label.objects.filter(recommendation_id__in=todo_ids, origin=Origin.MACHINE,
                                 term__taxonomy=Term.Taxonomy.ISSUE).delete()
            Label.objects.bulk_create(
                Label(recommendation_id=pk, term=terms[name], origin=Origin.MACHINE, confidence=prob,
                      model_version=model.version)
                for (pk, _, _), prediction in zip(todo, predictions, strict=True)
                for name, prob in prediction.issues.items()
            )
            report.labels += sum(len(p.issues) for p in predictions)
            updates = []
            for (pk, _, action_origin), prediction in zip(todo, predictions, strict=True):
                if action_origin == Origin.HUMAN:
                    continue
                updates.append(Recommendation(
                    pk=pk, action_category=prediction.action_category, action_origin=Origin.MACHINE,
                    action_confidence=prediction.action_confidence,
                    action_evidence=prediction.action_evidence[:200], action_model_version=model.version,
                ))
            Recommendation.objects.bulk_update(
                updates, ["action_category", "action_origin", "action_confidence", "action_evidence",
                          "action_model_version"])
            report.actions += len(updates)
            report.labelled += len(todo)
            changed += todo_ids
        if changed:
            ImportBatch.objects.create(kind="classify", source=model.version, summary=report.__dict__)
            announce_recommendations_changed(changed, "classify")
    return report
