"""Search: query language, filters, facets against the ORM, known facts, web page, API, CLI, exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from django.db.models import Q

from uprwatch.records.models import Label, Recommendation, Term
from uprwatch.search import catalog
from uprwatch.search.query import QueryError, parse_query
from uprwatch.search.service import SearchParams, matching_ids, search


def ids_for(q: str = "", **filters) -> set[int]:
    return set(matching_ids(SearchParams(q=q, **filters)))


def count(q: str = "", **filters) -> int:
    return search(SearchParams(q=q, limit=0, **filters))["count"]


def orm_ids(condition: Q) -> set[int]:
    return set(Recommendation.objects.filter(condition).values_list("pk", flat=True))


def regex_ids(pattern: str) -> set[int]:
    compiled = re.compile(pattern, re.IGNORECASE)
    return {pk for pk, text in Recommendation.objects.values_list("pk", "text") if compiled.search(text)}


# --- the known fact -----------------------------------------------------------------------------

def test_china_non_refoulement_finds_korea_and_czech_session_17(db):
    result = search(SearchParams(q="non-refoulement", sur=["China"], limit=50))
    rows = result["results"]
    assert result["count"] == len(rows) >= 2
    assert all(r["state_under_review"] == "China" for r in rows)
    korea = [r for r in rows if r["recommending_states"] == ["Republic of Korea"] and r["session"] == 17]
    assert len(korea) == 1 and korea[0]["response"] == "noted" and korea[0]["year"] == 2013
    czech = [r for r in rows if r["recommending_states"] == ["Czechia"] and r["session"] == 17]
    assert len(czech) == 1 and "North Korean refugees" in czech[0]["text"]
    # every text that says non-refoulement (to China) is found
    expected = {pk for pk in regex_ids(r"non[\s-]*refoulement") if pk in orm_ids(Q(review__state__name="China"))}
    assert {r["id"] for r in rows} == expected


# --- query language -----------------------------------------------------------------------------

def test_stemming_finds_other_forms_and_exact_turns_it_off(db):
    refugees = regex_ids(r"\brefugees\b")
    assert refugees <= ids_for("refugee")
    assert ids_for("woman") >= regex_ids(r"\bwomen\b")
    assert ids_for("women") >= regex_ids(r"\bwoman\b")
    exact = ids_for("exact:refugee")
    assert exact == regex_ids(r"\brefugee\b")
    assert exact == ids_for("refugee", exact=True)
    assert len(exact) < len(ids_for("refugee"))


def test_accents_and_case_are_folded(db):
    assert ids_for("REFOULEMENT") == ids_for("refoulement") == ids_for("réfoulement")


def test_phrase_needs_the_words_together(db):
    phrase = ids_for('"death penalty"')
    assert regex_ids(r"\bdeath\s+penalty\b") <= phrase
    both = ids_for("death penalty")
    assert phrase < both  # "penalty ... death" in another order is not the phrase


def test_negation_with_minus_and_not(db):
    torture = ids_for("torture")
    police = ids_for("police")
    assert ids_for("torture -police") == torture - police
    assert ids_for("torture NOT police") == torture - police
    assert count("-torture") == Recommendation.objects.count() - len(ids_for("torture", expand=False))  # NOT is not expanded


def test_or_and_prefix(db):
    assert ids_for("asylum OR refoulement") == ids_for("asylum") | ids_for("refoulement")
    prefix = ids_for("refug*")
    assert regex_ids(r"\brefug\w*") == prefix
    assert ids_for("(asylum OR refugees) China") == (ids_for("asylum") | ids_for("refugees")) & ids_for("china")


@pytest.mark.parametrize("query", ['"unclosed', "(torture", "torture)", "OR", "torture OR", "NOT", "x" * 600,
                                  "a OR -b"])
def test_malformed_queries_give_a_clear_message(db, query):
    with pytest.raises(QueryError) as info:
        search(SearchParams(q=query))
    assert str(info.value)


def test_punctuation_only_query_means_no_text_condition(db):
    assert parse_query("*** ... !!").tree is None
    assert count("***") == Recommendation.objects.count()


# --- filters ------------------------------------------------------------------------------------

FILTER_CASES = [
    ({"sur": ["China"]}, Q(review__state__name="China")),
    ({"sur": ["South Korea"]}, Q(review__state__name="Republic of Korea")),
    ({"by": ["ROK"]}, Q(recommending_states__name="Republic of Korea")),
    ({"by": ["Norway", "Sweden"]}, Q(recommending_states__name__in=["Norway", "Sweden"])),
    ({"sur_group": ["GRULAC"]}, Q(review__state__regional_group="GRULAC")),
    ({"by_group": ["african"]}, Q(recommending_states__regional_group="African")),
    ({"sur_bloc": ["EU"]}, Q(review__state__blocs__code="EU")),
    ({"by_bloc": ["OIC"]}, Q(recommending_states__blocs__code="OIC")),
    ({"cycle": [2]}, Q(review__session__cycle_id=2)),
    ({"session": [4, 17]}, Q(review__session_id__in=[4, 17])),
    ({"year": [2013]}, Q(review__session__year=2013)),
    ({"response": ["noted"]}, Q(response="noted")),
    ({"action": [5]}, Q(action_category=5)),
    ({"issue": ["Death penalty"]}, Q(labels__term__taxonomy="issue", labels__term__name="Death penalty")),
]


@pytest.mark.parametrize(("filters", "condition"), FILTER_CASES)
def test_every_filter_matches_the_orm(db, filters, condition):
    assert ids_for(**filters) == orm_ids(condition)


def test_filters_combine_with_words(db):
    assert ids_for("torture", sur=["China"], response=["noted"]) == ids_for("torture") & orm_ids(
        Q(review__state__name="China", response="noted")
    )


def test_state_aliases_agree_and_known_counts(db):
    assert count(sur=["South Korea"]) == count(sur=["ROK"]) == count(sur=["Republic of Korea"])
    assert count(sur=["China"], session=[4]) == 138
    assert count(sur=["China"], session=[17]) == 284
    assert count(sur=["DPRK"]) == 436


@pytest.mark.parametrize("filters", [{"sur": ["Narnia"]}, {"issue": ["Unicorns"]}, {"response": ["maybe"]},
                                     {"sur_group": ["Atlantis"]}, {"theme": ["Z9"]}, {"by_bloc": ["NOPE"]}])
def test_unknown_filter_values_are_clear_errors(db, filters):
    with pytest.raises(QueryError):
        search(SearchParams(**filters))


def test_from_querydict_rejects_bad_types(db):
    with pytest.raises(QueryError, match="whole number"):
        SearchParams.from_querydict({"cycle": "two"})
    with pytest.raises(QueryError, match="mode"):
        SearchParams.from_querydict({"q": "x", "mode": "psychic"})
    params = SearchParams.from_querydict({"q": "x", "sur": ["China", ""], "cycle": "2", "human_only": "1"})
    assert params.sur == ["China"] and params.cycle == [2] and params.human_only


@pytest.fixture
def fresh_catalog():
    catalog.invalidate()
    yield
    catalog.invalidate()


def test_human_only_and_theme_filters(db, fresh_catalog):
    theme = Term.objects.create(taxonomy="theme", code="G5", name="Refugees & asylum seekers")
    recs = list(Recommendation.objects.filter(review__state__name="China", review__session_id=17)[:3])
    Label.objects.create(recommendation=recs[0], term=theme, origin="machine", confidence=0.8)
    Label.objects.create(recommendation=recs[1], term=theme, origin="human")
    catalog.invalidate()
    assert ids_for(theme=["G5"]) == {recs[0].pk, recs[1].pk} == ids_for(theme=["refugees & asylum seekers"])
    assert ids_for(theme=["G5"], human_only=True) == {recs[1].pk}
    assert recs[0].pk not in ids_for(sur=["China"], human_only=True)
    facet = {e["value"]: e["count"] for e in search(SearchParams(sur=["China"]))["facets"]["theme"]}
    assert facet == {"G5": 2}


# --- facets -------------------------------------------------------------------------------------

def test_facet_counts_equal_direct_orm_counts(db):
    result = search(SearchParams(q="refugees", limit=0))
    matched = ids_for("refugees")
    assert result["count"] == len(matched)
    base = Recommendation.objects.filter(pk__in=matched)
    lookups = {
        "sur": "review__state__name", "by": "recommending_states__name", "response": "response",
        "session": "review__session_id", "cycle": "review__session__cycle_id", "year": "review__session__year",
        "action": "action_category", "sur_group": "review__state__regional_group",
        "by_group": "recommending_states__regional_group", "by_bloc": "recommending_states__blocs__code",
        "issue": "labels__term__name",
    }
    for name, lookup in lookups.items():
        entries = result["facets"][name]
        assert entries, name
        for entry in entries:
            expected = base.filter(**{lookup: entry["value"]}).distinct().count()
            assert entry["count"] == expected, (name, entry)


def test_a_selected_facet_still_counts_its_other_values(db):
    result = search(SearchParams(q="torture", sur=["China"], limit=0))
    sur = {e["value"]: e for e in result["facets"]["sur"]}
    assert sur["China"]["selected"] and sur["China"]["count"] == result["count"]
    assert sur["Cuba"]["count"] == count("torture", sur=["Cuba"])
    responses = {e["value"]: e["count"] for e in result["facets"]["response"]}
    assert sum(responses.values()) == result["count"]


# --- snippets and hostile text -------------------------------------------------------------------

def test_hostile_text_is_escaped_and_indexed_through_the_signal(db, client, fresh_catalog, django_capture_on_commit_callbacks):
    from uprwatch.records.signals import announce_recommendations_changed

    source = Recommendation.objects.filter(review__state__name="China").first()
    rec = Recommendation.objects.create(review=source.review, text='<script>alert("x")</script> zebraquagga torture')
    with django_capture_on_commit_callbacks(execute=True):
        announce_recommendations_changed([rec.pk], "test")
    result = search(SearchParams(q="zebraquagga"))
    assert [r["id"] for r in result["results"]] == [rec.pk]
    snippet = result["results"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "<mark>zebraquagga</mark>" in snippet
    page = client.get("/search/", {"q": "zebraquagga"}).content.decode()
    assert '<script>alert("x")' not in page and "&lt;script&gt;" in page
    api = client.get("/api/recommendations", {"q": "zebraquagga"}).json()
    assert api["results"][0]["text"].startswith("<script>")  # JSON carries the text as data, unchanged


def test_snippets_mark_stemmed_matches_only(db):
    row = search(SearchParams(q="refugee", sur=["China"], limit=1))["results"][0]
    assert re.search(r"<mark>refugees?</mark>", row["snippet"], re.IGNORECASE)


# --- web page -----------------------------------------------------------------------------------

def test_search_page_shows_korea_noted_with_facets_and_exports(db, client):
    response = client.get("/search/", {"q": "non-refoulement", "sur": "China"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Republic of Korea" in html and "noted" in html
    assert 'data-facet="by"' in html and "/search/export.csv?q=non-refoulement&amp;sur=China" in html
    assert "<mark>refoulement</mark>" in html


def test_search_page_paginates_sorts_and_reports_errors(db, client):
    page2 = client.get("/search/", {"q": "torture", "sort": "-session", "page": "2"}).content.decode()
    assert "page 2 of" in page2 and 'rel="prev"' in page2
    bad = client.get("/search/", {"q": '"unclosed'})
    assert bad.status_code == 400 and "unclosed quote" in bad.content.decode()
    assert client.get("/search/", {"sur": "Narnia"}).status_code == 400


# --- API ----------------------------------------------------------------------------------------

def test_api_search_contract(db, client):
    data = client.get("/api/recommendations", {"q": "non-refoulement", "sur": "China", "limit": 2}).json()
    assert set(data) == {"count", "matches", "by_meaning", "count_label", "mode", "expansions", "results", "related",
                         "suggestions", "facets"}
    assert data["count"] == count("non-refoulement", sur=["China"]) and len(data["results"]) == 2
    for key in ("id", "text", "state_under_review", "recommending_states", "session", "cycle", "response",
                "action_category", "issues", "labels"):
        assert key in data["results"][0]
    assert data["results"][0]["labels"][0]["origin"] == "human"
    assert client.get("/api/recommendations", {"q": "(x"}).status_code == 400
    assert client.get("/api/recommendations", {"sur": "Narnia"}).status_code == 400
    assert client.get("/api/recommendations", {"limit": "5000"}).status_code == 400
    schema = client.get("/api/openapi.json").json()
    assert "/api/recommendations" in schema["paths"] and "/api/recommendations/export" in schema["paths"]


def test_result_shape_equals_recommendation_out(db):
    from uprwatch.api.records import recommendation_out
    from uprwatch.search.results import recommendations_out

    ids = sorted(ids_for("refoulement"))[:30]
    expected = [recommendation_out(r) for r in Recommendation.objects.with_related().filter(pk__in=ids).order_by("pk")]
    assert recommendations_out(ids) == expected


# --- exports ------------------------------------------------------------------------------------

def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_exports_hold_every_row(db, client):
    expected = count("refugees")
    assert expected > 100
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/api/recommendations/export", {"q": "refugees", "format": "csv"})).decode())))
    assert len(rows) == expected and "(human)" in rows[0]["labels"]
    data = json.loads(_body(client.get("/search/export.json", {"q": "refugees"})))
    assert data["count"] == len(data["results"]) == expected
    from openpyxl import load_workbook

    xlsx = load_workbook(io.BytesIO(_body(client.get("/search/export.xlsx", {"q": "refugees"}))), read_only=True)
    assert sum(1 for _ in xlsx.active.iter_rows()) == expected + 1
    assert client.get("/search/export.pdf", {"q": "x"}).status_code == 400
    assert client.get("/api/recommendations/export", {"format": "pdf"}).status_code == 400


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_search_json_is_the_api_object(db, client):
    from uprwatch.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["search", "non-refoulement", "--sur", "People's Republic of China", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    api = client.get("/api/recommendations", {"q": "non-refoulement", "sur": "China"}).json()
    assert data == api


def test_cli_search_csv_table_and_errors(db, tmp_path):
    from uprwatch.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["search", "refugees", "--sur", "ROK", "--by", "Canada", "--format", "csv"])
    assert result.exit_code == 0
    assert len(list(csv.reader(io.StringIO(result.output)))) == count("refugees", sur=["ROK"], by=["Canada"]) + 1
    table = runner.invoke(main, ["search", "non-refoulement", "--sur", "China", "--session", "17"])
    assert table.exit_code == 0 and "2 recommendations" in table.output
    bad = runner.invoke(main, ["search", "x", "--sur", "Narnia"])
    assert bad.exit_code == 1 and "unknown state name" in bad.output
    assert runner.invoke(main, ["search", '"open']).exit_code == 1
    assert runner.invoke(main, ["search", "x", "--format", "xlsx"]).exit_code == 1
    out = tmp_path / "r.xlsx"
    assert runner.invoke(main, ["search", "torture", "--sur", "China", "--format", "xlsx", "--output", str(out)]).exit_code == 0
    assert out.stat().st_size > 1000


# --- semantic search and similar recommendations ---------------------------------------------------

def _korea_rec() -> Recommendation:
    return Recommendation.objects.get(
        review__state__name="China", review__session_id=17, recommending_states__name="Republic of Korea",
        text__icontains="refoulement",
    )


def test_similar_recommendations_are_about_the_same_thing(db):
    from uprwatch.search.similar import similar_to

    rec = _korea_rec()
    similar = similar_to(rec.pk, k=10)
    assert len(similar) == 10 and rec.pk not in [pk for pk, _ in similar]
    scores = [score for _, score in similar]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.5
    texts = dict(Recommendation.objects.filter(pk__in=[pk for pk, _ in similar]).values_list("pk", "text"))
    assert sum("refoul" in texts[pk].lower() or "refugee" in texts[pk].lower() for pk, _ in similar) >= 5
    same = similar_to(rec.pk, k=5, same_sur=True)
    assert set(Recommendation.objects.filter(pk__in=[pk for pk, _ in same]).values_list("review__state__name", flat=True)) == {"China"}
    assert all(pk in ids_for(cycle=[1]) for pk, _ in similar_to(rec.pk, k=5, cycle=[1]))


def test_similar_api_and_page(db, client):
    rec = _korea_rec()
    data = client.get(f"/api/recommendations/{rec.pk}/similar", {"k": 5}).json()
    assert len(data) == 5 and {"score", "recommendation"} <= set(data[0])
    assert data[0]["recommendation"]["id"] != rec.pk
    assert client.get("/api/recommendations/99999999/similar").status_code == 404
    assert client.get(f"/api/recommendations/{rec.pk}/similar", {"k": 0}).status_code == 400
    fragment = client.get(f"/search/similar/{rec.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "similarity" in fragment and "<html" not in fragment
    assert client.get("/search/similar/99999999/").status_code == 404


def test_semantic_and_hybrid_modes(db):
    from uprwatch.search.service import SEMANTIC_TOP

    semantic = search(SearchParams(q="do not send refugees back to persecution", mode="semantic", limit=20))
    assert semantic["count"] == SEMANTIC_TOP
    assert any("refug" in r["text"].lower() for r in semantic["results"][:10])
    hybrid = search(SearchParams(q="non-refoulement", sur=["China"], mode="hybrid", limit=50))
    assert _korea_rec().pk in [r["id"] for r in hybrid["results"]]
    assert all(r["state_under_review"] == "China" for r in hybrid["results"])
    with pytest.raises(QueryError):
        search(SearchParams(mode="semantic"))


# --- fuzzing: any string gets results or a clear message ----------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FRAGMENTS = ['"', "(", ")", "-", "OR", "NOT", "AND", "*", "refug", "torture", "exact:", " ", ":", "^", "NEAR",
             "\x00", "é", "'", ";", "--", "/*", "{", "\\", "women", "|", "+", "~", "ß", "漢字"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)))
def test_any_query_string_gives_results_or_a_clear_message(db, text):
    try:
        result = search(SearchParams(q=text, limit=3))
    except QueryError as exc:
        assert str(exc)
    else:
        assert result["count"] >= len(result["results"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=10).map("".join))
def test_any_query_string_is_a_200_or_400_over_http(db, client, text):
    response = client.get("/api/recommendations", {"q": text, "limit": 1})
    assert response.status_code in (200, 400)
    page = client.get("/search/", {"q": text})
    assert page.status_code in (200, 400)
