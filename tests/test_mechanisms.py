"""Other UN mechanisms (treaty bodies, special procedures) searchable beside the UPR: API, CLI and page."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from uhri_records import CAT_CHINA, SR_DPRK, china_export, quirks_export

from uprwatch.cli import main
from uprwatch.sources.uhri_writer import write_json


@pytest.fixture
def synced(db, tmp_path):
    path = tmp_path / "export.json"
    write_json(china_export() + quirks_export(), path)
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
