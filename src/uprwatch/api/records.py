"""API for the reference records: states, reviews, one recommendation, dataset figures.

The JSON shape of a recommendation is ``records.shapes.recommendation_out`` (the CLI, search and
analysis use it too); ``recommendation_out`` stays importable from here.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from uprwatch.records import browse
from uprwatch.records.models import State
from uprwatch.records.shapes import recommendation_out
from uprwatch.records.stats import dataset_stats

__all__ = ["RecommendationBase", "RecommendationOut", "recommendation_out", "router"]

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
    """The fields of ``records.shapes.recommendation_out``; detail and search results extend it."""

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


class MechanismBase(Schema):
    """A treaty body's or special procedure's record; search results and related records extend it."""

    id: int
    mechanism: str
    mechanism_kind: str
    kind: str
    text: str
    states: list[str]
    symbol: str
    published: str | None
    url: str


class RelatedMechanismOut(MechanismBase):
    score: float


class RecommendationOut(RecommendationBase):
    provenance: list[ProvenanceOut]
    # the state's own words on its position (the responses addendum's explanation), "" when it gave none
    response_explanation: str = ""
    positions: list[PositionOut] = []
    disagreement: bool = False
    other_mechanisms: list[RelatedMechanismOut] = []


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
    rec = browse.recommendation_detail(rec_id)
    out = recommendation_out(rec)
    out["response_explanation"] = rec.response_explanation
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
