"""The one merge service: a source's records merged into what uprwatch holds, provenance and disagreements kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from uprwatch.records.models import Label, Provenance, Recommendation, Response, Review, Term
from uprwatch.sources.merge import MechanismRecord, Merger, UprRecord, disagreements, positions
from uprwatch.sources.models import MechanismRecommendation, SourceRecord

KOREA_2013 = ("Provide adequate protection to asylum seekers and cross-border refugees including especially those "
              "from neighbouring countries, in accordance with humanitarian considerations and relevant "
              "international norms such as the principle of non-refoulement")


def korea_record(**changes) -> UprRecord:
    values = dict(
        source="uhri", record_id="a1b2c3d4-0000-4000-8000-000000000017", state_under_review="CHN", session=17,
        text=KOREA_2013, recommending_states=["KOR"],
        response=Response.SUPPORTED, paragraph="186.243", published=dt.date(2013, 12, 4),
        url="https://uhri.ohchr.org/en/document/x", document_symbol="A/HRC/25/5",
        themes=["Refugees & asylum seekers"], sdgs=["10.7 - Facilitate orderly, safe, regular migration"],
    )
    values.update(changes)
    return UprRecord(**values)


def merge(records, batch_kind="uhri_sync", dry_run=False):
    from uprwatch.records.models import ImportBatch

    with transaction.atomic():
        batch = None if dry_run else ImportBatch.objects.create(kind=batch_kind, source="test")
        return Merger(batch, dry_run=dry_run).add_all(records)


@pytest.mark.django_db
def test_merges_into_the_upr_info_row_keeping_the_disagreement():
    report = merge([korea_record()])
    assert (report.upr.merged, report.upr.added) == (1, 0)
    rec = Recommendation.objects.get(source_records__record_id=korea_record().record_id)
    # UPR Info said "noted"; UHRI says "supported": the record keeps UPR Info's answer, both are shown
    assert rec.response == Response.NOTED and rec.response_source == "UPR Info database"
    assert [(p.source, p.response) for p in positions(rec)] == [
        ("UPR Info database", "noted"), ("OHCHR Universal Human Rights Index", "supported")]
    assert len(disagreements(rec)) == 2
    assert {p.dataset for p in Provenance.objects.filter(recommendation=rec)} == {
        "UPR Info database", "OHCHR Universal Human Rights Index"}
    assert rec.paragraph == "186.243"
    assert Label.objects.filter(recommendation=rec, term__taxonomy=Term.Taxonomy.SDG, term__code="10.7").exists()


@pytest.mark.django_db
def test_rerun_is_idempotent_and_a_later_export_updates():
    merge([korea_record()])
    counts = Recommendation.objects.count(), SourceRecord.objects.count(), Provenance.objects.count()
    again = merge([korea_record()])
    assert (again.upr.unchanged, again.upr.merged, again.upr.added, again.upr.updated) == (1, 0, 0, 0)
    assert (Recommendation.objects.count(), SourceRecord.objects.count(), Provenance.objects.count()) == counts
    later = merge([korea_record(response=Response.NOTED)])
    assert later.upr.updated == 1
    rec = Recommendation.objects.get(source_records__record_id=korea_record().record_id)
    assert disagreements(rec) == []  # the sources agree now
    assert SourceRecord.objects.get(record_id=korea_record().record_id).response == "noted"


@pytest.mark.django_db
def test_new_recommendation_is_added_with_its_review():
    text = ("Respect the principle of non-refoulement and refrain from forcibly returning escapees from the "
            "Democratic People's Republic of Korea")
    report = merge([korea_record(record_id="new-45", session=45, text=text, paragraph="",
                                 response=Response.NOTED, published=dt.date(2024, 2, 1))])
    assert report.upr.added == 1
    rec = Recommendation.objects.get(source_records__record_id="new-45")
    assert rec.review == Review.objects.get(state__iso3="CHN", session_id=45)
    assert rec.response == Response.NOTED and rec.response_source == "OHCHR Universal Human Rights Index"
    assert [s.iso3 for s in rec.recommending_states.all()] == ["KOR"]
    assert rec.pk in report.changed_ids


@pytest.mark.django_db
def test_joint_recommendation_folds_upr_info_rows():
    """UPR Info splits a joint recommendation into one row per state; the source's one record joins them."""
    rows = list(Recommendation.objects.filter(review__state__iso3="CHN", review__session_id=4)
                .prefetch_related("recommending_states"))
    by_text = {}
    for row in rows:
        by_text.setdefault(row.text, []).append(row)
    text, joint = next((t, rs) for t, rs in by_text.items() if len(rs) >= 2)
    states = [s.iso3 for r in joint for s in r.recommending_states.all()]
    before = Recommendation.objects.count()
    report = merge([korea_record(record_id="joint", session=4, text=text, recommending_states=states, paragraph="")])
    assert report.upr.merged == 1
    assert Recommendation.objects.count() == before - (len(joint) - 1)
    rec = Recommendation.objects.get(source_records__record_id="joint")
    assert sorted(s.iso3 for s in rec.recommending_states.all()) == sorted(states)
    assert Provenance.objects.filter(recommendation=rec, dataset="UPR Info database").count() == len(joint)


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    counts = Recommendation.objects.count(), SourceRecord.objects.count()
    report = merge([korea_record(), korea_record(record_id="new", session=45, text="Abolish the death penalty.")],
                   dry_run=True)
    assert (report.upr.merged, report.upr.added) == (1, 1)
    assert (Recommendation.objects.count(), SourceRecord.objects.count()) == counts


@pytest.mark.django_db
def test_two_records_of_one_source_never_share_a_recommendation():
    report = merge([korea_record(), korea_record(record_id="copy")])
    assert (report.upr.merged, report.upr.added) == (1, 1)


@pytest.mark.django_db
def test_other_mechanisms_added_unchanged_updated():
    cat = MechanismRecord(
        source="uhri", record_id="cat-1", body="CAT", body_kind="treaty_body", kind="observation",
        text="The State party should ensure that no person is expelled, returned or extradited to a State where "
             "there are substantial grounds for believing that he or she would be in danger of torture, including "
             "persons from the Democratic People's Republic of Korea.",
        states=["CHN"], symbol="CAT/C/CHN/CO/5", published=dt.date(2016, 2, 3),
    )
    assert merge([cat]).other.added == 1
    assert merge([cat]).other.unchanged == 1
    cat.text += " It should allow UNHCR access."
    assert merge([cat]).other.updated == 1
    stored = MechanismRecommendation.objects.get(record_id="cat-1")
    assert stored.text.endswith("UNHCR access.") and [s.iso3 for s in stored.states.all()] == ["CHN"]


@pytest.mark.django_db
def test_unknown_session_is_refused():
    with pytest.raises(ValueError, match="session 99"):
        merge([korea_record(record_id="x", session=99)])
