"""Other UN mechanisms (treaty bodies, special procedures) searchable beside the UPR: API, CLI and page."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from uhri_records import CAT_CHINA, CAT_CHINA_LONG, SR_DPRK, china_export, mechanism, quirks_export

from uprwatch.cli import main
from uprwatch.sources.uhri_writer import write_json

CERD_CHINA = "c0a7c0a7-0000-4000-8000-00000000cerd"


def cerd_record() -> dict:
    """A committee's record with other labels than the rest: a theme and an SDG target of its own."""
    return mechanism(CERD_CHINA, "- Committee on the Elimination of Racial Discrimination", "The Committee "
                     "recommends that the State party respect the principle of non-refoulement and refrain from "
                     "forcibly returning nationals of the Democratic People's Republic of Korea.", ["- China"],
                     "CERD/C/CHN/CO/14-17", "2018-09-19", kind="- Recommendations",
                     Themes=["- Refugees & asylum seekers", "- Racial discrimination"],
                     Sdgs=["- 10.7 - Facilitate orderly, safe, regular and responsible migration and mobility of people"])


@pytest.fixture
def synced(db, tmp_path):
    path = tmp_path / "export.json"
    write_json(china_export() + quirks_export() + [cerd_record()], path)
    result = CliRunner().invoke(main, ["sync", "uhri", "--file", str(path)])
    assert result.exit_code == 0, result.output


def api(client, query):
    response = client.get(f"/api/recommendations?{query}")
    return response.status_code, response.json()


def test_body_cat_returns_the_committee_against_torture(client, synced):
    status, data = api(client, "q=refoulement&body=CAT")
    assert status == 200, data
    assert data["count"] == 1 and data["results"][0]["record_id"] == CAT_CHINA
    hit = data["results"][0]
    assert hit["mechanism"] == "CAT" and hit["states"] == ["China"] and hit["symbol"] == "CAT/C/CHN/CO/5"
    assert hit["url"] == "https://docs.un.org/en/CAT/C/CHN/CO/5" and "<mark>" in hit["snippet"]
    facet = {e["value"]: e for e in data["facets"]["body"]}
    assert facet["CAT"]["selected"] and facet["CAT"]["count"] == 1
    assert facet["UPR"]["count"] > 0 and facet["special procedures"]["count"] == 1
    # the long name selects the same committee; both CAT records without words
    assert api(client, "q=refoulement&body=Committee+against+Torture")[1]["count"] == 1
    assert api(client, "body=CAT&sur=China")[1]["count"] == 2


def test_special_procedures(client, synced):
    status, data = api(client, "body=special+procedures")
    assert status == 200 and [r["record_id"] for r in data["results"]] == [SR_DPRK]


def test_without_body_a_search_means_the_upr(client, synced):
    status, data = api(client, "q=refoulement&sur=China")
    assert status == 200 and data["count"] > 0
    assert all("state_under_review" in r for r in data["results"]) and "body" not in data["facets"]
    status, with_upr = api(client, "q=refoulement&sur=China&body=UPR")
    assert with_upr["count"] == data["count"]
    facet = {e["value"]: e["count"] for e in with_upr["facets"]["body"]}
    assert facet["UPR"] == data["count"] and facet["CAT"] == 1


@pytest.mark.parametrize(("query", "message"), [
    ("body=Martian+Council", "unknown mechanism"),
    ("body=UPR&body=CAT", "separately"),
    ("body=CAT&sur=Atlantis", "unknown state"),
])
def test_bad_body_values_are_400(client, synced, query, message):
    status, data = api(client, query)
    assert status == 400 and message in data["detail"]


def test_exports_refuse_other_mechanisms(client, synced):
    response = client.get("/api/recommendations/export?format=csv&body=CAT")
    assert response.status_code == 400


