"""Lineage links a person makes, on the issue's own example: non-refoulement of North Korean refugees,
raised with China by Canada in 2009 (session 4) and again by Czechia and the Republic of Korea in 2013
(session 17). The link model scores these pairs below the threshold (see ``lineage.py``); the
machine links it does make are tested in ``test_lineage_model.py``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from uprwatch.analysis import lineage, recurrence
from uprwatch.analysis.models import LineageLink
from uprwatch.cli import main
from uprwatch.records.models import Recommendation, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(db):
    china = State.objects.get(iso3="CHN")
    lineage.compute_lineage([china])
    to_china = Recommendation.objects.filter(review__state=china)
    return {
        "canada": to_china.get(review__session_id=4, recommending_states__iso3="CAN",
                               text__contains="non-refoulement of refugees from the Democratic People"),
        "czechia": to_china.get(review__session_id=17, text__startswith="Protect North Korean refugees"),
        "korea": to_china.get(review__session_id=17, text__startswith="Provide adequate protection to asylum seekers "
                              "and cross-border refugees"),
    }


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_text_similarity_alone_misses_the_example(example):
    # the reason people can link: the scores stay below the threshold, so no machine link exists
    pairs = [(example["korea"].pk, example["canada"].pk), (example["czechia"].pk, example["canada"].pk)]
    for features in lineage.features_of_pairs(pairs):
        # the shared rare word ("refoulement") lifts the pair well above the v1 score, not to the threshold
        assert features["rare_word"] > 0.75
        assert lineage.combined_score(features["lexical"], features["semantic"]) < 0.35
        assert 0.45 < lineage.link_score(features) < lineage.LINK_THRESHOLD
    assert not LineageLink.objects.filter(recommendation__in=[example["korea"], example["czechia"]],
                                          earlier=example["canada"]).exists()


def test_linked_chain_shows_on_the_page_and_the_api(client, example):
    korea, czechia, canada = example["korea"], example["czechia"], example["canada"]
    for later in (korea, czechia):
        result = _cli("lineage", "--link", str(later.pk), str(canada.pk))
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["origin"] == "human"

    found = recurrence.chain(korea)
    assert [r.pk for r in found["recommendations"]] == [canada.pk, czechia.pk, korea.pk]
    assert found["summary"] == {
        "cycles": [{"cycle": 1, "states": ["Canada"], "responses": ["noted"]},
                   {"cycle": 2, "states": ["Czechia", "Republic of Korea"], "responses": ["noted", "noted"]}],
        "same_response": "noted",
    }
    html = client.get(f"/recommendations/{korea.pk}/").content.decode()
    assert ("first in cycle 1 by Canada; repeated in cycle 2 by Czechia, Republic of Korea — noted each time"
            in " ".join(html.split()))
    assert "2 links of this chain were made by a person" in html

    data = client.get(f"/api/recommendations/{korea.pk}/lineage").json()
    assert [(row["id"], row["origin"]) for row in data["earlier"]] == [(canada.pk, "human")]
    assert [rec["id"] for rec in data["chain"]] == [canada.pk, czechia.pk, korea.pk]
    assert data["summary"]["same_response"] == "noted"
    later = client.get(f"/api/recommendations/{canada.pk}/lineage").json()["later"]
    assert {row["id"] for row in later} == {korea.pk, czechia.pk}

    # recomputing the machine links keeps what a person linked
    lineage.compute_lineage([korea.review.state], force=True)
    assert LineageLink.objects.filter(earlier=canada, origin="human").count() == 2


def test_bad_links_are_refused_without_writing(example):
    before = LineageLink.objects.count()
    korea, czechia, canada = example["korea"], example["czechia"], example["canada"]
    same_cycle = _cli("lineage", "--link", str(korea.pk), str(czechia.pk))
    assert same_cycle.exit_code == 1 and "is not from a cycle before" in same_cycle.output
    elsewhere = Recommendation.objects.exclude(review__state=korea.review.state).filter(review__session__cycle=1).first()
    other_state = _cli("lineage", "--link", str(korea.pk), str(elsewhere.pk))
    assert other_state.exit_code == 1 and "different States under Review" in other_state.output
    missing = _cli("lineage", "--link", str(korea.pk), "999999999")
    assert missing.exit_code == 1 and "no recommendation 999999999" in missing.output
    backwards = _cli("lineage", "--link", str(canada.pk), str(korea.pk))
    assert backwards.exit_code == 1
    assert LineageLink.objects.count() == before
    unlinked = _cli("lineage", "--unlink", str(korea.pk), str(canada.pk))
    assert unlinked.exit_code == 0 and json.loads(unlinked.output)["removed"] is False


def test_api_links_are_for_editors(client, example, alice, charlie):
    korea, canada = example["korea"], example["canada"]
    url = f"/api/recommendations/{korea.pk}/lineage/{canada.pk}"
    assert client.post(url).status_code == 401
    client.force_login(charlie)
    assert client.post(url).status_code == 403
    client.force_login(alice)
    made = client.post(url)
    assert made.status_code == 200
    assert [(row["id"], row["origin"]) for row in made.json()["earlier"]] == [(canada.pk, "human")]
    assert LineageLink.objects.get(recommendation=korea, earlier=canada).decided_by == alice
    assert client.post(f"/api/recommendations/{korea.pk}/lineage/{korea.pk}").status_code == 400
    assert client.post(f"/api/recommendations/{korea.pk}/lineage/999999999").status_code == 404
    assert client.delete(url).status_code == 200
    assert not LineageLink.objects.filter(recommendation=korea, earlier=canada).exists()
    assert client.delete(url).status_code == 404


def test_a_person_can_link_a_duplicate_row(db):
    # exact duplicate source rows are left out of the vectors; linking one scores it as its original
    duplicate = Recommendation.objects.filter(duplicate_of__isnull=False, review__session__cycle_id=2).first()
    earlier = Recommendation.objects.filter(review__state=duplicate.review.state, review__session__cycle_id=1).first()
    result = _cli("lineage", "--link", str(duplicate.pk), str(earlier.pk))
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    ((lexical, semantic),) = lineage.score_pairs([(duplicate.duplicate_of_id, earlier.pk)])
    assert (made["origin"], made["lexical"], made["semantic"]) == ("human", round(lexical, 4), round(semantic, 4))
