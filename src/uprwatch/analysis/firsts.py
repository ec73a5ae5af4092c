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

from uprwatch.api.records import recommendation_out
from uprwatch.records.models import Recommendation
from uprwatch.search.catalog import get_catalog
from uprwatch.search.service import SearchParams, matching_ids


def first_raised(params: SearchParams) -> dict:
    """The earliest matching recommendation(s) and the first one by each recommending state.

    Returns ``{"query", "matches", "first": [rec...], "by_state": {state name: rec}}`` where each
    rec is the shared recommendation shape (``id``, ``session``, ``cycle``, ``year``,
    ``recommending_states``, ``text``, ``response``, ...). ``first`` lists every matching
    recommendation of the earliest session (several states often raise a point at the same review);
    ``by_state`` is ordered by when each state first raised it, then by name.
    """
    ids = np.asarray(matching_ids(replace(params, sort="session", limit=0, offset=0)), dtype=np.int64)
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

    wanted = set(first_ids) | {rec_id for _, rec_id in state_firsts}
    recs = {rec.pk: recommendation_out(rec) for rec in Recommendation.objects.with_related().filter(pk__in=wanted)}
    result["first"] = [recs[i] for i in sorted(first_ids) if i in recs]
    result["by_state"] = {name: recs[rec_id] for name, rec_id in state_firsts if rec_id in recs}
    return result