def test_cli_search_body(synced):
    result = CliRunner().invoke(main, ["search", "refoulement", "--body", "CAT", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["mechanism"] == "CAT"
    table = CliRunner().invoke(main, ["search", "refoulement", "--body", "CAT"])
    assert table.exit_code == 0 and "CAT/C/CHN/CO/5" in table.output
    bad = CliRunner().invoke(main, ["search", "x", "--body", "Nobody"])
    assert bad.exit_code == 1 and "unknown mechanism" in bad.output


def test_search_page_has_the_mechanism_facet(client, synced):
    page = client.get("/search/?q=refoulement").content.decode()
    assert "UN mechanism" in page and "body=CAT" in page
    cat = client.get("/search/?q=refoulement&body=CAT").content.decode()
    assert "CAT/C/CHN/CO/5" in cat and "of other UN mechanisms" in cat


def test_recommendation_page_shows_other_mechanisms_on_the_point(client, synced):
    from uhri_records import KOREA_2024

    from uprwatch.records.models import Recommendation

    rec = Recommendation.objects.get(source_records__record_id=KOREA_2024)
    page = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert "Other UN mechanisms on this point" in page
    assert "CAT/C/CHN/CO/5" in page and "refrain from forcibly returning escapees" in page
    assert "residential surveillance" not in page  # the same committee on another point is not shown
    data = client.get(f"/api/recommendations/{rec.pk}").json()
    assert data["response"] == "noted"
    related = {m["symbol"]: m["score"] for m in data["other_mechanisms"]}
    assert "CAT/C/CHN/CO/5" in related and "A/HRC/52/64" in related
    assert all(0.45 <= score <= 1 for score in related.values())
    assert [p["source"] for p in data["positions"]] == ["OHCHR Universal Human Rights Index"]
    assert data["disagreement"] is False


def test_disagreement_shown_on_page_and_api(client, synced):
    from uhri_records import CZECH_2013

    from uprwatch.records.models import Recommendation

    rec = Recommendation.objects.get(source_records__record_id=CZECH_2013)
    page = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert "The sources disagree" in page and "UPR Info database" in page
    data = client.get(f"/api/recommendations/{rec.pk}").json()
    assert data["disagreement"] is True
    assert {(p["source"], p["response"]) for p in data["positions"]} == {
        ("UPR Info database", "noted"), ("OHCHR Universal Human Rights Index", "supported")}


def test_sdg_targets_are_a_label_and_a_facet(client, synced):
    from uprwatch.search import catalog

    catalog.bump_stamp()  # the sync's commit does this; a test's transaction never commits
    status, data = api(client, "sur=China&sdg=10.7")
    assert status == 200, data
    assert data["count"] == 4  # China's four UHRI records carry target 10.7
    facet = {e["value"]: e for e in data["facets"]["sdg"]}
    assert facet["10.7"]["selected"] and facet["10.7"]["label"].startswith("10.7 - Facilitate orderly")
    assert facet["16.3"]["count"] == 4
    assert api(client, "sdg=99.9")[0] == 400
    page = client.get("/search/?sur=China&sdg=10.7").content.decode()
    assert "SDG target" in page
    result = CliRunner().invoke(main, ["search", "--sur", "China", "--sdg", "10.7", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["count"] == 4


def test_index_and_restore_refill_the_mechanisms_index(client, synced):
    """A dump holds the mechanisms' table, not its full-text index: `uprwatch index` (and restore) refill it."""
    from django.db import connection

    from uprwatch.sources import mechanisms

    assert mechanisms.index_is_current()
    table = mechanisms.POSTGRES_TABLE if connection.vendor == "postgresql" else mechanisms.SQLITE_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # what a restored database starts with
    assert not mechanisms.index_is_current() and api(client, "q=refoulement&body=CAT")[1]["count"] == 0
    result = CliRunner().invoke(main, ["index", "--no-vectors"])
    assert result.exit_code == 0, result.output
    assert "other mechanisms' index" in result.output and mechanisms.index_is_current()
    assert api(client, "q=refoulement&body=CAT")[1]["count"] == 1


def _ids(data):
    return sorted(r["record_id"] for r in data["results"])


@pytest.mark.parametrize(("query", "expected"), [
    # themes: by name, by OHCHR code (through the crosswalk's name), by both
    ("body=CERD&theme=Refugees+%26+asylum+seekers", [CERD_CHINA]),
    ("body=CERD&theme=G5", [CERD_CHINA]),
    ("body=CERD&theme=G5+Refugees+%26+asylum+seekers", [CERD_CHINA]),
    ("body=CAT&theme=G5", []),
    ("body=CAT&theme=torture+and+other+cruel,+inhuman+or+degrading+treatment+or+punishment", [CAT_CHINA, CAT_CHINA_LONG]),
    ("body=CERD&body=CAT&theme=G5&theme=Torture+and+other+cruel,+inhuman+or+degrading+treatment+or+punishment",
     [CERD_CHINA, CAT_CHINA, CAT_CHINA_LONG]),  # values of one filter are ORed
    ("body=CERD&body=CAT&theme=G5&theme=Migrants", [CERD_CHINA]),  # a theme of the UPR's records only
    # a UPR Info issue, through its OHCHR theme
    ("body=CERD&issue=Asylum-seekers+-+refugees", [CERD_CHINA]),
    ("body=CAT&issue=Asylum-seekers+-+refugees", []),
    # SDG targets and goals
    ("body=CERD&sdg=10.7", [CERD_CHINA]),
    ("body=CERD&sdg=SDG+10", [CERD_CHINA]),
    ("body=CERD&sdg=16.2", []),
    ("body=CAT&sdg=16.2&sur=China", [CAT_CHINA, CAT_CHINA_LONG]),
    # the state's regional group and year
    ("body=CAT&sur_group=Asia-Pacific", [CAT_CHINA, CAT_CHINA_LONG]),
    ("body=CAT&sur_group=GRULAC", []),
    ("body=CAT&year=2016", [CAT_CHINA, CAT_CHINA_LONG]),
    # words: stemmed by default, as written with exact (CAT says "refouled", not "refoulement")
    ("body=CAT&q=refoulement", [CAT_CHINA]),
    ("body=CAT&q=refoulement&exact=1", []),
    ("body=CAT&q=refouled&exact=1", [CAT_CHINA]),
    ("body=CAT&q=refoul*&exact=1", [CAT_CHINA]),
    ("body=CAT&q=%22State+party+should%22+-refouled&exact=1", [CAT_CHINA_LONG]),
    ("body=CAT&q=%22party+State%22&exact=1", []),
    ("body=CAT&human_only=1", [CAT_CHINA, CAT_CHINA_LONG]),  # every label of theirs is the source's own
])
def test_filters_that_apply_to_other_mechanisms(client, synced, query, expected):
    status, data = api(client, query)
    assert status == 200, data
    assert _ids(data) == sorted(expected) and data["count"] == len(expected)


def test_theme_and_sdg_facets_of_other_mechanisms(client, synced):
    status, data = api(client, "body=CERD&body=CAT&sur=China")
    assert status == 200, data
    themes = {e["value"]: e["count"] for e in data["facets"]["theme"]}
    assert themes["Refugees & asylum seekers"] == 1
    assert themes["Torture and other cruel, inhuman or degrading treatment or punishment"] == 2
    sdgs = {e["value"]: e for e in data["facets"]["sdg"]}
    assert sdgs["10.7"]["count"] == 1 and sdgs["10.7"]["label"].startswith("10.7 - Facilitate")
    assert sdgs["16.2"]["count"] == 2
    chosen = api(client, "body=CERD&sdg=10.7")[1]["facets"]["sdg"]
    assert [e["selected"] for e in chosen] == [True]


def test_the_upr_searchs_mechanism_facet_counts_with_the_same_filters(client, synced):
    status, data = api(client, "q=refoulement&sur=China&body=UPR&theme=Refugees+%26+asylum+seekers")
    assert status == 200, data
    facet = {e["value"]: e["count"] for e in data["facets"]["body"]}
    assert facet.get("CERD") == 1 and "CAT" not in facet


@pytest.mark.parametrize(("query", "message"), [
    ("body=CAT&cycle=4", "cycle does not apply to other UN mechanisms"),
    ("body=CAT&session=45&response=noted", "session, response do not apply"),
    ("body=CAT&by=France", "by does not apply"),
    ("body=special+procedures&action=3", "action does not apply"),
    ("body=CAT&q=torture&mode=semantic", "searched by their words"),
    ("body=CAT&q=torture&mode=hybrid", "searched by their words"),
    ("body=CAT&theme=Martian+affairs", "unknown theme"),
    ("body=CAT&theme=Refugees+and+asylum+seekerz", "did you mean"),
    ("body=CAT&issue=Martian+affairs", "unknown issue"),
    ("body=CAT&sdg=99.9", "unknown SDG target"),
    ("body=CAT&sur_group=Martians", "unknown regional group"),
    ("body=CAT&sur_bloc=Martians", "unknown organisation"),
])
def test_filters_that_do_not_apply_are_400(client, synced, query, message):
    status, data = api(client, query)
    assert status == 400 and message in data["detail"], data


def test_cli_search_body_with_filters(synced):
    result = CliRunner().invoke(main, ["search", "--body", "CERD", "--theme", "G5", "--sdg", "10.7", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["record_id"] for r in json.loads(result.output)["results"]] == [CERD_CHINA]
    exact = CliRunner().invoke(main, ["search", "refouled", "--body", "CAT", "--exact", "--format", "json"])
    assert exact.exit_code == 0 and json.loads(exact.output)["count"] == 1
    bad = CliRunner().invoke(main, ["search", "refoulement", "--body", "CAT", "--cycle", "4"])
    assert bad.exit_code == 1 and "cycle does not apply to other UN mechanisms" in bad.output
    assert "Traceback" not in bad.output


def test_search_page_mechanism_links_leave_out_what_does_not_apply(client, synced):
    page = client.get("/search/?q=refoulement&sur=China&cycle=2&response=noted&mode=hybrid").content.decode()
    links = re.findall(r'href="\?([^"]*body=CAT[^"]*)"', page)
    assert links and all("cycle=" not in link and "response=" not in link and "mode=" not in link for link in links)
    assert all("sur=China" in link for link in links)
    refused = client.get("/search/?q=refoulement&body=CAT&cycle=4")
    assert refused.status_code == 400 and "cycle does not apply" in refused.content.decode()
    themed = client.get("/search/?body=CERD&theme=G5").content.decode()
    assert "CERD/C/CHN/CO/14-17" in themed and "SDG target" in themed and 'data-facet="theme"' in themed
