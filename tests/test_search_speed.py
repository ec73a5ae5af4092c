"""Search: the fast paths give the same answers as the plain ones they replace.

Facets counted through keys vs through every (row, value) pair, precomputed sort orders vs a direct
sort, top-k by partition vs a full sort, the API's pre-serialised JSON vs the schema-validated object,
and the two-stage vector search used above 100k rows vs exact scores.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uprwatch.records.models import Recommendation, State
from uprwatch.search import catalog as catalog_module
from uprwatch.search import vectors
from uprwatch.search.service import SEMANTIC_TOP, SearchParams, _rank_desc, _top, matching_ids, search
from uprwatch.search.similar import similar_to


def test_facet_counts_through_keys_equal_counts_over_pairs(db):
    catalog = catalog_module.get_catalog()
    rng = np.random.default_rng(3)
    for share in (0.0005, 0.03, 0.6, 1.0):
        mask = rng.random(catalog.size) < share
        rows = np.flatnonzero(mask)
        for name, column in catalog.facets.items():
            direct = column.counts(mask, rows)
            assert np.array_equal(column.counts_from_keys(catalog.key_counts(column.key, mask)), direct), name
            assert np.array_equal(column.counts_from_keys(catalog.key_counts(column.key, rows)), direct), name
            picked = rng.choice(len(column.values), size=min(3, len(column.values)), replace=False).tolist()
            assert np.array_equal(catalog.rows_with(name, picked), column.rows_with(picked, catalog.size)), name


def test_sort_orders_equal_a_direct_sort(db):
    rank = {name: i for i, name in enumerate(State.objects.order_by("name").values_list("name", flat=True))}
    rows = list(
        Recommendation.objects.filter(pk__in=matching_ids(SearchParams(q="rights", sur=["China", "Cuba", "Chad"])))
        .values_list("pk", "review__session_id", "review__state__name")
    )
    assert len(rows) > 200
    expected = {
        "session": sorted(rows, key=lambda r: (r[1], r[0])),
        "-session": sorted(rows, key=lambda r: (-r[1], r[0])),
        "state": sorted(rows, key=lambda r: (rank[r[2]], r[1], r[0])),
    }
    for sort, ordered in expected.items():
        got = matching_ids(SearchParams(q="rights", sur=["China", "Cuba", "Chad"], sort=sort))
        assert got == [r[0] for r in ordered], sort
    no_words = matching_ids(SearchParams(sur=["Chad"]))  # relevance without words: by session
    assert no_words == [pk for pk, _ in sorted(
        Recommendation.objects.filter(review__state__name="Chad").values_list("pk", "review__session_id"),
        key=lambda r: (r[1], r[0]),
    )]


def test_top_k_by_partition_equals_a_full_sort_with_ties(db):
    catalog = catalog_module.get_catalog()
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 6, catalog.size).astype(np.float32)  # many ties: the id must break them
    candidates = np.flatnonzero(rng.random(catalog.size) < 0.3)
    for k in (1, 7, 200, len(candidates) + 5):
        assert np.array_equal(_top(scores, candidates, k, catalog), _rank_desc(scores, candidates, catalog)[:k])


@pytest.mark.parametrize("query", [
    {"q": "non-refoulement", "sur": "China"},
    {"response": "noted", "session": ["4", "17"], "limit": "5"},
    {"q": "torture", "sort": "state", "offset": "20", "by_group": "WEOG"},
    {"q": "refugees", "mode": "hybrid", "limit": "3"},
])
def test_api_json_is_the_schema_validated_object(db, client, query):
    from uprwatch.api.search import SearchOut

    response = client.get("/api/recommendations", query)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    expected = SearchOut.model_validate(search(SearchParams.from_querydict(query))).model_dump()
    assert response.json() == expected


@pytest.fixture
def two_stage_vectors():
    """Serve vectors as a large catalog does (coarse shortlist, float16 rerank), then restore."""
    saved = vectors.EXACT_ROWS, vectors.RERANK
    vectors.EXACT_ROWS, vectors.RERANK = 0, 3000
    vectors._forget()
    yield
    vectors.EXACT_ROWS, vectors.RERANK = saved
    vectors._forget()


def test_two_stage_vector_search_agrees_with_exact_scores(db, two_stage_vectors):
    catalog = catalog_module.get_catalog()
    query = "protect people fleeing persecution from being sent back"
    vectors.EXACT_ROWS = 10**9
    vectors._forget()
    exact = vectors.query_scores(query, catalog)
    vectors.EXACT_ROWS = 0
    vectors._forget()
    approx = vectors.query_scores(query, catalog)
    assert int(np.isfinite(approx).sum()) == 3000
    best_exact, best_approx = np.argsort(-exact)[:100], np.argsort(-approx)[:100]
    assert len(set(best_exact) & set(best_approx)) >= 95
    shared = np.intersect1d(best_exact, best_approx)
    assert np.allclose(approx[shared], exact[shared], atol=2e-3)

    result = search(SearchParams(q=query, mode="semantic", sur=["China"], limit=20))
    assert result["count"] == SEMANTIC_TOP
    assert {r["state_under_review"] for r in result["results"]} == {"China"}
    korea = Recommendation.objects.filter(review__state__name="China", text__icontains="refoulement").first()
    similar = similar_to(korea.pk, k=10)
    assert len(similar) == 10 and korea.pk not in [pk for pk, _ in similar]
    assert [s for _, s in similar] == sorted((s for _, s in similar), reverse=True)


def test_stop_words_are_words_on_both_backends(db):
    """PostgreSQL's stock "english" configuration dropped them: "the" matched nothing there."""
    the = SearchParams(q="the", limit=0)
    assert search(the)["count"] == search(SearchParams(q="exact:the", limit=0))["count"] > 20_000
    phrase = set(matching_ids(SearchParams(q='"right to life"')))
    texts = dict(Recommendation.objects.filter(text__icontains="to life").values_list("pk", "text"))
    pattern = re.compile(r"\brights?\W+to\W+life\b", re.IGNORECASE)
    assert {pk for pk, text in texts.items() if pattern.search(text)} <= phrase
    assert phrase and phrase != set(matching_ids(SearchParams(q='"right life"')))


