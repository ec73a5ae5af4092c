"""Tracking API with personas: Alice (coalition admin), Bob (contributor), Charlie (another
organisation's admin) and anonymous. Writes without a token → 401, without the role → 403, and
nothing changes; private data never appears in another organisation's responses."""

from __future__ import annotations

import pytest

from uprwatch.records.models import Recommendation
from uprwatch.tracking import assessments, campaigns, events, organisations
from uprwatch.tracking.models import Assessment, AuditEntry, Campaign, Event, EvidenceItem, Notification


@pytest.fixture
def tokens(coalition):
    return {name: organisations.create_token(getattr(coalition, name))[1] for name in ("alice", "bob", "charlie")}


@pytest.fixture
def api(client, tokens):
    def call(method: str, path: str, who: str | None = None, json=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"} if who else {}
        if json is not None:
            import json as _json

            extra.update(data=_json.dumps(json), content_type="application/json")
        return getattr(client, method)(f"/api/tracking{path}", **headers, **extra)

    return call


@pytest.fixture
def rec():
    return Recommendation.objects.get(review__state__iso3="CHN", text__contains="North Korean citizens who have fled")


@pytest.fixture
def private(coalition, rec):
    """Private campaign, draft assessment and private event of the coalition."""
    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="North Korean escapees in China",
                                          query="q=refoulement&sur=China", states=["China"], pinned=[rec.pk])
    draft = assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented", rationale="secret")
    event = events.create_event(coalition.bob, coalition.org, title="secret event", occurred_on="2023-10-09",
                                states=["China"], recommendations=[rec.pk])
    return campaign, draft, event


