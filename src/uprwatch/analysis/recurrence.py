"""Reading lineage links: the chain a recommendation belongs to, and a state's recurring ones.

A *chain* is a recommendation with every recommendation linked to it, directly or through another
link (earlier and later), ordered by session: "first in cycle 1 by Canada, repeated in cycle 2 by
Czechia and the Republic of Korea, noted each time".
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from uprwatch.analysis.models import LineageLink
from uprwatch.records.models import NOTED_RESPONSES, Recommendation, State

MAX_CHAIN = 40  # a chain is for reading: beyond this many members it stops growing


def _linked_ids(start: int) -> set[int]:
    seen = {start}
    frontier = {start}
    while frontier and len(seen) < MAX_CHAIN:
        pairs = LineageLink.objects.filter(Q(recommendation_id__in=frontier) | Q(earlier_id__in=frontier)).values_list(
            "recommendation_id", "earlier_id"
        )
        found = {i for pair in pairs for i in pair} - seen
        found = set(sorted(found)[: MAX_CHAIN - len(seen)])
        seen |= found
        frontier = found
    return seen


def summarise(recs: list[Recommendation]) -> dict:
    """The sentence-sized summary of a chain: per cycle, who recommended it and the responses."""
    cycles: dict[int, dict] = {}
    for rec in recs:
        entry = cycles.setdefault(rec.review.session.cycle_id, {"cycle": rec.review.session.cycle_id,
                                                                 "states": [], "responses": []})
        for state in rec.recommending_states.all():
            if state.name not in entry["states"]:
                entry["states"].append(state.name)
        entry["responses"].append(rec.response)
    steps = list(cycles.values())
    responses = {r for step in steps for r in step["responses"]}
    return {
        "cycles": steps,
        "same_response": responses.pop() if len(responses) == 1 else None,
    }


def chain(rec: Recommendation) -> dict | None:
    """The chain of ``rec``, or ``None`` when no link touches it.

    ``{"recommendations": [Recommendation...], "summary": {...}, "links": {(later, earlier): score},
    "human_links": n}`` (links a person made rather than text similarity)
    """
    ids = _linked_ids(rec.pk)
    if len(ids) < 2:
        return None
    recs = list(Recommendation.objects.with_related().filter(pk__in=ids).order_by("review__session_id", "id"))
    links = {}
    human = 0
    for later, earlier, score, origin in LineageLink.objects.filter(
        recommendation_id__in=ids, earlier_id__in=ids
    ).values_list("recommendation_id", "earlier_id", "score", "origin"):
        links[(later, earlier)] = score
        human += origin == "human"
    return {"recommendations": recs, "summary": summarise(recs), "links": links, "human_links": human}


def chain_out(rec: Recommendation) -> dict:
    """JSON shape of a recommendation's lineage (API): its direct earlier and later links and the chain."""
    from uprwatch.records.shapes import recommendation_out

    found = chain(rec)
    fields = ("lexical", "semantic", "score", "origin")
    earlier = LineageLink.objects.filter(recommendation=rec).values_list("earlier_id", *fields)
    later = LineageLink.objects.filter(earlier=rec).values_list("recommendation_id", *fields)
    return {
        "id": rec.pk,
        "earlier": [{"id": i, "lexical": lx, "semantic": sm, "score": sc, "origin": o} for i, lx, sm, sc, o in earlier],
        "later": [{"id": i, "lexical": lx, "semantic": sm, "score": sc, "origin": o} for i, lx, sm, sc, o in later],
        "chain": [recommendation_out(r) for r in found["recommendations"]] if found else [],
        "summary": found["summary"] if found else None,
    }


def recurring(state: State, limit: int = 200) -> list[dict]:
    """Recommendations to ``state`` that repeat earlier ones: each latest-cycle recommendation with
    links, with the earlier recommendations it repeats. Most-repeated first — a repeated
    recommendation is a signal that the earlier ones were not implemented.

    ``[{"recommendation": Recommendation, "earlier": [Recommendation...], "times": n,
    "noted_before": n}]``
    """
    later_ids = list(
        LineageLink.objects.filter(recommendation__review__state=state)
        .exclude(recommendation__in=LineageLink.objects.filter(earlier__review__state=state).values("earlier_id"))
        .values("recommendation_id")
        .annotate(n=Count("earlier_id"))
        .order_by("-n", "recommendation_id")
        .values_list("recommendation_id", flat=True)[:limit]
    )
    earlier_of: dict[int, list[int]] = defaultdict(list)
    for later, earlier in LineageLink.objects.filter(recommendation_id__in=later_ids).order_by("-score").values_list(
        "recommendation_id", "earlier_id"
    ):
        earlier_of[later].append(earlier)
    wanted = set(later_ids) | {i for ids in earlier_of.values() for i in ids}
    recs = {r.pk: r for r in Recommendation.objects.with_related().filter(pk__in=wanted)}
    rows = []
    for later in later_ids:
        before = sorted((recs[i] for i in earlier_of[later]), key=lambda r: (r.review.session_id, r.pk))
        rows.append({
            "recommendation": recs[later],
            "earlier": before,
            "times": len(before) + 1,
            "noted_before": sum(r.response in NOTED_RESPONSES for r in before),
        })
    return rows


def recurring_count(state: State) -> int:
    return LineageLink.objects.filter(recommendation__review__state=state).values("recommendation_id").distinct().count()


def earlier_links(ids: list[int]) -> dict[int, list[dict]]:
    """For each of ``ids``, the earlier-cycle recommendations it repeats (one query; for list pages).

    ``{id: [{"id", "cycle", "session", "response"}...]}``, oldest first; ids without links are absent.
    """
    found: dict[int, list[dict]] = {}
    rows = (
        LineageLink.objects.filter(recommendation_id__in=ids)
        .order_by("earlier__review__session_id", "earlier_id")
        .values_list(
            "recommendation_id", "earlier_id", "earlier__review__session__cycle_id",
            "earlier__review__session_id", "earlier__response",
        )
    )
    for rec_id, earlier_id, cycle, session, response in rows:
        found.setdefault(rec_id, []).append({"id": earlier_id, "cycle": cycle, "session": session, "response": response})
    return found
