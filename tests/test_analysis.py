"""Analysis: state profiles, pair view, cycle comparison, firsts and lineage, on the real bundled data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from uprwatch.analysis import lineage, profiles, recurrence
from uprwatch.analysis.models import LineageLink, LineageRun
from uprwatch.cli import main
from uprwatch.records.models import Recommendation, State
from uprwatch.records.signals import announce_recommendations_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def china(db):
    return State.objects.get(iso3="CHN")


@pytest.fixture
def china_lineage(china):
    lineage.compute_lineage([china])
    return china


def _json_cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- profiles --------------------------------------------------------------------------------------

def test_profile_of_china_as_reviewed_matches_the_data(china):
    data = profiles.state_profile(china)
    received = data["as_reviewed"]
    # UPR Info: China received 138 recommendations in session 4 and 284 in session 17
    assert [(row["cycle"], row["total"]) for row in received["by_cycle"]] == [(1, 138), (2, 284)]
    assert received["total"] == 422 and received["sessions"] == [4, 17]
    assert received["supported"] + received["noted"] + received["partially_supported"] + received["other"] == 422
    assert received["support_rate"] == round(received["supported"] / 422, 4)
    assert sum(row["total"] for row in received["action_categories"]) == 422
    tops = received["top_recommending_states"]
    assert tops == sorted(tops, key=lambda r: (-r["total"], r["state"]))
    canada = next(row for row in tops if row["state"] == "Canada")
    assert canada["total"] == Recommendation.objects.filter(review__state=china, recommending_states__iso3="CAN").count()
    death_penalty = next(row for row in received["by_issue"] if row["issue"] == "Death penalty")
    assert death_penalty["total"] == Recommendation.objects.filter(
        review__state=china, labels__term__taxonomy="issue", labels__term__name="Death penalty"
    ).count()


@pytest.mark.parametrize("iso3", ["CHN", "CAN", "USA", "CUB", "TUV", "VAT", "PRK", "FRA"])
def test_in_memory_profile_equals_the_sql_profile(iso3):
    # the web page and API use the numpy path, the CLI the SQL path: both must give the same figures
    state = State.objects.get(iso3=iso3)
    assert profiles.fast_state_profile(state) == profiles.state_profile(state)


def test_in_memory_profile_follows_changes(china, django_capture_on_commit_callbacks):
    before = profiles.fast_state_profile(china)["as_reviewed"]
    rec = Recommendation.objects.filter(review__state=china, response="noted").first()
    rec.response = "supported"
    rec.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce_recommendations_changed([rec.pk], "test")
    after = profiles.fast_state_profile(china)["as_reviewed"]
    assert (after["supported"], after["noted"]) == (before["supported"] + 1, before["noted"] - 1)
    assert after == profiles.state_profile(china)["as_reviewed"]


def test_profile_as_recommender_counts_what_the_state_made(china):
    canada = State.objects.get(iso3="CAN")
    made = profiles.state_profile(canada)["as_recommender"]
    assert made["total"] == Recommendation.objects.filter(recommending_states=canada).count()
    assert sum(row["total"] for row in made["by_cycle"]) == made["total"]
    assert all(row["state"] != "Canada" for row in made["top_targets"])
    to_china = Recommendation.objects.filter(recommending_states=canada, review__state=china).count()
    assert to_china == 14


def test_cycle_comparison_of_china(china):
    (comparison,) = profiles.cycle_comparison(china)
    assert (comparison["from_cycle"], comparison["to_cycle"]) == (1, 2)
    new = {row["issue"] for row in comparison["new_issues"]}
    dropped = {row["issue"] for row in comparison["dropped_issues"]}
    persisting = {row["issue"] for row in comparison["persisting_issues"]}
    assert "Asylum-seekers - refugees" in new and "Death penalty" in persisting
    assert not (new & dropped) and not (new & persisting) and not (dropped & persisting)
    change = round((comparison["support_rate_after"] - comparison["support_rate_before"]) * 100, 1)
    assert comparison["support_rate_change_points"] == change > 0


def test_pair_view_canada_to_china(china):
    data = profiles.pair_view(State.objects.get(iso3="CAN"), china)
    assert data["total"] == 14
    assert [(row["cycle"], row["total"]) for row in data["by_cycle"]] == [(1, 9), (2, 5)]
    sessions = [rec.review.session_id for rec in data["recommendations"]]
    assert sessions == sorted(sessions) and set(sessions) == {4, 17}


def test_find_state_accepts_aliases_and_rejects_unknown_names(db):
    from uprwatch.records.lookup import StateNotFound, find_state

    assert find_state("CHN").iso3 == "CHN"
    assert find_state("Korea, Republic of").iso3 == "KOR"
    with pytest.raises(StateNotFound, match="Narnia"):
        find_state("Narnia")


def test_profile_cli_json_and_errors(db):
    data = _json_cli("profile", "China", "--json")
    assert data["state"]["iso3"] == "CHN" and data["as_reviewed"]["total"] == 422
    result = CliRunner().invoke(main, ["profile", "Narnia"])
    assert result.exit_code == 1 and "unknown state name: 'Narnia'" in result.output
    text = CliRunner().invoke(main, ["profile", "china"])
    assert text.exit_code == 0 and "422 recommendations received" in text.output


def test_pair_cli(db):
    data = _json_cli("pair", "Canada", "China", "--json")
    assert data["total"] == 14 and len(data["recommendations"]) == 14
    assert all(rec["state_under_review"] == "China" for rec in data["recommendations"])


def test_profile_api(client):
    response = client.get("/api/states/china/profile")
    assert response.status_code == 200
    assert response.json()["as_reviewed"]["total"] == 422
    assert client.get("/api/states/CHN/cycle-comparison").json()[0]["to_cycle"] == 2
    missing = client.get("/api/states/narnia/profile")
    assert missing.status_code == 404 and "narnia" in missing.json()["detail"]
    pair = client.get("/api/pairs/canada/china").json()
    assert pair["total"] == 14 and pair["from"]["name"] == "Canada"


def test_profile_page_has_charts_with_tables_and_csv(client):
    response = client.get("/states/china/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-received-cycles", "chart-received-issues", "chart-received-actions", "chart-made-cycles"):
        assert f'data-vega-spec="{chart}"' in html and f'id="{chart}"' in html
    assert "Cycle 1 → cycle 2" in html and "Top recommending states" in html
    csv_response = client.get("/states/china/profile/received-by-cycle.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert [(r["cycle"], r["total"]) for r in rows] == [("1", "138"), ("2", "284")]
    assert client.get("/states/china/profile/nothing.csv").status_code == 404
    assert client.get("/states/narnia/profile/").status_code == 404


def test_state_page_links_to_profile_and_pair_page_renders(client):
    html = client.get("/states/china/").content.decode()
    assert 'href="/states/china/profile/"' in html
    page = client.get("/states/canada/to/china/")
    assert page.status_code == 200 and "14 recommendations" in page.content.decode()


# --- firsts ----------------------------------------------------------------------------------------

def test_firsts_for_non_refoulement_to_china(db):
    data = _json_cli("firsts", "non-refoulement", "--sur", "China", "--json")
    assert {rec["session"] for rec in data["first"]} == {4}
    assert sorted(s for rec in data["first"] for s in rec["recommending_states"]) == ["Canada", "Czechia"]
    assert all(rec["year"] == 2009 and rec["cycle"] == 1 for rec in data["first"])
    assert all({"text", "response", "id"} <= rec.keys() for rec in data["first"])
    assert data["by_state"]["Republic of Korea"]["session"] == 17
    assert data["by_state"]["Canada"]["session"] == 4
    assert "non-refoulement" in data["by_state"]["Republic of Korea"]["text"]
    assert list(data["by_state"])[-1] == "Republic of Korea"  # ordered by when each state first raised it


def test_firsts_by_filter_and_bad_input(db):
    data = _json_cli("firsts", "non-refoulement", "--sur", "China", "--by", "Republic of Korea", "--json")
    assert [rec["session"] for rec in data["first"]] == [17] and list(data["by_state"]) == ["Republic of Korea"]
    nothing = _json_cli("firsts", "zzyzxnotaword", "--json")
    assert nothing["first"] == [] and nothing["by_state"] == {} and nothing["matches"] == 0
    bad = CliRunner().invoke(main, ["firsts", "torture", "--sur", "Narnia"])
    assert bad.exit_code == 1 and "Narnia" in bad.output


def test_firsts_api_and_search_panel(client):
    data = client.get("/api/firsts", {"q": "non-refoulement", "sur": "China"}).json()
    assert {rec["session"] for rec in data["first"]} == {4}
    assert client.get("/api/firsts", {"q": "torture", "sur": "Narnia"}).status_code == 400
    panel = client.get("/analysis/firsts/", {"q": "non-refoulement", "sur": "China"})
    assert panel.status_code == 200 and "Republic of Korea" in panel.content.decode()
    page = client.get("/search/", {"q": "non-refoulement", "sur": "China"}).content.decode()
    assert 'hx-get="/analysis/firsts/?q=non-refoulement' in page


# --- lineage ---------------------------------------------------------------------------------------

def test_lineage_links_are_cross_cycle_same_state_and_above_threshold(china_lineage):
    links = list(LineageLink.objects.select_related("recommendation__review", "earlier__review"))
    assert links, "China's cycle-2 recommendations repeat cycle-1 ones"
    for link in links:
        assert link.recommendation.review.state_id == link.earlier.review.state_id == china_lineage.pk
        assert link.earlier.review.session_id < link.recommendation.review.session_id
        assert link.score >= lineage.LINK_THRESHOLD
        assert link.method == lineage.METHOD
    # the stored score is the link model's, recomputed from the pair's features
    sample = links[:: max(1, len(links) // 20)]
    features = lineage.features_of_pairs([(link.recommendation_id, link.earlier_id) for link in sample])
    for link, found in zip(sample, features, strict=True):
        assert link.score == pytest.approx(float(lineage.link_score(found)), abs=1e-3)
        assert link.lexical == pytest.approx(found["lexical"], abs=1e-3)
    per_rec = {}
    for link in links:
        per_rec[link.recommendation_id] = per_rec.get(link.recommendation_id, 0) + 1
    assert max(per_rec.values()) <= lineage.MAX_LINKS


def test_lineage_finds_a_hand_labelled_repeat(china_lineage):
    later = Recommendation.objects.get(review__state=china_lineage, text__startswith="Take the necessary concrete steps to facilitate a visit by the UN High Commissioner")
    earlier = Recommendation.objects.get(review__state=china_lineage, text__startswith="Facilitate an early visit by the High Commissioner")
    assert LineageLink.objects.filter(recommendation=later, earlier=earlier).exists()
    found = recurrence.chain(later)
    assert earlier in found["recommendations"] and later in found["recommendations"]
    assert [step["cycle"] for step in found["summary"]["cycles"]] == [1, 2]


def test_lineage_is_incremental_and_follows_changes(china_lineage, django_capture_on_commit_callbacks):
    assert lineage.compute_lineage([china_lineage])["computed"] == 0  # unchanged: skipped
    run = LineageRun.objects.get(state=china_lineage)
    assert run.links == LineageLink.objects.count()
    rec = Recommendation.objects.filter(review__state=china_lineage, review__session_id=17).first()
    rec.text = "Facilitate an early visit by the High Commissioner for Human Rights"
    rec.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce_recommendations_changed([rec.pk], "test")
    assert LineageRun.objects.get(state=china_lineage).fingerprint != run.fingerprint
    assert LineageLink.objects.filter(recommendation=rec, earlier__text__startswith="Facilitate an early visit").exists()


def test_lineage_api_page_and_recurring(client, china_lineage):
    link = LineageLink.objects.order_by("-score").first()
    data = client.get(f"/api/recommendations/{link.recommendation_id}/lineage").json()
    assert link.earlier_id in [row["id"] for row in data["earlier"]]
    assert {rec["id"] for rec in data["chain"]} >= {link.recommendation_id, link.earlier_id}
    assert client.get("/api/recommendations/999999999/lineage").status_code == 404
    html = client.get(f"/recommendations/{link.recommendation_id}/").content.decode()
    assert 'id="lineage"' in html and "first in cycle 1" in html
    rows = client.get("/api/states/china/recurring").json()
    assert rows and all(row["recommendation"]["cycle"] == 2 and row["earlier"] for row in rows)
    assert rows == sorted(rows, key=lambda r: -r["times"])
    assert client.get("/api/states/china/recurring", {"limit": 0}).status_code == 400
    page = client.get("/states/china/recurring/").content.decode()
    assert "Recurring recommendations to China" in page and f"rec-{rows[0]['recommendation']['id']}" in page
    cli = _json_cli("recurring", "China", "--json", "--limit", "3")
    assert len(cli) == 3 and cli[0]["times"] >= cli[-1]["times"]


def test_analysis_home_finds_profiles_and_firsts(client):
    assert 'href="/analysis/"' in client.get("/").content.decode()
    response = client.get("/analysis/", {"state": "Korea, Republic of"})
    assert response.status_code == 302 and response["Location"] == "/states/republic-of-korea/profile/"
    unknown = client.get("/analysis/", {"state": "Narnia"})
    assert unknown.status_code == 400 and "unknown state name" in unknown.content.decode()
    page = client.get("/analysis/", {"q": "non-refoulement", "sur": "China"})
    assert page.status_code == 200 and "Republic of Korea" in page.content.decode()
    assert client.get("/analysis/", {"q": "torture", "by": "Narnia"}).status_code == 400