def test_campaign_create_permissions(api, coalition, rec):
    body = {"organisation": coalition.org.slug, "name": "North Korean escapees in China", "query": "q=refoulement&sur=China",
            "states": ["China"], "pinned": [rec.pk]}
    assert api("post", "/campaigns", json=body).status_code == 401
    assert api("post", "/campaigns", json=body, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    assert api("post", "/campaigns", "charlie", json=body).status_code == 403
    assert api("post", "/campaigns", "bob", json={**body, "visibility": "published"}).status_code == 403
    assert not Campaign.objects.exists()
    response = api("post", "/campaigns", "bob", json=body)
    assert response.status_code == 201, response.content
    assert response.json()["visibility"] == "private" and response.json()["pinned"] == [rec.pk]
    bad = api("post", "/campaigns", "bob", json={**body, "query": "sur=Atlantis"})
    assert bad.status_code == 422 and "Atlantis" in bad.json()["detail"]


def test_private_data_hidden_from_charlie_and_anonymous(api, private):
    campaign, draft, event = private
    for who in (None, "charlie"):
        assert api("get", "/campaigns", who).json() == []
        assert api("get", f"/campaigns/{campaign.pk}", who).status_code == 404
        assert api("get", "/assessments", who, data={"recommendation": draft.recommendation_id}).json()["assessments"] == []
        assert api("get", f"/assessments/{draft.pk}", who).status_code == 404
        assert api("get", "/events", who).json() == []
        assert api("get", f"/events/{event.pk}", who).status_code == 404
        assert api("get", "/states/china/timeline", who).json() == []
        assert api("get", f"/campaigns/{campaign.pk}/timeline", who).status_code == 404
    detail = api("get", f"/campaigns/{campaign.pk}", "bob").json()
    assert draft.recommendation_id in detail["recommendations"] and detail["assessments"][0]["rationale"] == "secret"
    assert len(api("get", "/states/china/timeline", "alice").json()) == 2


def test_assessment_draft_publish_history_and_conflict(api, coalition, rec):
    body = {"organisation": coalition.org.slug, "recommendation": rec.pk, "status": "not_implemented", "rationale": "v1"}
    assert api("post", "/assessments", json=body).status_code == 401
    assert api("post", "/assessments", "charlie", json=body).status_code == 403
    assert api("post", "/assessments", "bob", json={**body, "publish": True}).status_code == 403
    assert not Assessment.objects.exists()
    created = api("post", "/assessments", "bob", json=body)
    assert created.status_code == 201 and created.json()["visibility"] == "private"
    pk = created.json()["id"]
    assert api("post", f"/assessments/{pk}/publish", "bob").status_code == 403
    assert api("post", f"/assessments/{pk}/publish", "charlie").status_code == 404
    assert api("post", f"/assessments/{pk}/publish").status_code == 401
    updated = api("post", "/assessments", "alice", json={**body, "rationale": "v2", "version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = api("post", "/assessments", "bob", json={**body, "rationale": "stale", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2 and "nothing was saved" in stale.json()["detail"]
    assert api("post", "/assessments", "bob", json={**body, "status": "done", "version": 2}).status_code == 422
    published = api("post", f"/assessments/{pk}/publish?version=2", "alice")
    assert published.status_code == 200 and published.json()["visibility"] == "published"
    public = api("get", f"/assessments/{pk}").json()
    assert [v["visibility"] for v in public["history"]] == ["published"]  # drafts stay private
    listed = api("get", "/assessments", data={"recommendation": rec.pk}).json()
    assert listed["state_claim"]["response"] == "noted" and listed["assessments"][0]["rationale"] == "v2"
    assert len(api("get", f"/assessments/{pk}", "bob").json()["history"]) == 3


def test_evidence_upload_and_delete(api, coalition, private):
    _, draft, event = private
    form = {"citation": "Human Rights Watch, 2023", "url": "https://www.hrw.org/", "date": "2023-10-13", "quote": "about 600"}
    assert api("post", f"/events/{event.pk}/evidence", data=form).status_code == 401
    assert api("post", f"/events/{event.pk}/evidence", "charlie", data=form).status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = api("post", f"/events/{event.pk}/evidence", "bob",
              data={**form, "file": SimpleUploadedFile("x.html", b"<script>alert(1)</script>")})
    assert bad.status_code == 422
    made = api("post", f"/assessments/{draft.pk}/evidence", "bob",
               data={**form, "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4 test")})
    assert made.status_code == 201 and made.json()["file_type"] == "application/pdf"
    item_id = made.json()["id"]
    assert api("delete", f"/evidence/{item_id}", "bob").status_code == 403  # editors delete
    assert api("delete", f"/evidence/{item_id}", "charlie").status_code == 404
    assert api("delete", f"/evidence/{item_id}", "alice").status_code == 204
    assert not EvidenceItem.objects.exists()


def test_events_crud_publish_and_locking(api, coalition, rec):
    body = {"organisation": coalition.org.slug, "title": "Reported forced repatriation of about 600 people",
            "occurred_on": "2023-10-09", "people_count": 600, "count_note": "about", "places": "Jilin",
            "states": ["China"], "recommendations": [rec.pk], "confidence": "high"}
    assert api("post", "/events", json=body).status_code == 401
    assert api("post", "/events", "charlie", json=body).status_code == 403
    assert api("post", "/events", "bob", json={**body, "states": ["Atlantis"]}).status_code == 422
    assert not Event.objects.exists()
    created = api("post", "/events", "bob", json=body)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api("patch", f"/events/{pk}", "bob", json={"version": 1, "places": "Jilin; Liaoning"}).json()["version"] == 2
    stale = api("patch", f"/events/{pk}", "alice", json={"version": 1, "places": "lost"})
    assert stale.status_code == 409
    assert Event.objects.get(pk=pk).places == "Jilin; Liaoning"
    assert api("post", f"/events/{pk}/publish", "bob").status_code == 403
    assert api("post", f"/events/{pk}/publish", "alice").json()["visibility"] == "published"
    assert api("get", "/events", data={"state": "china"}).json()[0]["people_count"] == 600
    assert api("delete", f"/events/{pk}", "charlie").status_code == 403  # visible now, but not theirs
    assert api("delete", f"/events/{pk}", "bob").status_code == 403
    assert api("delete", f"/events/{pk}").status_code == 401
    assert api("delete", f"/events/{pk}", "alice").status_code == 204


def test_campaign_update_publish_delete(api, private):
    campaign, _, _ = private
    assert api("patch", f"/campaigns/{campaign.pk}", json={"version": 1, "name": "x"}).status_code == 401
    assert api("patch", f"/campaigns/{campaign.pk}", "charlie", json={"version": 1, "name": "x"}).status_code == 404
    assert api("patch", f"/campaigns/{campaign.pk}", "bob", json={"version": 1, "description": "d"}).status_code == 200
    assert api("patch", f"/campaigns/{campaign.pk}", "alice", json={"version": 1, "description": "e"}).status_code == 409
    assert api("post", f"/campaigns/{campaign.pk}/publish", "bob").status_code == 403
    assert api("post", f"/campaigns/{campaign.pk}/publish", "alice").json()["visibility"] == "published"
    assert api("get", "/campaigns").json()[0]["name"] == "North Korean escapees in China"
    assert api("delete", f"/campaigns/{campaign.pk}", "bob").status_code == 403
    assert api("delete", f"/campaigns/{campaign.pk}", "charlie").status_code == 403
    assert api("delete", f"/campaigns/{campaign.pk}", "alice").status_code == 204


def test_audit_notifications_preferences_organisations(api, coalition, private):
    assert api("get", f"/organisations/{coalition.org.slug}/audit").status_code == 401
    assert api("get", f"/organisations/{coalition.org.slug}/audit", "bob").status_code == 403
    assert api("get", f"/organisations/{coalition.org.slug}/audit", "charlie").status_code == 403
    log = api("get", f"/organisations/{coalition.org.slug}/audit", "alice").json()
    assert {"watchlist", "assessment", "event"} <= {e["object_type"] for e in log}
    csv_text = api("get", f"/organisations/{coalition.org.slug}/audit", "alice", data={"format": "csv"}).content.decode()
    assert csv_text.startswith("id,at,username,action")
    assert not AuditEntry.objects.filter(organisation=coalition.other, object_type="event").exists()
    Notification.objects.create(user=coalition.bob, kind="deadline", key="k", message="China: review soon")
    assert api("get", "/notifications").status_code == 401
    assert api("get", "/notifications", "charlie").json() == []
    assert api("get", "/notifications", "bob", data={"unread": True}).json()[0]["message"] == "China: review soon"
    assert api("post", "/notifications/read", "bob").json() == {"marked": 1}
    assert api("get", "/preferences", "bob").json()["deadline_days"] == 30
    assert api("put", "/preferences", "bob", json={"email": False, "deadline_days": 7}).json()["deadline_days"] == 7
    assert api("put", "/preferences", "bob", json={"deadline_days": 0}).status_code == 422
    assert api("put", "/preferences", json={"email": False}).status_code == 401
    names = {o["slug"] for o in api("get", "/organisations").json()}
    assert names == {coalition.org.slug, coalition.other.slug}


def test_revoked_token_is_refused(api, coalition, tokens):
    organisations.revoke_token(tokens["bob"][4:12])
    assert api("get", "/notifications", "bob").status_code == 401
    assert api("get", "/campaigns", "bob").status_code == 401
