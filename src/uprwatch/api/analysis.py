"""API endpoints for analysis: state profiles, cycle comparison, pair view, firsts, lineage, recurring.

States are named by slug, ISO code or any alias the states table knows (``china``, ``CHN``,
``"Korea, Republic of"``); an unknown name is a 404 that says so.
"""

from __future__ import annotations

from ninja import Query, Router
from ninja.errors import HttpError

from uprwatch.analysis import profiles, recurrence
from uprwatch.api.auth import member
from uprwatch.api.search import SearchFilters
from uprwatch.records import browse
from uprwatch.records.lookup import find_state
from uprwatch.records.shapes import recommendation_out

router = Router(tags=["analysis"])


@router.get("/states/{name}/profile", summary="A state's profile as State under Review and as recommender",
            description="Counts per cycle, support rate overall / per issue / per action category, top recommending "
            "states and top targets, issues over time, cycle comparison. support_rate = supported / (supported + "
            "partially supported + noted).")
def state_profile(request, name: str) -> dict:
    return profiles.cached_state_profile(find_state(name))


@router.get("/states/{name}/cycle-comparison", summary="Issues new, dropped and persisting between cycles; change "
            "in support rate")
def cycle_comparison(request, name: str) -> list[dict]:
    return profiles.cycle_comparison(find_state(name))


@router.get("/pairs/{recommender}/{reviewed}", summary="All recommendations from one state to another, by cycle, "
            "issue and response")
def pair(request, recommender: str, reviewed: str) -> dict:
    data = profiles.pair_view(find_state(recommender), find_state(reviewed))
    data["recommendations"] = [recommendation_out(rec) for rec in data["recommendations"]]
    return data


@router.get("/firsts", summary="Who raised it first: the earliest matching recommendation(s) and the first by "
            "each recommending state",
            description="Same query syntax and filters as `GET /api/recommendations` (paging and sort are ignored). "
            "Returns `first` (the matching recommendations of the earliest session) and `by_state` (state name → "
            "its first matching recommendation), each with `session`, `cycle`, `year`, `recommending_states`, "
            "`text`, `response`.")
def firsts(request, filters: Query[SearchFilters]) -> dict:
    from uprwatch.analysis.firsts import first_raised
    from uprwatch.search.service import SearchParams

    return first_raised(SearchParams.from_querydict(request.GET))


@router.get("/recommendations/{int:rec_id}/lineage", summary="Similar recommendations to the same State under "
            "Review in other cycles (links with lexical, semantic and combined scores) and the whole chain")
def lineage(request, rec_id: int) -> dict:
    return recurrence.chain_out(browse.recommendation_detail(rec_id))


def _lineage_editor(request) -> None:
    from uprwatch.records.editors import can_edit_records as can_review

    if not can_review(request.user):
        raise HttpError(403, "only editors may link recommendations")


@router.post("/recommendations/{int:rec_id}/lineage/{int:earlier_id}", auth=member,
             summary="Record that a recommendation repeats an earlier-cycle one (editors; a person's link, kept "
             "when links are recomputed)")
def link_lineage(request, rec_id: int, earlier_id: int) -> dict:
    from uprwatch.analysis.lineage import confirm_link

    _lineage_editor(request)
    confirm_link(rec_id, earlier_id, user=request.user)
    return recurrence.chain_out(browse.recommendation_detail(rec_id))


@router.delete("/recommendations/{int:rec_id}/lineage/{int:earlier_id}", auth=member,
               summary="Remove a link a person made (editors)")
def unlink_lineage(request, rec_id: int, earlier_id: int) -> dict:
    from uprwatch.analysis.lineage import remove_link

    _lineage_editor(request)
    removed = remove_link(rec_id, earlier_id)
    if not removed:
        raise HttpError(404, f"no link made by a person from {rec_id} to {earlier_id}")
    return recurrence.chain_out(browse.recommendation_detail(rec_id))


@router.get("/states/{name}/recurring", summary="Recommendations to a state that repeat earlier-cycle ones, "
            "most-repeated first")
def recurring(request, name: str, limit: int = 100) -> list[dict]:
    if not 1 <= limit <= 1000:
        raise HttpError(400, "limit must be between 1 and 1000")
    return [
        {
            "recommendation": recommendation_out(row["recommendation"]),
            "earlier": [recommendation_out(rec) for rec in row["earlier"]],
            "times": row["times"],
            "noted_before": row["noted_before"],
        }
        for row in recurrence.recurring(find_state(name), limit=limit)
    ]
