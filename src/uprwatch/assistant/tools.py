"""The assistant tools as plain functions over the existing services (no second search or analysis).

Each function takes the ``caller`` (a user, or ``AnonymousUser`` without a token) and the tool's
arguments, and returns a JSON-ready dict. Answers are bounded: lists are paged (``limit`` at most
``MAX_LIMIT``) and say how many there are in all and how to narrow, so a broad question cannot flood
an assistant's context. Private tracking data passes through the tracking services' own visibility
rules, so a caller sees exactly what the same user sees in the web UI and the API.

Bad arguments raise ``uprwatch.errors.Invalid`` / ``NotFound``; the server turns them into tool errors.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from uprwatch.analysis import profiles, recurrence
from uprwatch.analysis.firsts import first_raised
from uprwatch.assistant.citations import cite, cite_ids, recommendations_by_id
from uprwatch.calendar import summary as calendar_summary
from uprwatch.errors import Invalid, NotFound
from uprwatch.records.lookup import find_state
from uprwatch.search.service import SearchParams, search
from uprwatch.sources.merge import disagreements, positions
from uprwatch.sources.related import related_mechanisms
from uprwatch.tracking import assessments, campaigns, events
from uprwatch.tracking.models import Campaign
from uprwatch.tracking.permissions import can_view

MAX_LIMIT = 25
DEFAULT_LIMIT = 10
TOP = 10  # entries of a profile's ranked lists

# The search filters an assistant may pass: the API's own names (GET /api/recommendations).
SEARCH_FILTERS = ("sur", "by", "sur_group", "by_group", "sur_bloc", "by_bloc", "cycle", "session", "year",
                  "response", "action", "issue", "theme", "body")


def _page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise Invalid("offset must be 0 or more")
    return limit, offset


def _paged(total: int, offset: int, returned: int, narrow: str) -> dict:
    """How many there are, where this page sits, and what to do for the rest."""
    following = offset + returned
    more = following < total
    note = f"{total} in all; this page has {returned} from offset {offset}."
    if more:
        note += f" Ask again with offset={following} for the next page, or narrow: {narrow}"
    return {"total": total, "offset": offset, "returned": returned, "next_offset": following if more else None,
            "note": note}


def _state(name: str):
    return find_state(name)  # StateNotFound is a NotFound, with suggestions


def _search_params(query: str, filters: dict[str, Any], **extra: Any) -> SearchParams:
    values: dict[str, Any] = {"q": query, **extra}
    for key in SEARCH_FILTERS:
        given = filters.get(key)
        if given:
            values[key] = [str(v) for v in given]
    params = SearchParams.from_querydict({k: v for k, v in values.items() if v not in (None, "")})
    params.validate()  # a QueryError is an Invalid: the server reports it as a tool error
    return params


# --- public data ------------------------------------------------------------------------------------

def search_recommendations(caller, url_base: str, query: str = "", filters: dict[str, Any] | None = None,
                           mode: str = "text", sort: str = "relevance", limit: int = DEFAULT_LIMIT,
                           offset: int = 0) -> dict:
    """Recommendations matching a query and filters, as citations, with the main facets to narrow by."""
    limit, offset = _page(limit, offset)
    params = _search_params(query, filters or {}, mode=mode, sort=sort, limit=str(limit), offset=str(offset))
    found = search(params)
    narrow_by = {
        name: [{"value": v["label"] or v["value"], "count": v["count"]} for v in found["facets"].get(name, [])[:8]]
        for name in ("sur", "by", "cycle", "response", "issue", "body")
        if found["facets"].get(name)
    }
    out = _paged(found["count"], offset, len(found["results"]), "add filters such as sur (State under Review), by "
                 "(recommending state), cycle, response or issue; the counts under narrow_by show the effect.")
    if params.mode == "semantic":
        out["note"] = ("Semantic mode ranks recommendations by meaning: 'total' is the number of nearest "
                       "neighbours considered, not a count of matches. " + out["note"])
    if _other_mechanisms(params):
        # Treaty bodies' and special procedures' records come in their own sourced shape (symbol, url).
        results = [{**row, "url": _absolute(row.get("url") or "", url_base)} for row in found["results"]]
    else:
        results = cite_ids([row["id"] for row in found["results"]], url_base)
    return {**out, "query": query, "mode": params.mode, "results": results, "narrow_by": narrow_by}


def _other_mechanisms(params: SearchParams) -> bool:
    """Whether ``body`` asks for treaty bodies or special procedures rather than the UPR."""
    from uprwatch.sources.mechanisms import parse_body

    return bool(params.body) and bool(parse_body(params.body).others)


def _absolute(url: str, url_base: str) -> str:
    return f"{url_base}{url}" if url.startswith("/") else url


def get_recommendation(caller, url_base: str, recommendation_id: int) -> dict:
    """One recommendation with its lineage across cycles and the assessments the caller may see."""
    found = recommendations_by_id([recommendation_id])
    if not found:
        raise NotFound(f"no recommendation {recommendation_id}")
    rec = found[0]
    lineage = recurrence.chain_out(rec)
    linked = {link["id"] for link in lineage["earlier"] + lineage["later"]}
    linked_citations = {c["id"]: c for c in cite_ids(sorted(linked), url_base)}
    visible = assessments.visible_assessments(caller).filter(recommendation=rec).order_by("organisation__name")
    from uprwatch.api.tracking import assessment_out  # the API's shape of an assessment, for one vocabulary

    return {
        "recommendation": cite(rec, url_base),
        "lineage": {
            "earlier": [{**link, "recommendation": linked_citations.get(link["id"])} for link in lineage["earlier"]],
            "later": [{**link, "recommendation": linked_citations.get(link["id"])} for link in lineage["later"]],
            "summary": lineage["summary"],
        },
        "state_response": assessments.state_claim(rec),
        # What every source (UPR Info, UHRI, a UN document) says the state answered; they may disagree.
        "positions": [asdict(p) for p in positions(rec)],
        "sources_disagree": bool(disagreements(rec)),
        "other_mechanisms": [{**m, "url": _absolute(m.get("url") or "", url_base)} for m in related_mechanisms(rec)],
        "assessments": [assessment_out(a, full=True, user=caller) for a in visible[:MAX_LIMIT]],
    }


def firsts(caller, url_base: str, query: str, filters: dict[str, Any] | None = None, limit: int = DEFAULT_LIMIT,
           offset: int = 0) -> dict:
    """Who raised a point first: the earliest matching recommendations and each state's first one."""
    limit, offset = _page(limit, offset)
    if not query.strip():
        raise Invalid("query is required: the words of the point (e.g. refoulement)")
    params = _search_params(query, filters or {})
    found = first_raised(params)
    firsts_by_state = list(found["by_state"].items())
    page = firsts_by_state[offset:offset + limit]
    cited = {c["id"]: c for c in cite_ids([r["id"] for r in found["first"]] + [r["id"] for _, r in page], url_base)}
    out = _paged(len(firsts_by_state), offset, len(page), "add filters such as sur or cycle.")
    return {
        **out,
        "query": query,
        "matches": found["matches"],
        "first": [cited[r["id"]] for r in found["first"][:MAX_LIMIT]],
        "by_state": [{"state": state, "first": cited[r["id"]]} for state, r in page],
    }


