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