@pytest.mark.parametrize("q", ["women", "refug* OR asylum", '"death penalty" -China', "-torture", "exact:women"])
def test_unranked_matches_are_the_ranked_matches(db, q):
    """Sorted by session or state (and for firsts), the backend skips relevance scoring: same rows."""
    catalog_module.get_catalog().__dict__.pop("_text_cache", None)
    by_session = matching_ids(SearchParams(q=q, sort="session"))
    catalog_module.get_catalog().__dict__.pop("_text_cache", None)
    by_relevance = matching_ids(SearchParams(q=q, sort="relevance"))
    assert by_session and sorted(by_session) == sorted(by_relevance)
    assert matching_ids(SearchParams(q=q, sort="session")) == by_session  # and again from the ranked cache


# --- BM25 from in-memory postings (servers) vs FTS5's bm25() ----------------------------------------

RANKED_QUERIES = ["refugees", "women", "death penalty", '"freedom of expression"', '"human rights" defenders',
                  'torture OR "cruel treatment"', "refug*", "ratif* OR refug*", "ratify convention -torture",
                  "woman", "(torture OR death) penalty", "non-refoulement", "exact:refugees"]


@pytest.fixture
def with_postings():
    from uprwatch.search import postings

    postings.build_with_catalog()
    catalog_module.invalidate()
    yield
    postings.build_with_catalog(False)
    catalog_module.invalidate()


@pytest.mark.parametrize("q", RANKED_QUERIES)
def test_postings_rank_as_fts5_bm25(db, with_postings, q):
    from django.db import connection

    from uprwatch.search import postings
    from uprwatch.search.backends import get_backend
    from uprwatch.search.query import parse_query

    if connection.vendor != "sqlite":
        pytest.skip("compared with FTS5's own bm25(): SQLite only")
    backend, catalog, parsed = get_backend(), catalog_module.get_catalog(), parse_query(q)
    index = postings.for_catalog(catalog, backend)
    assert index is not None and len(index.terms) > 5_000
    ids, bm25 = backend.match(parsed.tree, parsed.exact, ranked=True)
    assert len(ids) > 0
    order = np.argsort(ids)
    rows = catalog.rows_of(ids[order])
    ours = index.scores(index.query_postings(parsed.tree, backend, catalog.ids), rows)
    if parsed.exact:  # postings hold the stemmed index only: exact queries keep the database's ranking
        return
    if q.startswith('"'):  # a phrase's frequency is approximated by its rarest word's (no positions kept)
        assert np.corrcoef(ours, bm25[order])[0, 1] > 0.99
    else:
        np.testing.assert_allclose(ours, bm25[order], rtol=1e-4, atol=1e-5)


MATCHED_QUERIES = RANKED_QUERIES + [
    '"the right to"', '"right to right"', '"of the of"', "freedom of expression", '"human rights" -"rights defenders"',
    '(women OR girls) "domestic violence" -rape', "foo_bar", '"_ torture"', "_", "non-refoulement -china",
    '"women\'s rights"', "état", "漢字", '"national human rights institution" OR "paris principles"']


