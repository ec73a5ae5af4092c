"""Tracking pages with personas: every view, as Alice (coalition admin), Bob (contributor), Charlie
(another organisation) and an anonymous visitor."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from uprwatch.records.models import Recommendation
from uprwatch.tracking import assessments, campaigns, events
from uprwatch.tracking.models import (
    ApiToken,
    Assessment,
    Campaign,
    Event,
    EvidenceItem,
    Invitation,
    Notification,
)


@pytest.fixture
def rec():
    return Recommendation.objects.get(review__state__iso3="CHN", text__contains="North Korean citizens who have fled")


@pytest.fixture
def private(coalition, rec):
    campaign = campaigns.create_campaign(coalition.bob, coalition.org, name="North Korean escapees in China",
                                          query="q=refoulement&sur=China", states=["China"], pinned=[rec.pk])
    draft = assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented",
                                        rationale="SECRET-RATIONALE")
    event = events.create_event(coalition.bob, coalition.org, title="SECRET-EVENT", occurred_on="2023-10-09",
                                states=["China"], recommendations=[rec.pk])
    item = assessments.add_evidence(coalition.bob, event, citation="SECRET-CITATION",
                                    upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4 secret"))
    return campaign, draft, event, item


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def pages(campaign, draft, event, item, coalition, rec) -> list[str]:
    return [
        f"/tracking/campaigns/{campaign.pk}/", f"/tracking/campaigns/{campaign.pk}/edit/",
        f"/tracking/assessments/{draft.pk}/", f"/tracking/events/{event.pk}/", f"/tracking/events/{event.pk}/edit/",
        f"/tracking/evidence/{item.pk}/file/",
    ]


def test_private_pages_are_404_for_outsiders_and_login_for_anonymous(client, coalition, private, rec):
    campaign, draft, event, item = private
    for url in pages(*private, coalition, rec):
        anonymous = as_user(client, None).get(url)
        assert anonymous.status_code in (302, 404), url
        if anonymous.status_code == 302:
            assert anonymous["Location"].startswith("/accounts/login/")
        assert as_user(client, coalition.charlie).get(url).status_code == 404, url
        assert as_user(client, coalition.bob).get(url).status_code == 200, url
    # Nor does private content leak into public lists, the state page, the recommendation page or timelines.
    for user in (None, coalition.charlie):
        c = as_user(client, user)
        for url in ["/tracking/", "/tracking/campaigns/", "/tracking/events/", "/states/china/",
                    f"/recommendations/{rec.pk}/", "/tracking/states/china/timeline/"]:
            response = c.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for secret in ("SECRET-RATIONALE", "SECRET-EVENT", "SECRET-CITATION", "North Korean escapees in China"):
                assert secret not in body, (url, secret)
    c = as_user(client, coalition.alice)
    assert "SECRET-EVENT" in c.get("/states/china/").content.decode()
    assert "SECRET-RATIONALE" in c.get(f"/recommendations/{rec.pk}/").content.decode()


def test_campaign_create_and_page_shows_recommendations_assessments_and_claim(client, coalition, rec):
    as_user(client, coalition.charlie)
    # Charlie can only choose his own organisation; posting the coalition's id is refused.
    response = client.post("/tracking/campaigns/new/", {"organisation": coalition.org.pk, "name": "x"})
    assert response.status_code == 403 and not Campaign.objects.exists()
    as_user(client, None)
    assert client.get("/tracking/campaigns/new/").status_code == 302
    as_user(client, coalition.bob)
    assert client.get("/tracking/campaigns/new/").status_code == 200
    response = client.post("/tracking/campaigns/new/", {
        "organisation": coalition.org.pk, "name": "North Korean escapees in China", "query": "q=refoulement&sur=China",
        "states": "China", "pinned": str(rec.pk),
    })
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracking/campaigns/{campaign.pk}/"
    bad = client.post("/tracking/campaigns/new/", {"organisation": coalition.org.pk, "name": "y", "query": "sur=Atlantis"})
    assert bad.status_code == 400 and "Atlantis" in bad.content.decode() and Campaign.objects.count() == 1
    assessments.save_assessment(coalition.charlie, coalition.other, rec.pk, status="partially_implemented",
                                rationale="Other group's view", publish=True)
    page = client.get(f"/tracking/campaigns/{campaign.pk}/").content.decode()
    assert "fled to China" in page and "non-refoulement" in page
    assert "Other group&#x27;s view" in page and "China's response" in page
    assert "cycle 1" in page and "cycle 2" in page


def test_campaign_edit_conflict_keeps_text(client, coalition, private):
    campaign = private[0]
    as_user(client, coalition.alice)
    campaigns.update_campaign(coalition.bob, campaign.pk, version=1, description="Bob's change")
    response = client.post(f"/tracking/campaigns/{campaign.pk}/edit/", {
        "version": "1", "name": campaign.name, "description": "ALICE-TEXT", "query": campaign.query, "states": "China",
    })
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body and "ALICE-TEXT" in body and "Bob&#x27;s change" in body
    campaign.refresh_from_db()
    assert campaign.description == "Bob's change"
    # The form now carries the current version: saving again is deliberate and works.
    assert 'name="version" value="2"' in body
    ok = client.post(f"/tracking/campaigns/{campaign.pk}/edit/", {
        "version": "2", "name": campaign.name, "description": "ALICE-TEXT", "query": campaign.query, "states": "China",
    })
    assert ok.status_code == 302
    campaign.refresh_from_db()
    assert campaign.description == "ALICE-TEXT"


def test_pin_exclude_publish_delete_campaign(client, coalition, private, rec):
    campaign = private[0]
    url = f"/tracking/campaigns/{campaign.pk}/"
    assert as_user(client, coalition.charlie).post(url + "pin/", {"recommendation": rec.pk, "action": "exclude"}).status_code == 404
    as_user(client, coalition.bob).post(url + "pin/", {"recommendation": rec.pk, "action": "exclude"})
    assert rec.pk not in campaigns.recommendation_ids(campaign)
    assert client.post(url + "publish/").status_code == 403
    assert client.post(url + "delete/").status_code == 403
    as_user(client, coalition.alice).post(url + "publish/")
    campaign.refresh_from_db()
    assert campaign.visibility == "published"
    assert as_user(client, None).get(url).status_code == 200
    assert as_user(client, coalition.charlie).post(url + "delete/").status_code == 403
    assert as_user(client, coalition.alice).post(url + "delete/").status_code == 302
    assert not Campaign.objects.exists()


def test_assess_draft_then_publish(client, coalition, rec):
    url = f"/tracking/recommendations/{rec.pk}/assess/"
    assert as_user(client, None).get(url).status_code == 302
    assert as_user(client, coalition.charlie).post(url, {"organisation": coalition.org.pk, "status": "implemented"}).status_code == 403
    as_user(client, coalition.bob)
    page = client.get(url).content.decode()
    assert "Save draft" in page and "Save and publish" not in page
    response = client.post(url, {"organisation": coalition.org.pk, "status": "not_implemented", "rationale": "draft text",
                                 "assessed_on": "2024-03-01", "draft": "1"})
    item = Assessment.objects.get()
    assert response.status_code == 302 and item.visibility == "private"
    assert client.post(f"/tracking/assessments/{item.pk}/publish/", {"version": 1}).status_code == 403
    stale = client.post(url, {"organisation": coalition.org.pk, "status": "implemented", "version": "0", "rationale": "mine"})
    assert stale.status_code == 409 and "mine" in stale.content.decode()
    as_user(client, coalition.alice).post(f"/tracking/assessments/{item.pk}/publish/", {"version": 1})
    item.refresh_from_db()
    assert item.visibility == "published"
    public = as_user(client, coalition.charlie).get(f"/tracking/assessments/{item.pk}/").content.decode()
    assert "draft text" in public and "not implemented" in public


def test_event_form_with_evidence_and_file_download(client, coalition, rec):
    as_user(client, coalition.bob)
    assert client.get(f"/tracking/events/new/?recommendation={rec.pk}").status_code == 200
    response = client.post("/tracking/events/new/", {
        "organisation": coalition.org.pk, "title": "Reported forced repatriation of about 600 people",
        "occurred_on": "2023-10-09", "people_count": "600", "count_note": "about", "places": "Jilin",
        "confidence": "high", "states": "China\nDPRK", "recommendations": str(rec.pk),
        "citation": "Human Rights Watch", "url": "https://www.hrw.org/", "quote": "about 600",
        "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4 x"),
    })
    event = Event.objects.get()
    assert response.status_code == 302 and event.evidence.count() == 1
    # A bad file rolls the whole event back.
    bad = client.post("/tracking/events/new/", {
        "organisation": coalition.org.pk, "title": "second", "occurred_on": "2023-10-10", "confidence": "low",
        "citation": "x", "file": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>"),
    })
    assert bad.status_code == 400 and Event.objects.count() == 1
    item = EvidenceItem.objects.get()
    download = client.get(f"/tracking/evidence/{item.pk}/file/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert client.post(f"/tracking/events/{event.pk}/evidence/", {"citation": "second source"}).status_code == 302
    assert as_user(client, coalition.charlie).post(f"/tracking/events/{event.pk}/evidence/", {"citation": "x"}).status_code == 404
    assert as_user(client, coalition.bob).post(f"/tracking/evidence/{item.pk}/delete/").status_code == 403
    assert client.post(f"/tracking/events/{event.pk}/publish/").status_code == 403
    as_user(client, coalition.alice).post(f"/tracking/events/{event.pk}/publish/")
    assert "Reported forced repatriation" in as_user(client, None).get("/tracking/states/china/timeline/").content.decode()
    assert as_user(client, coalition.charlie).post(f"/tracking/events/{event.pk}/delete/").status_code == 403
    assert as_user(client, coalition.alice).post(f"/tracking/events/{event.pk}/delete/").status_code == 302
    assert not Event.objects.exists()


def test_organisation_invitation_audit_and_accounts(client, coalition, django_capture_on_commit_callbacks):
    org_url = f"/tracking/orgs/{coalition.org.slug}/"
    assert "bob" not in as_user(client, None).get(org_url).content.decode()
    assert "Invite someone" not in as_user(client, coalition.bob).get(org_url).content.decode()
    assert client.post(org_url, {"email": "x@example.org", "role": "admin"}).status_code == 403
    assert as_user(client, coalition.charlie).post(org_url, {"email": "x@example.org", "role": "admin"}).status_code == 403
    assert not Invitation.objects.exists()
    as_user(client, coalition.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(org_url, {"email": "dana@example.org", "role": "editor"})
    token = Invitation.objects.get().token
    assert f"/tracking/invitations/{token}/" in mail.outbox[-1].body
    as_user(client, None)
    assert client.get(f"/tracking/invitations/{token}/").status_code == 200
    client.post(f"/tracking/invitations/{token}/", {"username": "dana", "password": "dana-password-1", "password2": "dana-password-1"})
    assert coalition.org.memberships.get(user__username="dana").role == "editor"
    assert client.get(f"/tracking/invitations/{token}/").status_code == 400  # used
    audit_url = f"/tracking/orgs/{coalition.org.slug}/audit/"
    for user, status in ((coalition.bob, 403), (coalition.charlie, 403), (coalition.alice, 200)):
        assert as_user(client, user).get(audit_url).status_code == status
    assert as_user(client, None).get(audit_url).status_code == 302
    as_user(client, coalition.alice)
    assert client.get(audit_url + "?format=csv")["Content-Type"] == "text/csv"
    assert '"action": "create"' in client.get(audit_url + "?format=json").content.decode()
    # Login, logout and password reset pages.
    as_user(client, None)
    assert client.get("/accounts/login/").status_code == 200
    assert client.post("/accounts/login/", {"username": "bob", "password": "bob-password-1"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    client.post("/accounts/password_reset/", {"email": "bob@example.org"})
    assert "/accounts/reset/" in mail.outbox[-1].body


def test_notifications_preferences_tokens(client, coalition):
    Notification.objects.create(user=coalition.bob, kind="deadline", key="k", message="China: review soon", url="/")
    for url in ("/tracking/notifications/", "/tracking/preferences/", "/tracking/tokens/"):
        assert as_user(client, None).get(url).status_code == 302
    as_user(client, coalition.charlie)
    assert "China: review soon" not in client.get("/tracking/notifications/").content.decode()
    as_user(client, coalition.bob)
    assert "China: review soon" in client.get("/tracking/notifications/").content.decode()
    client.post("/tracking/notifications/")
    assert Notification.objects.get().read_at is not None
    client.post("/tracking/preferences/", {"in_app": "on", "deadline_days": "14"})
    prefs = coalition.bob.tracking_preferences
    assert prefs.deadline_days == 14 and prefs.email is False
    assert client.post("/tracking/preferences/", {"deadline_days": "0"}).status_code == 400
    page = client.post("/tracking/tokens/", {"name": "laptop"}).content.decode()
    token = ApiToken.objects.get(user=coalition.bob)
    assert "upr_" + token.prefix in page
    assert as_user(client, coalition.charlie).post("/tracking/tokens/", {"revoke": token.pk}).status_code == 400
    as_user(client, coalition.bob).post("/tracking/tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_campaign_page_shows_firsts_and_lineage(client, coalition):
    from uprwatch.analysis.models import LineageLink

    later = Recommendation.objects.get(review__state__iso3="CHN", review__session_id=17, recommending_states__iso3="CZE",
                                       text__icontains="North Korean refugees")
    earlier = Recommendation.objects.filter(review__state__iso3="CHN", review__session_id=4,
                                            recommending_states__iso3="CZE", text__icontains="refoul").first()
    LineageLink.objects.create(recommendation=later, earlier=earlier, lexical=0.5, semantic=0.6, score=0.55, method="test")
    campaign = campaigns.create_campaign(coalition.alice, coalition.org, name="Escapees",
                                          query="q=refoulement&sur=China", visibility="published")
    as_user(client, coalition.alice)
    page = client.get(f"/tracking/campaigns/{campaign.pk}/").content.decode()
    # Firsts load with htmx over the campaign's saved search; lineage is listed per recommendation.
    assert '/analysis/firsts/?q=refoulement&amp;sur=China' in page
    assert "Repeats 1 earlier recommendation" in page and f"/recommendations/{earlier.pk}/" in page
    firsts = client.get("/analysis/firsts/?q=refoulement&sur=China").content.decode()
    assert "Canada" in firsts and "Czechia" in firsts


def test_publishing_a_changed_event_is_refused_with_a_message(client, coalition, rec):
    """Every publish button sends the version it showed: a draft changed since then is not published."""
    item = events.create_event(coalition.bob, coalition.org, title="Reported repatriation", occurred_on="2023-10-09",
                               recommendations=[rec.pk])
    as_user(client, coalition.alice)
    assert f'name="version" value="{item.version}"' in client.get(f"/tracking/events/{item.pk}/").content.decode()
    refused = client.post(f"/tracking/events/{item.pk}/publish/", {"version": item.version + 1}, follow=True)
    assert "changed since you read it" in refused.content.decode()
    item.refresh_from_db()
    assert item.visibility == "private"
    client.post(f"/tracking/events/{item.pk}/publish/", {"version": item.version})
    item.refresh_from_db()
    assert item.visibility == "published"
