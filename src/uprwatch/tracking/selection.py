"""Which recommendations a campaign's saved search matches.

The query is stored as a URL query string (``q=repatriation&sur=China``) so that it round-trips
through the search page. The search service resolves it, so campaigns match exactly what the search
page shows.
"""

from __future__ import annotations

from django.http import QueryDict

from uprwatch.search import service
from uprwatch.tracking.errors import Invalid


def matching_ids(query: str) -> set[int]:
    """Ids of the recommendations the saved search matches; an empty query matches nothing."""
    if not (query or "").strip():
        return set()
    params = QueryDict(query.lstrip("?"))
    try:
        return set(service.matching_ids(service.SearchParams.from_querydict(params)))
    except (ValueError, LookupError) as exc:
        raise Invalid(f"the campaign's search does not work: {exc}") from exc


def validate(query: str) -> str:
    query = (query or "").strip().lstrip("?")
    matching_ids(query)
    return query


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
