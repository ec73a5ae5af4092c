"""The backbone: real figures of the bundled dataset, browsing pages, the records API."""

from __future__ import annotations

import pytest

from uprwatch.records.models import Recommendation, Response, Review
from uprwatch.records.stats import dataset_stats

pytestmark = pytest.mark.postgres


def test_dataset_figures(db):
    stats = dataset_stats()
    assert stats["recommendations"] == 41066
    assert stats["supported"] == 30472
    assert stats["noted"] == 10594
    assert stats["states_under_review"] == 193
    # 169 distinct "From" values in UPR Info's data: 168 states and "(Unknown)" (9 rows).
    assert stats["recommending_states"] == 168
    assert stats["sessions"] == 20
    assert stats["pledges"] == 947
    assert stats["upr_info_rows"] == 41066


def test_china_counts_per_session(db):
    china = Recommendation.objects.filter(review__state__iso3="CHN")
    assert china.filter(review__session_id=4).count() == 138
    assert china.filter(review__session_id=17).count() == 284


def test_dprk_received_436_over_sessions_6_and_19(db):
    assert Recommendation.objects.filter(review__state__iso3="PRK", review__session_id__in=[6, 19]).count() == 436


def test_korea_non_refoulement_recommendation_to_china_is_noted(db):
    rec = Recommendation.objects.get(
        review__state__iso3="CHN", review__session_id=17, recommending_states__iso3="KOR", text__icontains="refugees"
    )
    assert "cross-border refugees" in rec.text
    assert rec.response == Response.NOTED
    assert rec.review.session.cycle_id == 2
    assert rec.provenance.get().dataset == "UPR Info database"


def test_human_labels_kept(db):
    rec = Recommendation.objects.filter(review__state__iso3="AFG", text__startswith="Enact legislation and take effective").first()
    assert rec.action_category == 5 and rec.action_origin == "human"
    assert {label.term.name for label in rec.labels.all()} == {"Rights of the Child", "Women's rights"}
    assert all(label.origin == "human" for label in rec.labels.all())


def test_exact_duplicate_rows_are_kept_and_marked(db):
    duplicates = Recommendation.objects.filter(duplicate_of__isnull=False)
    # 2 byte-identical rows plus 2 that differ only in white space (see README, "Data")
    assert duplicates.count() == 4
    for rec in duplicates:
        assert rec.text == rec.duplicate_of.text


def test_unknown_recommender_rows_have_no_state(db):
    unknown = Recommendation.objects.filter(recommending_states__isnull=True)
    assert unknown.count() == 9


def test_every_review_has_a_cycle(db):
    assert Review.objects.filter(session__cycle_id=1).count() > 0
    assert not Review.objects.filter(session__cycle__isnull=True).exists()


def test_home_page(client, db):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "41,066" in body or "41066" in body
    assert 'data-vega-spec="chart-sessions"' in body


def test_state_page_groups_reviews(client, db):
    response = client.get("/states/china/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/states/china/sessions/17/" in body and "/states/china/sessions/4/" in body


def test_review_page_is_paginated(client, db):
    response = client.get("/states/china/sessions/17/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 284
    assert len(response.context["page"].object_list) == 50
    assert client.get("/states/china/sessions/17/?page=999").status_code == 200


def test_recommendation_page_and_escaping(client, db):
    rec = Recommendation.objects.filter(review__state__iso3="CHN").first()
    rec.text = "<script>alert(1)</script>"
    rec.save()
    response = client.get(f"/recommendations/{rec.pk}/")
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_missing_pages_are_404(client, db):
    assert client.get("/recommendations/999999999/").status_code == 404
    assert client.get("/states/atlantis/").status_code == 404
    assert client.get("/api/recommendations/999999999").status_code == 404


def test_api_recommendation(client, db):
    rec = Recommendation.objects.get(
        review__state__iso3="CHN", review__session_id=17, recommending_states__iso3="KOR", text__icontains="refugees"
    )
    data = client.get(f"/api/recommendations/{rec.pk}").json()
    assert data["state_under_review"] == "China"
    assert data["recommending_states"] == ["Republic of Korea"]
    assert data["response"] == "noted" and data["session"] == 17 and data["cycle"] == 2
    assert data["provenance"][0]["dataset"] == "UPR Info database"


def test_openapi_documented(client, db):
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
