"""Every recommendation's profile attributes as compact numpy arrays, held once per process.

A state profile is a dozen GROUP BYs over the recommendations to and by one state; on SQLite at
300,000 rows those cost most of a second. The same figures are a few ``np.bincount`` calls over these
arrays (about 20 ms of CPU at 300,000 rows), so the web page and the API compute profiles from
``ProfileFacts``; the build (about 3 s of CPU at 300,000 rows, mostly reading the rows) is paid once
per process and data version, like the search catalog's.

The arrays are rebuilt when the data changes: the key is the search feature's index stamp (bumped
on commit after every ``recommendations_changed``) plus the highest recommendation id, which also
catches a bulk load that sent no signal; the ``recommendations_changed`` receiver forgets them too.

Every ``*_rows`` method returns the same tuples as the SQL queries of ``profiles`` (a response as
its string, an action category as ``None`` or 1-5), so both paths share the code that turns them
into figures; ``tests/test_analysis.py`` checks that they agree on the real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Max

from uprwatch.records.models import Label, Recommendation, Response, Review, Session, Term
from uprwatch.snapshot import Snapshot

RESPONSES = [choice.value for choice in Response]
NO_ACTION = 0  # action code for a recommendation without an action category


@dataclass
class ProfileFacts:
    sur: np.ndarray  # State pk of the State under Review, per row (rows are recommendations by id)
    cycle: np.ndarray
    response: np.ndarray  # index into RESPONSES
    action: np.ndarray  # action category 1-5, NO_ACTION when none
    sur_order: np.ndarray  # rows sorted by sur: the rows to one state are a slice
    by_indptr: np.ndarray  # recommending states of row r: by_state[by_indptr[r]:by_indptr[r + 1]]
    by_state: np.ndarray
    by_owner: np.ndarray  # row of each (row, recommending state) pair
    by_order: np.ndarray  # pairs sorted by recommending state: the rows by one state are a slice
    issue_indptr: np.ndarray  # issue terms of row r: issue_term[issue_indptr[r]:issue_indptr[r + 1]]
    issue_term: np.ndarray
    sur_sorted: np.ndarray  # sur[sur_order]
    by_sorted: np.ndarray  # by_state[by_order]
    key: tuple = ()

    # --- which rows ------------------------------------------------------------------------------

    def received(self, state_id: int) -> np.ndarray:
        """Rows of the recommendations made to a state (ascending: the sort is stable)."""
        lo, hi = np.searchsorted(self.sur_sorted, [state_id, state_id + 1])
        return self.sur_order[lo:hi]

    def made(self, state_id: int) -> np.ndarray:
        """Rows of the recommendations a state made, alone or jointly (ascending and distinct: pairs
        are distinct and sorted by row, and the sort by state is stable)."""
        lo, hi = np.searchsorted(self.by_sorted, [state_id, state_id + 1])
        return self.by_owner[self.by_order[lo:hi]]

    # --- GROUP BY equivalents --------------------------------------------------------------------

    def fact_rows(self, rows: np.ndarray, with_sur: bool = False) -> list[tuple]:
        """``[(*([sur] if with_sur), cycle, action category, response, n)]``, as ``profiles._facts``."""
        columns = ([self.sur[rows]] if with_sur else []) + [self.cycle[rows], self.action[rows], self.response[rows]]
        return [(*_decode_head(key[:-2]), _action(key[-2]), RESPONSES[key[-1]], n)
                for key, n in _group(columns)]

    def recommender_rows(self, rows: np.ndarray) -> list[tuple]:
        """``[(recommending state pk, response, n)]`` over the (recommendation, state) pairs of ``rows``."""
        pairs, owners = _gather(self.by_indptr, self.by_state, rows)
        return [(int(state), RESPONSES[response], n) for (state, response), n in
                _group([pairs, self.response[owners]])]

    def issue_rows(self, rows: np.ndarray) -> list[tuple]:
        """``[(issue term pk, cycle, response, n)]`` over the issue labels of ``rows``."""
        terms, owners = _gather(self.issue_indptr, self.issue_term, rows)
        return [(int(term), int(cycle), RESPONSES[response], n) for (term, cycle, response), n in
                _group([terms, self.cycle[owners], self.response[owners]])]


def _action(code) -> int | None:
    return None if code == NO_ACTION else int(code)


def _decode_head(values) -> tuple:
    return tuple(int(v) for v in values)


def _group(columns: list[np.ndarray]) -> list[tuple[tuple, int]]:
    """Distinct combinations of the columns with their counts (a GROUP BY ... COUNT(*)).

    The columns hold small non-negative integers (state and term pks, codes), so each combination is
    one mixed-radix integer and the counting is one ``np.bincount``: linear, no sort.
    """
    if not len(columns[0]):
        return []
    columns = [np.asarray(c, dtype=np.int64) for c in columns]
    sizes = [int(c.max()) + 1 for c in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key = key * size + column
    counts = np.bincount(key)
    present = np.flatnonzero(counts)
    decoded = []
    rest = present
    for size in reversed(sizes):
        decoded.append(rest % size)
        rest = rest // size
    combos = np.stack(decoded[::-1], axis=1).tolist()
    return [(tuple(combo), n) for combo, n in zip(combos, counts[present].tolist(), strict=True)]


def _gather(indptr: np.ndarray, members: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(members of the given rows, the row each came from) from a CSR layout, without a Python loop."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    owners = np.repeat(rows, lengths)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return members[np.arange(int(lengths.sum())) + offsets], owners


def _csr(owner_rows: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, values, owners) sorted by row. The pairs are distinct already (unique constraints on
    the recommending-states table and on labels), so a stable sort is all it takes."""
    order = np.argsort(owner_rows, kind="stable")
    owners, members = owner_rows[order].astype(np.int32), values[order].astype(np.int32)
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=size), out=indptr[1:])
    return indptr, members, owners


