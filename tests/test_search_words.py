"""Search understands the words people use: other names of states and peoples, synonyms, the switch that
turns them off, suggestions when nothing matches, and counts that say what they count (issue 18).

The known case: an advocate for North Korean escapees, with China selected, must find Canada's 2009
recommendation ("refugees from the Democratic People's Republic of Korea") and Czechia's 2013 one
("North Korean refugees") whichever words they type.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from uprwatch.records.models import Recommendation
from uprwatch.records.states import load_states
from uprwatch.search.expansion import expand, lexicon
from uprwatch.search.query import parse_query
from uprwatch.search.service import RELATED_PAGE, SEMANTIC_TOP, SearchParams, matching_ids, search

CHINA_QUERIES = ["north korean escapees", "DPRK refugees", "defectors"]


def _canada_2009() -> Recommendation:
    return Recommendation.objects.get(review__state__name="China", review__session_id=4,
                                      recommending_states__name="Canada", text__contains="People's Republic of Korea")


def _czechia_2013() -> Recommendation:
    return Recommendation.objects.get(review__state__name="China", review__session_id=17,
                                      recommending_states__name="Czechia", text__contains="North Korean refugees")


def _added(query: str) -> dict[str, list[str]]:
    _, found = expand(parse_query(query))
    return {e.typed: list(e.added) for e in found}


# --- the data ----------------------------------------------------------------------------------------

def test_states_table_has_demonyms():
    states = {s.iso3: s for s in load_states()}
    assert "North Korean" in states["PRK"].demonyms and "Korean" in states["PRK"].demonyms
    assert "Congolese" in states["COD"].demonyms and "Congolese" in states["COG"].demonyms
    assert sum(bool(s.demonyms) for s in states.values()) >= 194  # all but the Holy See


def test_synonyms_file_says_where_each_entry_came_from():
    import csv

    from uprwatch.search.expansion import SYNONYMS_FILE

    rows = list(csv.DictReader(open(SYNONYMS_FILE, encoding="utf-8")))
    assert len(rows) > 100
    assert all(row["source"].strip() and row["kind"] in ("synonym", "related", "acronym") for row in rows)


# --- expansion of the query --------------------------------------------------------------------------

def test_state_names_abbreviations_and_demonyms_expand_to_each_other():
    dprk = _added("DPRK")["dprk"]
    assert "Democratic People's Republic of Korea" in dprk and "North Korea" in dprk and "North Korean" in dprk
    assert "Korean" not in dprk  # shared by both Koreas: never added to a query about one
    assert "DPRK" in _added("north korean")["north korean"]
    both = _added("korean")["korean"]
    assert "DPRK" in both and "Republic of Korea" in both
    assert "United Kingdom of Great Britain and Northern Ireland" in _added("UK")["uk"]
    assert "Eswatini" in _added("Swaziland")["swaziland"]  # a former name
    congolese = _added("congolese")["congolese"]
    assert "Democratic Republic of the Congo" in congolese and "Republic of the Congo" in congolese


def test_iso_codes_common_words_negations_prefixes_and_exact_are_not_expanded():
    assert _added("to no is") == {}  # Tonga, Norway, Iceland's ISO codes are not names
    assert _added("us")["us"] and "US" not in _added("USA")["usa"]  # a 2-letter alias is never added
    assert set(_added("refugees -defectors")) == {"refugees"}
    assert _added("refug*") == {}
    assert _added("exact:DPRK") == {}


def test_topic_synonyms_and_treaty_acronyms_both_ways():
    assert "sexual orientation" in _added("LGBT")["lgbt"]
    assert "capital punishment" in _added("death penalty")["death penalty"]
    assert "Convention against Torture" in _added("CAT")["cat"]
    assert "CAT" in _added("convention against torture")["convention against torture"]
    assert "ICCPR" in _added("International Covenant on Civil and Political Rights")[
        "international covenant on civil and political rights"]
    assert "refoulement" in _added("repatriation")["repatriation"]
    assert {"escapee", "defector", "asylum seeker"} <= set(_added("refugees")["refugees"])


def test_every_trigger_is_reachable():
    table = lexicon()
    assert ("dprk",) in table and ("lgbt",) in table
    assert all(entry.forms for entry in table.values())


# --- the China case, through the service ---------------------------------------------------------------

@pytest.mark.parametrize("query", CHINA_QUERIES)
def test_china_escapee_queries_find_canada_2009_and_czechia_2013_on_the_first_page(db, query):
    result = search(SearchParams(q=query, sur=["China"], limit=20))
    first_page = [r["id"] for r in result["results"]]
    assert _canada_2009().pk in first_page and _czechia_2013().pk in first_page
    assert result["expansions"]
    # without expansion the words alone find neither
    plain = set(matching_ids(SearchParams(q=query, sur=["China"], expand=False)))
    assert not {_canada_2009().pk, _czechia_2013().pk} <= plain


def test_expansion_only_adds_results(db):
    for query in ["refugees", "death penalty", "DPRK", "torture", "LGBT"]:
        plain = set(matching_ids(SearchParams(q=query, expand=False)))
        expanded = set(matching_ids(SearchParams(q=query)))
        assert plain <= expanded, query
    assert len(matching_ids(SearchParams(q="LGBT"))) > 3 * len(matching_ids(SearchParams(q="LGBT", expand=False)))


def test_lgbt_finds_recommendations_on_sexual_orientation(db):
    result = search(SearchParams(q="LGBT", limit=20))
    assert result["matches"] > 500
    assert sum("Sexual Orientation and Gender Identity" in r["issues"] for r in result["results"]) >= 18
    said = set(Recommendation.objects.filter(text__icontains="sexual orientation").values_list("pk", flat=True))
    assert len(said) > 400 and said <= set(matching_ids(SearchParams(q="LGBT")))
    assert "<mark>sexual</mark> <mark>orientation</mark>" in search(SearchParams(q="LGBT", sort="session", limit=5))["results"][0]["snippet"].lower()


def test_acronym_finds_the_full_title(db):
    full = set(matching_ids(SearchParams(q='"Optional Protocol to the Convention against Torture"', expand=False)))
    assert full <= set(matching_ids(SearchParams(q="OPCAT")))


# --- the off switch -----------------------------------------------------------------------------------

def test_off_switch_and_exact_search_only_the_words_typed(db):
    off = search(SearchParams(q="defectors", sur=["China"], expand=False))
    assert off["expansions"] == [] and off["matches"] == 0
    assert search(SearchParams(q="exact:defectors", sur=["China"]))["matches"] == 0
    assert ("expand", "0") in SearchParams(q="x", expand=False).to_query()
    assert SearchParams.from_querydict({"q": "x", "expand": "0"}).expand is False
    assert SearchParams.from_querydict({"q": "x"}).expand is True
    with pytest.raises(ValueError):
        SearchParams.from_querydict({"q": "x", "expand": "maybe"})


def test_page_shows_expansions_and_the_toggle(db, client):
    page = client.get("/search/", {"q": "north korean escapees", "sur": "China"}).content.decode()
    assert 'id="expansions"' in page and "Also searched" in page and "Democratic People&#x27;s Republic of Korea" in page
    assert f'id="rec-{_canada_2009().pk}"' in page and f'id="rec-{_czechia_2013().pk}"' in page
    assert 'name="expand" value="0"' in page  # the checkbox
    assert "2 recommendations match" in page
    off = client.get("/search/", {"q": "north korean escapees", "sur": "China", "expand": "0"}).content.decode()
    assert "Only the words typed" in off and f'id="rec-{_canada_2009().pk}"' not in off
    assert 'name="expand" value="0" checked' in off


def test_api_reports_expansions_and_takes_expand(db, client):
    data = client.get("/api/recommendations", {"q": "DPRK refugees", "sur": "China"}).json()
    assert {_canada_2009().pk, _czechia_2013().pk} <= {r["id"] for r in data["results"]}
    assert [e["typed"] for e in data["expansions"]] == ["dprk", "refugees"]
    assert data["expansions"][0]["kind"] == "state"
    off = client.get("/api/recommendations", {"q": "DPRK refugees", "sur": "China", "expand": "0"}).json()
    assert off["expansions"] == [] and off["matches"] < data["matches"]
    assert client.get("/api/recommendations", {"q": "x", "expand": "perhaps"}).status_code in (400, 422)


def test_cli_expands_and_no_expand_turns_it_off(db):
    from uprwatch.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["search", "defectors", "--sur", "China", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {_canada_2009().pk, _czechia_2013().pk} <= {r["id"] for r in data["results"]}
    off = json.loads(runner.invoke(main, ["search", "defectors", "--sur", "China", "--no-expand", "--format", "json"]).output)
    assert off["matches"] == 0 and off["expansions"] == []
    table = runner.invoke(main, ["search", "north korean escapees", "--sur", "China"])
    assert table.exit_code == 0 and "also searched for 'north korean'" in table.output
    assert "2 recommendations match" in table.output and "closest" in table.output


# --- counts that say what they count -------------------------------------------------------------------

def test_semantic_count_is_the_neighbours_not_matches(db):
    result = search(SearchParams(q="refugees", sur=["China"], mode="semantic", limit=20))
    matches = len(matching_ids(SearchParams(q="refugees", sur=["China"], mode="text")))
    assert result["count"] == SEMANTIC_TOP and result["matches"] == matches < SEMANTIC_TOP
    assert result["count_label"].startswith(f"closest {SEMANTIC_TOP} by meaning")
    assert result["by_meaning"] == SEMANTIC_TOP - sum(
        1 for i in matching_ids(SearchParams(q="refugees", sur=["China"], mode="semantic")) if i in
        set(matching_ids(SearchParams(q="refugees", sur=["China"], mode="text"))))
    hybrid = search(SearchParams(q="refugees", sur=["China"], mode="hybrid", limit=0))
    assert hybrid["count_label"] == f"{matches} matches + closest {hybrid['count'] - matches} by meaning"


def test_auto_mode_adds_the_closest_in_meaning_apart_and_uncounted(db):
    result = search(SearchParams(q="north korean escapees", sur=["China"], limit=20))
    assert result["mode"] == "auto" and result["count"] == result["matches"] == len(result["results"]) == 2
    assert result["count_label"] == "2 recommendations match"
    related = [r["id"] for r in result["related"]]
    assert len(related) == RELATED_PAGE - 2 and not set(related) & {r["id"] for r in result["results"]}
    assert all(r["state_under_review"] == "China" for r in result["related"])
    # exports and saved searches hold the matches only; so do the facets
    assert len(matching_ids(SearchParams(q="north korean escapees", sur=["China"]))) == 2
    assert sum(v["count"] for v in result["facets"]["response"]) == 2
    # plenty of matches: nothing is added; text mode never adds
    assert search(SearchParams(q="refugees", limit=20))["related"] == []
    assert search(SearchParams(q="north korean escapees", sur=["China"], mode="text"))["related"] == []


def test_firsts_use_only_real_matches(db):
    from uprwatch.analysis.firsts import first_raised

    text = len(matching_ids(SearchParams(q="refugees", sur=["China"], mode="text")))
    for mode in ("auto", "semantic", "hybrid"):
        assert first_raised(SearchParams(q="refugees", sur=["China"], mode=mode))["matches"] == text


# --- zero results ---------------------------------------------------------------------------------------

def test_zero_results_suggest_spelling_fewer_words_and_fewer_filters_with_counts(db):
    typo = search(SearchParams(q="refugeees", sur=["China"]))
    assert typo["matches"] == 0
    spelling = [s for s in typo["suggestions"] if s["kind"] == "spelling"]
    assert spelling and spelling[0]["q"] == "refugees"
    assert spelling[0]["count"] == len(matching_ids(SearchParams(q="refugees", sur=["China"])))
    filtered = search(SearchParams(q="Falun Gong", sur=["Norway"]))
    assert filtered["matches"] == 0
    without = [s for s in filtered["suggestions"] if s["kind"] == "without the sur filter"]
    assert without and without[0]["count"] == len(matching_ids(SearchParams(q="Falun Gong"))) > 0
    assert "sur=" not in without[0]["query"]
    words = search(SearchParams(q="torture xqzvwk", sur=["China"]))
    fewer = [s for s in words["suggestions"] if s["kind"] == "fewer words"]
    assert fewer and fewer[0]["q"] == "torture" and fewer[0]["count"] > 0
    off = search(SearchParams(q="defectors", sur=["China"], expand=False))
    assert any(s["kind"] == "with other names and synonyms" and s["count"] >= 2 for s in off["suggestions"])


def test_zero_results_page_and_api_show_suggestions(db, client):
    page = client.get("/search/", {"q": "refugeees", "sur": "China"}).content.decode()
    assert 'id="suggestions"' in page and "spelling: refugees" in page
    data = client.get("/api/recommendations", {"q": "refugeees", "sur": "China"}).json()
    assert data["suggestions"][0]["q"] == "refugees"
    from uprwatch.cli import main

    out = CliRunner().invoke(main, ["search", "refugeees", "--sur", "China"]).output
    assert "try spelling: 'refugees'" in out


# --- relevance figures -------------------------------------------------------------------------------------

def test_about_page_publishes_the_relevance_figures(db, client):
    page = client.get("/about/").content.decode()
    assert 'id="relevance-figures"' in page and "plain FTS5 baseline" in page


def test_stemming_is_right_in_concurrent_threads():
    """gunicorn's threaded workers stem in several threads at once: a shared Snowball stemmer mixed their
    words up (a 500 from the query expansion under load, and wrong stems kept in the cache)."""
    import threading

    from uprwatch.search import highlight

    words = [f"{base}{suffix}" for base in ("refuge", "defend", "tortur", "ratifi", "express", "leone")
             for suffix in ("es", "ers", "ing", "ation", "ean", "ed")] * 200
    highlight.stem.cache_clear()
    results: dict[int, list[str]] = {}

    def stem_all(number: int) -> None:
        results[number] = [highlight.stem.__wrapped__(word) for word in words]

    threads = [threading.Thread(target=stem_all, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [highlight.stem(word) for word in words]
    assert all(results[n] == expected for n in range(4))
