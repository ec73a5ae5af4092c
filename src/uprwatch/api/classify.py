"""API for classify: latest evaluation, prediction for a text, the review queue and decisions."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from uprwatch.api.auth import member
from uprwatch.classify import review, service
from uprwatch.classify.evaluation import latest_evaluation

router = Router(tags=["classify"])


class PredictIn(Schema):
    text: str


class DecisionIn(Schema):
    issues: list[str] | None = None  # None: accept the machine issue labels unchanged
    action_category: int | None = None


@router.get("/classify/evaluation", summary="Latest measured accuracy (model and keyword baseline)")
def evaluation(request) -> dict:
    figures = latest_evaluation()
    if figures is None:
        raise HttpError(404, "no evaluation yet: run `uprwatch classify evaluate`")
    return figures


@router.post("/classify/predict", summary="Action category (with evidence, confidence) and issues for a text")
def predict(request, payload: PredictIn) -> dict:
    if len(payload.text) > 20000:
        raise HttpError(400, "text is longer than 20,000 characters")
    return service.predict_text(payload.text)


def _editor(request):
    if not review.can_review(request.user):
        raise HttpError(403, "only editors may review labels")


@router.get("/classify/review", auth=member, summary="Machine-labelled recommendations, least confident first (editors)")
def review_queue(request, limit: int = 25, offset: int = 0) -> dict:
    _editor(request)
    # offset is bounded too: the database cannot bind an offset beyond its integers (a 500 before)
    if not 1 <= limit <= 200 or not 0 <= offset <= 10**9:
        raise HttpError(400, "limit must be 1–200 and offset 0–1,000,000,000")
    queue = review.review_queue().prefetch_related("labels__term")
    items = []
    for rec in queue[offset : offset + limit]:
        items.append({
            "id": rec.pk, "text": rec.text, "min_confidence": rec.min_confidence,
            "action_category": rec.action_category, "action_origin": rec.action_origin,
            "action_confidence": rec.action_confidence, "action_evidence": rec.action_evidence,
            "labels": [{"taxonomy": label.term.taxonomy, "code": label.term.code, "origin": label.origin,
                        "confidence": label.confidence, "model_version": label.model_version}
                       for label in rec.labels.all()],
        })
    return {"count": queue.count(), "items": items}


@router.post("/classify/review/{int:rec_id}", auth=member, summary="Accept or correct a recommendation's machine labels (editors)")
def decide(request, rec_id: int, payload: DecisionIn) -> dict:
    _editor(request)
    decision = review.decide(rec_id, request.user, issues=payload.issues, action_category=payload.action_category)
    return {"id": rec_id, "accepted": decision.accepted, "decided_by": request.user.get_username(),
            "decided_at": decision.decided_at.isoformat(), "before": decision.before, "after": decision.after}
