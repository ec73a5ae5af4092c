"""Which recommendations a campaign's saved search matches.

The query is stored as a URL query string (``q=repatriation&sur=China``) so that it round-trips
through the search page. When the search feature's service (``uprwatch.search.service``) is
installed we resolve it there, so campaigns match exactly what the search page shows; otherwise a
small built-in filter understands ``q`` (all words in the text), ``sur`` (State under Review),
``by`` (recommending state), ``response``, ``session`` and ``cycle``.
"""

from __future__ import annotations

from django.http import QueryDict

from uprwatch.records.models import Recommendation, Response
from uprwatch.records.states import UnknownStateError, resolve_state
from uprwatch.tracking.errors import Invalid

FALLBACK_KEYS = {"q", "sur", "by", "response", "session", "cycle"}


def _search_service():
    try:
        from uprwatch.search import service
    except ImportError:
        return None
    if hasattr(service, "SearchParams") and hasattr(service, "matching_ids"):
        return service
    return None


def matching_ids(query: str) -> set[int]:
    """Ids of the recommendations the saved search matches; an empty query matches nothing."""
    if not (query or "").strip():
        return set()
    params = QueryDict(query.lstrip("?"))
    service = _search_service()
    if service is not None:
        try:
            return set(service.matching_ids(service.SearchParams.from_querydict(params)))
        except (ValueError, LookupError) as exc:
            raise Invalid(f"the campaign's search does not work: {exc}") from exc
    return set(_fallback(params).values_list("pk", flat=True))


def validate(query: str) -> str:
    query = (query or "").strip().lstrip("?")
    matching_ids(query)
    return query


def _state(name: str):
    try:
        return resolve_state(name)
    except UnknownStateError as exc:
        raise Invalid(str(exc)) from exc


def _fallback(params: QueryDict):
    unknown = set(params) - FALLBACK_KEYS - {"page", "sort"}
    if unknown:
        raise Invalid(f"unknown search field(s): {', '.join(sorted(unknown))}")
    recs = Recommendation.objects.all()
    for word in params.get("q", "").split():
        recs = recs.filter(text__icontains=word)
    if params.get("sur"):
        recs = recs.filter(review__state__iso3=_state(params["sur"]).iso3)
    if params.get("by"):
        recs = recs.filter(recommending_states__iso3=_state(params["by"]).iso3)
    if params.get("response"):
        if params["response"] not in Response.values:
            raise Invalid(f"unknown response {params['response']!r}")
        recs = recs.filter(response=params["response"])
    for key, field in (("session", "review__session_id"), ("cycle", "review__session__cycle_id")):
        if params.get(key):
            if not params[key].isdecimal():
                raise Invalid(f"{key} must be a number")
            recs = recs.filter(**{field: int(params[key])})
    return recs.distinct()


# What each part of a saved search means, in the search page's own words.
QUERY_LABELS = {
    "q": "words", "sur": "State under Review", "by": "recommended by", "sur_group": "regional group of the State under Review",
    "by_group": "regional group of the recommending state", "sur_bloc": "organisation of the State under Review",
    "by_bloc": "organisation of the recommending state", "cycle": "cycle", "session": "session", "year": "year",
    "response": "response", "action": "action category", "issue": "issue", "theme": "theme",
    "mode": "match", "exact": "exact words", "human_only": "human labels only", "sort": "sorted by",
}


def describe(query: str) -> list[tuple[str, str]]:
    """A saved search in plain words: ``q=refoulement&sur=China`` → [("words", "refoulement"),
    ("State under Review", "China")]; several values of one filter are joined with "or"."""
    params = QueryDict((query or "").lstrip("?"))
    described = []
    for key in params:
        if key in ("page", "sort"):
            continue
        values = [v for v in params.getlist(key) if v]
        if values:
            described.append((QUERY_LABELS.get(key, key), " or ".join(values)))
    return described
