"""Firsts: for any search, who raised it first — overall and for each recommending state.

The search is the search feature's own (``uprwatch.search.service``): same query syntax, same
filters, so "firsts" always answers about exactly the recommendations a search lists. The minima are
computed with numpy over the search catalog's columns (session per row, recommending states per
row), so a broad query over hundreds of thousands of recommendations costs milliseconds; only the
handful of winning recommendations are then read from the database.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from uprwatch.records.models import Recommendation
from uprwatch.search.catalog import get_catalog
from uprwatch.search.service import SearchParams, matching_ids


def summaries(ids: set[int]) -> dict[int, dict]:
    """{id: recommendation} in a compact shape (the keys of ``recommendation_out`` that firsts needs),
    read with two flat queries: a broad query has a first for each of ~150 states, and building full
    model instances with their labels for each would cost more than the whole search."""
    names: dict[int, list[str]] = {i: [] for i in ids}
    through = Recommendation.recommending_states.through
    for rec_id, name in through.objects.filter(recommendation_id__in=ids).order_by("state__name").values_list(
        "recommendation_id", "state__name"
    ):
        names[rec_id].append(name)
    rows = Recommendation.objects.filter(pk__in=ids).values_list(
        "pk", "paragraph", "text", "review__state__name", "review__session_id", "review__session__cycle_id",
        "review__session__year", "response", "action_category",
    )
    return {
        pk: {
            "id": pk, "paragraph": paragraph, "text": text, "state_under_review": sur,
            "recommending_states": names[pk], "session": session, "cycle": cycle, "year": year,
            "response": response, "action_category": action,
        }
        for pk, paragraph, text, sur, session, cycle, year, response, action in rows
    }


def first_raised(params: SearchParams) -> dict:
    """The earliest matching recommendation(s) and the first one by each recommending state.

    Returns ``{"query", "matches", "first": [rec...], "by_state": {state name: rec}}`` where each
    rec is ``{"id", "paragraph", "text", "state_under_review", "recommending_states", "session",
    "cycle", "year", "response", "action_category"}``. ``first`` lists every matching
    recommendation of the earliest session (several states often raise a point at the same review);
    ``by_state`` is ordered by when each state first raised it (session, then id).
    """
    # Only the recommendations the words match: in semantic and hybrid modes the result list also holds
    # the closest in meaning, and "who raised it first" must not be answered from a neighbour.
    ids = np.asarray(matching_ids(replace(params, mode="text", sort="session", limit=0, offset=0)), dtype=np.int64)
    catalog = get_catalog()
    rows = np.sort(catalog.rows_of(ids))
    result: dict = {"query": params.q, "matches": int(len(rows)), "first": [], "by_state": {}}
    if not len(rows):
        return result
    sessions = catalog.session[rows]
    earliest = sessions.min()
    first_ids = catalog.ids[rows[sessions == earliest]].tolist()

    # First recommendation per recommending state: the pairs (row, state code) of matching rows,
    # sorted by (session, id) so the first pair of each state is its earliest recommendation.
    by = catalog.facets["by"]
    matched = np.zeros(catalog.size, dtype=bool)
    matched[rows] = True
    keep = matched[by.owner]
    owners, members = by.owner[keep], by.members[keep]
    order = np.lexsort((catalog.ids[owners], catalog.session[owners]))
    owners, members = owners[order], members[order]
    _, first_positions = np.unique(members, return_index=True)
    first_positions.sort()  # earliest first
    state_firsts = [(by.values[members[p]], int(catalog.ids[owners[p]])) for p in first_positions]

    recs = summaries(set(first_ids) | {rec_id for _, rec_id in state_firsts})
    result["first"] = [recs[i] for i in sorted(first_ids) if i in recs]
    result["by_state"] = {name: recs[rec_id] for name, rec_id in state_firsts if rec_id in recs}
    return result