@pytest.mark.parametrize("q", MATCHED_QUERIES)
def test_postings_match_the_rows_the_database_matches(db, with_postings, q):
    """Servers find a query's rows in the postings (positions for phrases) instead of asking the database
    (FTS5's MATCH, PostgreSQL's @@): the same rows, for the words typed and every expansion of them."""
    from uprwatch.search import expansion, postings
    from uprwatch.search.backends import get_backend, top_level_negation
    from uprwatch.search.query import parse_query

    backend, catalog = get_backend(), catalog_module.get_catalog()
    index = postings.for_catalog(catalog, backend)
    assert index.offsets is not None
    typed = parse_query(q)
    for parsed in (typed, expansion.expand(typed)[0]):
        if parsed.exact:
            continue
        node = top_level_negation(parsed.tree) or parsed.tree
        ours = index.match_rows(node, backend)
        leaves = parsed.positive_leaves()
        if any(getattr(leaf, "prefix", False) for leaf in leaves) or q in ("_", '"_ torture"', "foo_bar -_"):
            assert ours is None  # a prefix, a word with no token: the database's own semantics
            continue
        ids, _ = backend.match(node, False, ranked=False)
        assert np.array_equal(ours, np.sort(catalog.rows_of(ids))), parsed.tree


def test_a_phrase_is_found_by_consecutive_positions(db, with_postings):
    from uprwatch.search import postings
    from uprwatch.search.backends import get_backend

    backend, catalog = get_backend(), catalog_module.get_catalog()
    index = postings.for_catalog(catalog, backend)
    phrase = index._phrase_rows(["freedom", "of", "express"])
    assert len(phrase) > 50
    both = np.intersect1d(index._term("freedom")[0], index._term("express")[0])
    assert len(both) > len(phrase)  # rows with both words apart are not phrase matches
    texts = dict(Recommendation.objects.filter(pk__in=catalog.ids[both].tolist()).values_list("pk", "text"))
    for row in both.tolist():
        said = re.search(r"\bfreedoms? of expressions?\b", texts[int(catalog.ids[row])], re.IGNORECASE) is not None
        assert said == (row in set(phrase.tolist())), texts[int(catalog.ids[row])]


def test_search_asks_the_database_nothing_with_postings(db, with_postings, monkeypatch):
    """A word, phrase, OR and NOT query's rows and ranks come from memory (no match in the database)."""
    from uprwatch.search import backends

    catalog_module.get_catalog()
    asked: list[str] = []
    for backend in (backends.SQLiteBackend, backends.PostgresBackend):
        monkeypatch.setattr(backend, "match", lambda self, *a, original=backend.match, **k:
                            asked.append(a) or original(self, *a, **k))
    result = search(SearchParams(q='"freedom of expression" OR journalists -police', limit=5, mode="text"))
    assert result["count"] > 0 and asked == []
    search(SearchParams(q="refug*", limit=5, mode="text"))
    assert len(asked) == 1  # a prefix is the database's


def test_search_results_are_the_same_with_postings(db, monkeypatch):
    from django.db import connection

    from uprwatch.search import postings

    plain = {q: search(SearchParams(q=q, limit=30)) for q in RANKED_QUERIES}
    scored: list[int] = []  # queries the postings ranked (so this compares the two paths, not one twice)
    original = postings.Postings.scores
    monkeypatch.setattr(postings.Postings, "scores", lambda self, p, rows: scored.append(1) or original(self, p, rows))
    postings.build_with_catalog()
    catalog_module.invalidate()
    try:
        for q in RANKED_QUERIES:
            fast = search(SearchParams(q=q, limit=30))
            assert fast["count"] == plain[q]["count"] and fast["facets"] == plain[q]["facets"], q
            # the same top results; near-ties (float rounding) may swap places. PostgreSQL's one-shot
            # commands rank with ts_rank, its servers with BM25 (see ``postings``): the same rows only.
            if connection.vendor == "sqlite":
                assert {r["id"] for r in fast["results"][:20]} >= {r["id"] for r in plain[q]["results"][:10]}, q
        from uprwatch.search.query import parse_query

        # every distinct query but the exact: one ("woman" is "women")
        assert len(scored) == len({parse_query(q) for q in RANKED_QUERIES if not q.startswith("exact:")})
    finally:
        postings.build_with_catalog(False)
        catalog_module.invalidate()


def test_servers_build_postings_with_the_catalog(db):
    import importlib

    from uprwatch.search import postings

    try:
        import sys

        # (re)run the module's code: another test may have imported it already
        if "uprwatch.wsgi" in sys.modules:
            importlib.reload(sys.modules["uprwatch.wsgi"])
        else:
            importlib.import_module("uprwatch.wsgi")
        catalog_module.invalidate()
        catalog = catalog_module.get_catalog()

        assert "_postings" in catalog.__dict__
    finally:
        postings.build_with_catalog(False)
        catalog_module.invalidate()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(['"', "(", ")", "-", "OR", "NOT", "*", "refug", "torture", "exact:", " ", "_",
                                 "é", "'", "women", "ß", "漢字", "death", "penalty", "child"]), max_size=12).map("".join))
def test_any_query_string_ranks_with_postings(db, text):
    from uprwatch.search import postings
    from uprwatch.search.query import QueryError

    postings.build_with_catalog()
    try:
        try:
            result = search(SearchParams(q=text, limit=5))
        except QueryError as exc:
            assert str(exc)
        else:
            assert result["count"] >= len(result["results"])
    finally:
        postings.build_with_catalog(False)
