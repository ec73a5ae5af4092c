"""API for the reference records: states, reviews, one recommendation, dataset figures."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from uprwatch.records import browse
from uprwatch.records.models import Recommendation, State
from uprwatch.records.stats import dataset_stats

router = Router(tags=["records"])


class StateOut(Schema):
    iso3: str
    iso2: str
    name: str
    slug: str
    regional_group: str
    is_member: bool
    aliases: list[str]


class LabelOut(Schema):
    taxonomy: str
    code: str
    name: str
    origin: str
    confidence: float | None = None
    model_version: str = ""


class ProvenanceOut(Schema):
    dataset: str
    document: str | None
    locator: str


class RecommendationBase(Schema):
    """The fields of ``recommendation_out``; detail and search results extend it."""

    id: int
    paragraph: str
    text: str
    state_under_review: str
    recommending_states: list[str]
    session: int
    cycle: int
    year: int | None
    response: str
    response_source: str
    already_implemented: bool
    action_category: int | None
    action_origin: str
    action_confidence: float | None
    issues: list[str]
    labels: list[LabelOut]


class PositionOut(Schema):
    source: str
    response: str
    record_id: str = ""
    date: str = ""
    url: str = ""


class RelatedMechanismOut(Schema):
    score: float
    id: int
    mechanism: str
    mechanism_kind: str
    kind: str
    text: str
    states: list[str]
    symbol: str
    published: str | None
    url: str


class RecommendationOut(RecommendationBase):
    provenance: list[ProvenanceOut]
    positions: list[PositionOut] = []
    disagreement: bool = False
    other_mechanisms: list[RelatedMechanismOut] = []


def recommendation_out(rec: Recommendation) -> dict:
    """The public JSON shape of a recommendation (also used by search results and exports)."""
    labels = list(rec.labels.all())
    return {
        "id": rec.pk,
        "paragraph": rec.paragraph,
        "text": rec.text,
        "state_under_review": rec.review.state.name,
        "recommending_states": [s.name for s in rec.recommending_states.all()],
        "session": rec.review.session_id,
        "cycle": rec.review.session.cycle_id,
        "year": rec.review.session.year,
        "response": rec.response,
        "response_source": rec.response_source,
        "already_implemented": rec.already_implemented,
        "action_category": rec.action_category,
        "action_origin": rec.action_origin,
        "action_confidence": rec.action_confidence,
        "issues": [label.term.name for label in labels if label.term.taxonomy == "issue"],
        "labels": [
            {
                "taxonomy": label.term.taxonomy,
                "code": label.term.code,
                "name": label.term.name,
                "origin": label.origin,
                "confidence": label.confidence,
                "model_version": label.model_version,
            }
            for label in labels
        ],
    }


@router.get("/stats", summary="What the database holds")
def stats(request) -> dict:
    return dataset_stats()


@router.get("/states", response=list[StateOut], summary="Every state, with its aliases")
def states(request):
    return State.objects.all()


@router.get("/states/{slug}", response=StateOut)
def state(request, slug: str):
    return get_object_or_404(State, slug=slug)


@router.get("/recommendations/{int:rec_id}", response=RecommendationOut, summary="One recommendation")
def recommendation(request, rec_id: int):
    try:
        rec = browse.recommendation_detail(rec_id)
    except Recommendation.DoesNotExist:
        from ninja.errors import HttpError

        raise HttpError(404, f"no recommendation {rec_id}") from None
    out = recommendation_out(rec)
    out["provenance"] = [
        {"dataset": p.dataset, "document": p.document.symbol if p.document else None, "locator": p.locator}
        for p in rec.provenance.all()
    ]
    from dataclasses import asdict

    from uprwatch.sources.merge import disagreements, positions
    from uprwatch.sources.related import related_mechanisms

    out["positions"] = [asdict(p) for p in positions(rec)]
    out["disagreement"] = bool(disagreements(rec))
    out["other_mechanisms"] = related_mechanisms(rec)
    return out
