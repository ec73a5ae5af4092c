"""API endpoints for search: faceted full-text/semantic search, exports, similar recommendations.

Every endpoint reads its filters with ``SearchParams.from_querydict`` (the same parser as the web page
and the CLI); the declared query parameters below are there for the OpenAPI documentation.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, create_model

from uprwatch.api.records import MechanismBase, RecommendationBase
from uprwatch.records.models import Recommendation
from uprwatch.records.shapes import recommendation_out
from uprwatch.search import exports
from uprwatch.search.filters import FILTERS
from uprwatch.search.service import MAX_LIMIT, MODES, SORTS, SearchParams, search
from uprwatch.search.similar import similar_to

router = Router(tags=["search"])


class SearchResultOut(RecommendationBase):
    snippet: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class ExpansionOut(Schema):
    typed: str
    kind: str  # state | people | synonym
    meaning: str
    added: list[str]
    sources: list[str]


class SuggestionOut(Schema):
    kind: str  # spelling | fewer words | with other names and synonyms | without the ... filter | ...
    q: str
    count: int
    query: str  # the suggested search as a URL query string


class MechanismResultOut(MechanismBase):
    """A treaty body's or special procedure's recommendation or observation (``body`` other than UPR)."""

    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    source: str
    record_id: str
    snippet: str


class SearchOut(Schema):
    count: int
    matches: int
    by_meaning: int
    count_label: str
    mode: str
    expansions: list[ExpansionOut]
    results: list[SearchResultOut] | list[MechanismResultOut]
    related: list[SearchResultOut]
    suggestions: list[SuggestionOut]
    facets: dict[str, list[FacetValueOut]]


class SimilarOut(Schema):
    score: float
    recommendation: SearchResultOut


def documented(default, **constraints) -> Field:
    """A parameter whose allowed values the schema states (an enum, a range) while the service still checks
    them, with its own message (400): ninja validating them would answer 422 with pydantic's wording."""
    return Field(default, json_schema_extra=constraints)


# The query parameters every search endpoint documents: the filters of the one table (search.filters),
# between ``q`` and the options, as the CLI's options and the search page's facets are.
SearchFilters = create_model(
    "SearchFilters",
    __base__=Schema,
    q=(str, ""),
    **{f.name: (list[f.kind], []) for f in FILTERS},
    human_only=(bool, False),
    mode=(str, documented("auto", enum=list(MODES))),
    exact=(bool, False),
    expand=(bool, True),
    sort=(str, documented("relevance", enum=list(SORTS))),
    limit=(int, documented(20, minimum=0, maximum=MAX_LIMIT)),
    offset=(int, documented(0, minimum=0)),
)


@router.get(
    "/recommendations", response=SearchOut, summary="Search recommendations (faceted full-text / semantic)",
    description="Words are ANDed; `OR`, `-word`/`NOT word`, `\"phrases\"`, `prefix*`, `exact:`. "
    "Repeat a filter to OR its values (`sur=China&sur=Cuba`); state names accept any alias. "
    "`mode` = auto (default: the words' matches, then the closest by meaning in `related` when fewer than "
    "20 match) | text | semantic (the 50 closest) | hybrid; `sort` = relevance | session | -session | state. "
    "`expand=0` searches only the words typed (by default a state's other names, its people's name and "
    "synonyms are searched too: see `expansions`). `count` is the length of the result list, `matches` how "
    "many recommendations the words match, `count_label` says which. With no match, `suggestions` lists "
    "other searches with their counts. Facets count each value for the current query and the other filters. "
    "`body` chooses the UN mechanism: none means the UPR (as always); `body=CAT`, a committee under either "
    "name, `body=special procedures` or a mechanism's name returns those mechanisms' recommendations and "
    "observations (other fields: `mechanism`, `states`, `symbol`, `published`, `url`) with the `body` facet; "
    "`body=UPR` adds the `body` facet to a UPR search.",
)
def search_recommendations(request, filters: Query[SearchFilters]):
    result = search(SearchParams.from_querydict(request.GET))
    # The service already builds exactly the SearchOut shape (tests/test_search.py checks it against the
    # schema); re-validating ~700 facet entries per response through pydantic took half the request time.
    return HttpResponse(json.dumps(result), content_type="application/json; charset=utf-8")


@router.get(
    "/recommendations/export", summary="Export every matching recommendation (CSV, XLSX or JSON, streamed)",
    description="Same filters as `GET /api/recommendations`; `limit`/`offset` are ignored (all rows).",
)
def export_recommendations(request, filters: Query[SearchFilters], format: str = "csv"):
    return exports.export_response(SearchParams.from_querydict(request.GET), format)


@router.get(
    "/recommendations/{int:rec_id}/similar", response=list[SimilarOut],
    summary="Recommendations closest in meaning (wordllama vectors, cosine similarity)",
)
def similar_recommendations(request, rec_id: int, k: int = 10, same_sur: bool = False):
    if not 1 <= k <= 100:
        raise HttpError(400, "k must be between 1 and 100")
    pairs = similar_to(rec_id, k=k, same_sur=same_sur)
    records = Recommendation.objects.with_related().in_bulk([pk for pk, _ in pairs])
    return [
        {"score": score, "recommendation": dict(recommendation_out(records[pk]), snippet=records[pk].text)}
        for pk, score in pairs
    ]