def _top(rows: list[dict]) -> list[dict]:
    return rows[:TOP]


def state_profile(caller, url_base: str, state: str) -> dict:
    """A state's figures as State under Review and as recommender (ranked lists cut to their top entries)."""
    found = _state(state)
    profile = profiles.cached_state_profile(found)
    reviewed, made = profile["as_reviewed"], profile["as_recommender"]
    keep = ("total", "supported", "partially_supported", "noted", "other", "support_rate")
    return {
        "state": profile["state"],
        "support_rate_definition": "supported / (supported + partially supported + noted)",
        "as_reviewed": {
            **{k: reviewed[k] for k in keep}, "by_cycle": reviewed["by_cycle"], "top_issues": _top(reviewed["by_issue"]),
            "top_recommending_states": _top(reviewed["top_recommending_states"]),
            "action_categories": reviewed["action_categories"],
        },
        "as_recommender": {
            **{k: made[k] for k in keep}, "by_cycle": made["by_cycle"], "top_issues": _top(made["by_issue"]),
            "top_targets": _top(made["top_targets"]),
        },
        "url": f"{url_base}/states/{found.slug}/profile/",
    }


def pair(caller, url_base: str, recommender: str, reviewed: str, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    """Every recommendation from one state to another across cycles: figures and the recommendations."""
    limit, offset = _page(limit, offset)
    data = profiles.pair_view(_state(recommender), _state(reviewed))
    ids = list(data.pop("recommendations").values_list("pk", flat=True))
    page = ids[offset:offset + limit]
    out = _paged(len(ids), offset, len(page), "use search_recommendations with sur and by for a query.")
    return {**data, **out, "recommendations": cite_ids(page, url_base)}


def state_calendar(caller, url_base: str, state: str) -> dict:
    """A state's reviews in cycles 1-5 with dates, status (official / derived / projected) and deadlines."""
    return calendar_summary.state_summary(state)


def upcoming(caller, url_base: str, days: int = 120, state: str | None = None, limit: int = MAX_LIMIT,
             offset: int = 0) -> dict:
    """Deadlines due within ``days`` days, of every state or one, soonest first (paged)."""
    limit, offset = _page(limit, offset)
    if not 0 <= days <= 3650:
        raise Invalid("days must be between 0 and 3650")
    due = calendar_summary.deadlines_due(days, state=state)
    page = due[offset:offset + limit]
    return {**_paged(len(due), offset, len(page), "give state, or fewer days."), "days": days, "state": state,
            "deadlines": page}


def coverage(caller, url_base: str, state: str | None = None) -> dict:
    """What the database holds: one state's cycles (recommendations, sources, last sync, or 'not loaded'
    with the command that loads it), or without a state the per-cycle summary of which states are covered."""
    from uprwatch.sources import coverage as held

    if state:
        return held.coverage(state)["states"][0]
    return {"cycles": held.cycle_coverage(),
            "note": "Per cycle: how many of the states reviewed so far uprwatch holds. Give a state for its detail."}


# --- a member's tracking data (public items only for anonymous callers) ----------------------------

def _visible(model, caller, pk: int):
    obj = model.objects.select_related("organisation").filter(pk=pk).first()
    # The same answer whether it does not exist or the caller may not see it: existence is private too.
    if obj is None or not can_view(caller, obj):
        raise NotFound(f"no {model._meta.verbose_name} {pk} that you may see")
    return obj


def list_campaigns(caller, url_base: str, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    from uprwatch.api.tracking import campaign_out

    limit, offset = _page(limit, offset)
    found = campaigns.visible_campaigns(caller).prefetch_related("states").order_by("organisation__name", "name")
    total = found.count()
    page = [{**campaign_out(w), "url": f"{url_base}{w.get_absolute_url()}"} for w in found[offset:offset + limit]]
    return {**_paged(total, offset, len(page), "ask for one campaign by id."), "campaigns": page}


def get_campaign(caller, url_base: str, campaign_id: int, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    from uprwatch.api.tracking import assessment_out, campaign_out

    limit, offset = _page(limit, offset)
    campaign = _visible(Campaign, caller, campaign_id)
    ids = sorted(campaigns.recommendation_ids(campaign))
    page = ids[offset:offset + limit]
    grouped = assessments.assessments_of(caller, page)
    out = {**campaign_out(campaign), "url": f"{url_base}{campaign.get_absolute_url()}"}
    return {
        "campaign": out,
        **_paged(len(ids), offset, len(page), "use search_recommendations for a subset."),
        "recommendations": [
            {**c, "assessments": [assessment_out(a) for a in grouped.get(c["id"], [])]} for c in cite_ids(page, url_base)
        ],
    }


def list_assessments(caller, url_base: str, recommendation_id: int | None = None, organisation: str | None = None,
                     limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    from uprwatch.api.tracking import assessment_out

    limit, offset = _page(limit, offset)
    found = assessments.visible_assessments(caller).order_by("-updated_at", "pk")
    if recommendation_id is not None:
        found = found.filter(recommendation_id=recommendation_id)
    if organisation:
        found = found.filter(organisation__slug=organisation)
    total = found.count()
    rows = list(found[offset:offset + limit])
    cited = {c["id"]: c for c in cite_ids({a.recommendation_id for a in rows}, url_base)}
    page = [{**assessment_out(a, full=True, user=caller), "recommendation": cited.get(a.recommendation_id)}
            for a in rows]
    return {**_paged(total, offset, len(page), "give recommendation_id or organisation."), "assessments": page}


def list_events(caller, url_base: str, state: str | None = None, recommendation_id: int | None = None,
                limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict:
    from uprwatch.api.tracking import event_out

    limit, offset = _page(limit, offset)
    found = events.visible_events(caller).prefetch_related("recommendations").order_by("-occurred_on", "pk")
    if state:
        found = found.filter(states=_state(state))
    if recommendation_id is not None:
        found = found.filter(recommendations=recommendation_id)
    found = found.distinct()
    total = found.count()
    page = [{**event_out(e, full=True, user=caller), "url": f"{url_base}{e.get_absolute_url()}"} for e in found[offset:offset + limit]]
    return {**_paged(total, offset, len(page), "give state or recommendation_id."), "events": page}


def whoami(caller, url_base: str) -> dict:
    """Who the server takes the caller to be, and which organisations' private data that opens."""
    if not caller.is_authenticated:
        return {"signed_in": False, "user": None, "organisations": [],
                "note": "Anonymous: public data only. Pass a member's API token to see its organisation's "
                        "private campaigns, assessments and events."}
    from uprwatch.tracking.models import Membership

    memberships = Membership.objects.filter(user=caller).select_related("organisation").order_by("organisation__name")
    return {"signed_in": True, "user": caller.get_username(),
            "organisations": [{"organisation": m.organisation.slug, "role": m.role} for m in memberships]}

