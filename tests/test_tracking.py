"""Tracking services on the real dataset: campaigns, assessments with history, evidence, events,
alerts, audit, optimistic locking, and that private data stays inside its organisation."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from uprwatch.records.models import Recommendation, Review, Session, State
from uprwatch.records.signals import announce_recommendations_changed
from uprwatch.tracking import alerts, assessments, audit, campaigns, deadlines, events, organisations
from uprwatch.tracking.errors import Conflict, Invalid, NotAllowed
from uprwatch.tracking.models import (
    AssessmentVersion,
    AuditEntry,
    Campaign,
    Event,
    EvidenceItem,
    Job,
    Notification,
)


def china_rec(fragment: str) -> Recommendation:
    return Recommendation.objects.get(review__state__iso3="CHN", text__contains=fragment)


@pytest.fixture
def escapees(coalition):
    """The campaign of the issue, made by Bob (contributor) of the coalition."""
    pinned = china_rec("North Korean citizens who have fled to China")
    return campaigns.create_campaign(
        coalition.bob, coalition.org, name="North Korean escapees in China", query="q=refoulement&sur=China",
        states=["China"], pinned=[pinned.pk],
    )


def test_campaign_selects_saved_search_plus_pinned_minus_excluded(coalition, escapees):
    ids = campaigns.recommendation_ids(escapees)
    non_refoulement = china_rec("non-refoulement of refugees from the Democratic People's Republic of Korea")
    fled = china_rec("North Korean citizens who have fled to China")
    assert {non_refoulement.pk, fled.pk} <= ids
    assert Recommendation.objects.filter(pk__in=ids).exclude(review__state__iso3="CHN").count() == 0
    campaigns.pin(coalition.bob, escapees, non_refoulement.pk, exclude=True)
    assert non_refoulement.pk not in campaigns.recommendation_ids(escapees)
    # Cycles: the pinned recommendation is from session 17, the others from earlier sessions.
    sessions = set(campaigns.recommendations(escapees).values_list("review__session_id", flat=True))
    assert 17 in sessions and min(sessions) < 17


def test_campaign_bad_query_and_unknown_state_are_refused_without_writing(coalition):
    with pytest.raises(Invalid):
        campaigns.create_campaign(coalition.bob, coalition.org, name="x", query="sur=Narnia")
    with pytest.raises(Invalid, match="Narnia"):
        campaigns.create_campaign(coalition.bob, coalition.org, name="x", states=["Narnia"])
    assert not Campaign.objects.exists()


def test_roles_contributor_drafts_editor_publishes_outsider_refused(coalition, escapees):
    rec = china_rec("North Korean citizens who have fled to China")
    with pytest.raises(NotAllowed):
        campaigns.create_campaign(coalition.charlie, coalition.org, name="intrusion")
    with pytest.raises(NotAllowed):
        assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented", publish=True)
    draft = assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented",
                                        rationale="No visit has been allowed.")
    assert draft.visibility == "private"
    with pytest.raises(NotAllowed):
        assessments.publish(coalition.bob, draft)
    with pytest.raises(NotAllowed):
        assessments.publish(coalition.charlie, draft)
    published = assessments.publish(coalition.alice, draft)
    assert published.visibility == "published" and published.published_at
    assert AuditEntry.objects.filter(object_type="assessment", action="publish", username="alice").exists()


def test_assessment_history_is_kept_and_stale_save_conflicts(coalition):
    rec = china_rec("North Korean citizens who have fled to China")
    first = assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented",
                                        rationale="v1", assessed_on="2024-01-10")
    second = assessments.save_assessment(coalition.alice, coalition.org, rec.pk, status="regressed",
                                         rationale="v2", version=first.version)
    assert second.pk == first.pk and second.version == 2
    with pytest.raises(Conflict) as conflict:
        assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="implemented",
                                    rationale="stale edit", version=1)
    assert conflict.value.current_version == 2
    second.refresh_from_db()
    assert second.rationale == "v2" and second.status == "regressed"
    history = list(AssessmentVersion.objects.filter(assessment=second).order_by("version").values_list("rationale", flat=True))
    assert history == ["v1", "v2"]


def test_several_organisations_side_by_side_with_state_claim(coalition):
    rec = china_rec("North Korean citizens who have fled to China")
    assessments.save_assessment(coalition.alice, coalition.org, rec.pk, status="not_implemented", publish=True)
    assessments.save_assessment(coalition.charlie, coalition.other, rec.pk, status="partially_implemented", publish=True)
    shown = assessments.assessments_of(None, [rec.pk])[rec.pk]
    assert sorted(a.status for a in shown) == ["not_implemented", "partially_implemented"]
    claim = assessments.state_claim(rec)
    assert claim["state"] == "China" and claim["response"] == "noted"


def test_private_content_is_invisible_to_other_organisations_and_anonymous(coalition, escapees):
    from django.contrib.auth.models import AnonymousUser

    rec = china_rec("North Korean citizens who have fled to China")
    assessments.save_assessment(coalition.bob, coalition.org, rec.pk, status="not_implemented", rationale="secret")
    events.create_event(coalition.bob, coalition.org, title="private incident", occurred_on="2023-10-09",
                        states=["China"])
    for outsider in (coalition.charlie, AnonymousUser()):
        assert not campaigns.visible_campaigns(outsider).exists()
        assert not assessments.visible_assessments(outsider).exists()
        assert not events.visible_events(outsider).exists()
        assert events.state_timeline(outsider, State.objects.get(iso3="CHN")) == []
    assert campaigns.visible_campaigns(coalition.bob).get() == escapees
    assert len(events.state_timeline(coalition.bob, State.objects.get(iso3="CHN"))) == 2


def test_event_with_evidence_file_limits(coalition):
    event = events.create_event(
        coalition.bob, coalition.org, title="Reported forced repatriation of about 600 people from China to the DPRK",
        occurred_on="2023-10-09", people_count=600, count_note="about", places="Jilin; Liaoning",
        sources="Human Rights Watch", confidence="high", states=["China", "DPRK"],
        recommendations=[china_rec("North Korean citizens who have fled to China").pk],
    )
    assert sorted(s.iso3 for s in event.states.all()) == ["CHN", "PRK"]
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    item = assessments.add_evidence(coalition.bob, event, citation="HRW, 2023", url="https://www.hrw.org/",
                                    date="2023-10-13", quote="about 600", upload=pdf)
    assert item.file_type == "application/pdf" and item.file_size == 15
    for name, content, message in [
        ("page.html", b"<script>alert(1)</script>", "not accepted"),
        ("fake.pdf", b"<html>", "not .pdf"),
    ]:
        with pytest.raises(Invalid, match=message):
            assessments.add_evidence(coalition.bob, event, citation="x", upload=SimpleUploadedFile(name, content))
    with pytest.raises(Invalid, match="people_count"):
        events.create_event(coalition.bob, coalition.org, title="x", occurred_on="2023-01-01", people_count="many")
    with pytest.raises(Invalid, match="date"):
        events.create_event(coalition.bob, coalition.org, title="x", occurred_on="October 2023")
    assert EvidenceItem.objects.count() == 1 and Event.objects.count() == 1


def test_event_optimistic_locking(coalition):
    event = events.create_event(coalition.bob, coalition.org, title="t", occurred_on="2023-10-09")
    events.update_event(coalition.bob, event.pk, version=1, title="t2", occurred_on="2023-10-09", confidence="low")
    with pytest.raises(Conflict, match="changed by someone else"):
        events.update_event(coalition.alice, event.pk, version=1, title="t3", occurred_on="2023-10-09",
                            confidence="low")
    event.refresh_from_db()
    assert event.title == "t2" and event.version == 2


def test_ingest_signal_queues_job_and_jobs_run_notifies_and_emails(coalition, escapees, django_capture_on_commit_callbacks):
    new = china_rec("non-refoulement of refugees from the Democratic People's Republic of Korea")
    elsewhere = Recommendation.objects.filter(review__state__iso3="FRA").first()
    with django_capture_on_commit_callbacks(execute=True):
        announce_recommendations_changed([new.pk, elsewhere.pk], "ingest")
    assert Job.objects.filter(kind="watchlist_match", status="queued").count() == 1
    alerts.update_preferences(coalition.bob, email=False)
    figures = alerts.run_jobs(deadlines=False)
    assert figures["jobs_done"] == 1 and figures["match_notifications"] == 2  # Alice and Bob
    note = Notification.objects.get(user=coalition.alice)
    assert note.recommendation_ids == [new.pk] and "North Korean escapees in China" in note.message
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]  # Bob turned email off
    assert not Notification.objects.filter(user=coalition.charlie).exists()
    # Running again announces nothing twice, nor does a later classification of the same recommendation.
    assert alerts.run_jobs(deadlines=False)["match_notifications"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        announce_recommendations_changed([new.pk], "classify")
    assert alerts.run_jobs(deadlines=False)["match_notifications"] == 0


def test_deadline_alert_for_watched_state(coalition, escapees):
    china = State.objects.get(iso3="CHN")
    upcoming = deadlines.watched_state_deadlines(china, datetime.date(2026, 1, 1))
    if not upcoming:  # without the calendar feature, a scheduled review is the deadline
        session = Session.objects.create(number=99, cycle_id=1, year=2030, start_date=datetime.date(2030, 1, 21))
        Review.objects.create(state=china, session=session)
        upcoming = deadlines.watched_state_deadlines(china, datetime.date(2026, 1, 1))
    today = upcoming[0].date - datetime.timedelta(days=20)
    for_bob = deadlines.watched_state_deadlines(china, today, 30)  # Bob keeps the default 30 days
    for_alice = deadlines.watched_state_deadlines(china, today, 10)
    alerts.update_preferences(coalition.alice, deadline_days=10)
    assert alerts.check_deadlines(today) == len(for_bob) + len(for_alice)
    bob_notes = Notification.objects.filter(kind="deadline", user=coalition.bob)
    assert bob_notes.count() == len(for_bob) >= 1
    assert any(upcoming[0].date.isoformat() in n.message and "China" in n.message for n in bob_notes)
    assert Notification.objects.filter(kind="deadline", user=coalition.alice).count() == len(for_alice)
    assert not Notification.objects.filter(user=coalition.charlie).exists()
    assert alerts.check_deadlines(today) == 0  # announced once


def test_audit_log_records_before_after_and_exports(coalition, escapees):
    campaigns.update_campaign(coalition.bob, escapees.pk, version=escapees.version, name="Escapees (renamed)")
    entry = AuditEntry.objects.filter(object_type="watchlist", action="update").get()
    assert entry.before["name"] == "North Korean escapees in China" and entry.after["name"] == "Escapees (renamed)"
    exported = json.loads(audit.export(coalition.org, "json"))
    assert {"create", "update"} <= {row["action"] for row in exported}
    assert "Escapees (renamed)" in audit.export(coalition.org, "csv")
    assert not any(row["object_type"] == "watchlist" for row in json.loads(audit.export(coalition.other, "json")))
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_campaign_stale_update_conflicts(coalition, escapees):
    campaigns.update_campaign(coalition.bob, escapees.pk, version=1, description="first")
    with pytest.raises(Conflict):
        campaigns.update_campaign(coalition.alice, escapees.pk, version=1, description="second")
    escapees.refresh_from_db()
    assert escapees.description == "first"


def test_invitation_and_tokens(coalition, django_user_model, django_capture_on_commit_callbacks):
    with pytest.raises(NotAllowed):
        organisations.invite(coalition.org, "dana@example.org", "editor", actor=coalition.bob)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = organisations.invite(coalition.org, "dana@example.org", "editor", actor=coalition.alice)
    assert invitation.token in mail.outbox[0].body
    dana = django_user_model.objects.create_user("dana", "dana@example.org", "dana-password-1")
    organisations.accept_invitation(invitation.token, dana)
    assert organisations.organisations_of(dana).get() == coalition.org
    with pytest.raises(Invalid):
        organisations.accept_invitation(invitation.token, dana)
    token, key = organisations.create_token(dana, "laptop")
    assert organisations.user_for_token(key) == dana
    organisations.revoke_token(token.prefix)
    assert organisations.user_for_token(key) is None


def test_changes_from_before_a_campaign_existed_are_not_news(coalition, escapees):
    rec = china_rec("non-refoulement of refugees from the Democratic People's Republic of Korea")
    job = Job.objects.create(kind="watchlist_match", payload={"ids": [rec.pk], "reason": "ingest"})
    Job.objects.filter(pk=job.pk).update(created_at=escapees.created_at - datetime.timedelta(hours=1))
    figures = alerts.run_jobs(deadlines=False)
    assert figures["jobs_done"] == 1 and figures["match_notifications"] == 0
    assert not Notification.objects.exists()