def data_key() -> tuple:
    from uprwatch.records.stamp import current_stamp

    # MAX(id) reads one index entry; a COUNT(*) would scan 300,000 rows on every request
    return current_stamp(), Recommendation.objects.aggregate(last=Max("id"))["last"]


def build_facts(key: tuple = ()) -> ProfileFacts:
    """Read the attributes with four flat queries (no joins: the small tables are joined in Python)."""
    cycle_of = dict(Session.objects.values_list("number", "cycle_id"))
    reviews = {pk: (state, cycle_of[session]) for pk, state, session in
               Review.objects.values_list("id", "state_id", "session_id")}
    response_code = {value: i for i, value in enumerate(RESPONSES)}
    rows = list(Recommendation.objects.order_by("id").values_list("id", "review_id", "response", "action_category")
                .iterator(chunk_size=20_000))
    size = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=size)
    sur = np.fromiter((reviews[r[1]][0] for r in rows), dtype=np.int32, count=size)
    cycle = np.fromiter((reviews[r[1]][1] for r in rows), dtype=np.int16, count=size)
    response = np.fromiter((response_code.get(r[2], response_code[Response.UNKNOWN]) for r in rows),
                           dtype=np.int8, count=size)
    action = np.fromiter((r[3] or NO_ACTION for r in rows), dtype=np.int8, count=size)
    del rows

    def pairs(queryset) -> tuple[np.ndarray, np.ndarray]:
        array = np.asarray(list(queryset.iterator(chunk_size=50_000)), dtype=np.int64).reshape(-1, 2)
        positions = np.searchsorted(ids, array[:, 0])
        known = (positions < size) & (ids[np.clip(positions, 0, max(size - 1, 0))] == array[:, 0])
        return positions[known], array[known, 1]

    by_rows, by_states = pairs(Recommendation.recommending_states.through.objects.values_list(
        "recommendation_id", "state_id"))
    by_indptr, by_state, by_owner = _csr(by_rows, by_states, size)
    issue_ids = list(Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE).values_list("pk", flat=True))
    label_rows, label_terms = pairs(Label.objects.filter(term_id__in=issue_ids).values_list("recommendation_id",
                                                                                          "term_id"))
    issue_indptr, issue_term, _ = _csr(label_rows, label_terms, size)
    sur_order = np.argsort(sur, kind="stable").astype(np.int32)
    by_order = np.argsort(by_state, kind="stable").astype(np.int32)
    return ProfileFacts(
        sur=sur, cycle=cycle, response=response, action=action, sur_order=sur_order,
        by_indptr=by_indptr, by_state=by_state, by_owner=by_owner, by_order=by_order,
        issue_indptr=issue_indptr, issue_term=issue_term,
        sur_sorted=sur[sur_order], by_sorted=by_state[by_order], key=key,
    )


_facts: Snapshot[ProfileFacts] = Snapshot(data_key, build_facts)


def get_facts() -> ProfileFacts:
    """This process's facts, rebuilt first when the data changed since they were built."""
    return _facts.get()


def invalidate() -> None:
    """Forget this process's facts."""
    _facts.forget()


def on_recommendations_changed(sender, ids: list[int], reason: str = "", **kwargs) -> None:
    """An edit keeps the count and the ids: forget the facts now (this process) and again on commit
    (in case they were rebuilt inside the transaction from data a rollback would undo)."""
    from django.db import transaction

    invalidate()
    transaction.on_commit(invalidate)
