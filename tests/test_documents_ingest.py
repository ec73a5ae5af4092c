"""Ingest, CLI, web upload and API of UN documents, on the real bundled dataset and ../shared files."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from uprwatch.cli import main
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.ingestion import ingest_paths
from uprwatch.records.models import Document, Label, Provenance, Recommendation, Session
from uprwatch.records.signals import recommendations_changed

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "un-documents"
CHINA_2013 = SHARED / "wg-reports-2008-2014" / "china2013.pdf"
SVN4 = SHARED / "slovenia" / "cycle4"
SVN_REPORT, SVN_ADDENDUM = SVN4 / "g2502644.pdf", SVN4 / "g2505828.pdf"

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="../shared is not available")


def snapshot() -> tuple:
    return (Recommendation.objects.count(), Document.objects.count(), Provenance.objects.count(),
            Label.objects.count(), list(Recommendation.objects.order_by("-updated_at").values_list("id", "updated_at")[:3]))


def review_recs(iso3: str, session: int):
    return Recommendation.objects.filter(review__state__iso3=iso3, review__session_id=session)


def test_china_2013_merges_upr_info_rows(db):
    before = review_recs("CHN", 17).count()
    assert before == 284
    report = ingest_paths([CHINA_2013])
    assert report.merged >= 270 and report.added <= 5
    rec = review_recs("CHN", 17).get(paragraph="186.243")
    assert [s.iso3 for s in rec.recommending_states.all()] == ["KOR"]
    sources = {(p.dataset, p.document.symbol if p.document else "") for p in rec.provenance.all()}
    assert sources == {("UPR Info database", ""), ("", "A/HRC/25/5")}
    assert rec.response == "noted"  # the report leaves it pending: UPR Info's response is kept
    assert rec.labels.exists()  # UPR Info issues kept
    assert review_recs("CHN", 17).get(paragraph="186.241").recommending_states.get().iso3 == "CZE"
    session = Session.objects.get(number=17)
    assert (str(session.start_date), str(session.end_date)) == ("2013-10-21", "2013-11-01")
    # every UPR Info row of the review keeps its provenance, merged or not
    assert Provenance.objects.filter(recommendation__review__state__iso3="CHN", recommendation__review__session=17,
                                     dataset="UPR Info database").count() == 284


def test_joint_recommendation_merges_several_rows(db):
    ingest_paths([CHINA_2013])
    joint = [r for r in review_recs("CHN", 17).filter(paragraph="186.1") if r.recommending_states.count() > 1]
    rows = Provenance.objects.filter(recommendation__in=review_recs("CHN", 17).filter(paragraph="186.20"),
                                     dataset="UPR Info database")
    assert rows.count() >= 1
    # "Ratify ICCPR (Albania); ..." is ten recommendations, each with its own UPR Info row
    assert review_recs("CHN", 17).filter(paragraph="186.1").count() == 10 and not joint


def test_ingest_is_idempotent(db):
    ingest_paths([SVN_REPORT, SVN_ADDENDUM])
    before = snapshot()
    again = ingest_paths([SVN_ADDENDUM, SVN_REPORT])
    assert [d.status for d in again.documents] == ["unchanged", "unchanged"]
    assert (again.added, again.updated, again.merged) == (0, 0, 0)
    assert snapshot() == before


def test_slovenia_2025_with_addendum(db):
    report = ingest_paths([SVN_ADDENDUM, SVN_REPORT])  # order on the command line does not matter
    assert report.added == 254
    recs = review_recs("SVN", 48)
    assert recs.count() == 254
    assert Counter(recs.values_list("response", flat=True)) == {"supported": 217, "noted": 37}
    rec = recs.get(paragraph="140.11")
    assert rec.already_implemented and "Statelessness" in rec.response_explanation
    assert rec.response_source == "A/HRC/59/15/Add.1"
    assert [s.iso3 for s in recs.get(paragraph="140.1").recommending_states.order_by("iso3")] == [
        "CPV", "DZA", "LKA", "PRY", "SSD", "TGO", "URY", "VEN"]


def test_addendum_updates_an_already_ingested_report(db):
    ingest_paths([SVN_REPORT])
    assert set(review_recs("SVN", 48).values_list("response", flat=True)) == {"pending"}
    report = ingest_paths([SVN_ADDENDUM])
    assert report.updated == 254
    assert review_recs("SVN", 48).filter(response="supported").count() == 217


def test_addendum_without_its_report_changes_nothing(db):
    before = snapshot()
    with pytest.raises(DocumentError, match="ingest the report first"):
        ingest_paths([SVN_ADDENDUM])
    assert snapshot() == before


def test_one_bad_file_leaves_the_database_unchanged(db, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing")
    before = snapshot()
    with pytest.raises(DocumentError, match="bad.pdf"):
        ingest_paths([SVN_REPORT, bad])
    assert snapshot() == before


def test_ingest_announces_changes(db, django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, ids, reason, **kwargs):
        seen.append((reason, len(ids)))

    recommendations_changed.connect(receiver, dispatch_uid="test-documents")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ingest_paths([SVN_REPORT])
        for callback in callbacks:
            if getattr(callback, "__qualname__", "").startswith("announce_recommendations_changed"):
                callback()
    finally:
        recommendations_changed.disconnect(dispatch_uid="test-documents")
    assert ("ingest", 254) in seen


def test_bundled_documents_reach_cycle_4(db):
    from uprwatch.documents.bundled import ingest_bundled

    report = ingest_bundled()
    assert {d.status for d in report.documents} == {"ingested"}
    assert Counter(review_recs("SVN", 48).values_list("response", flat=True)) == {"supported": 217, "noted": 37}
    china_2018 = review_recs("CHN", 31)
    assert china_2018.count() >= 346 and not china_2018.filter(response="pending").exists()
    assert china_2018.filter(labels__term__taxonomy="theme").exists()
    assert review_recs("SVN", 34).count() >= 215
    # the original files are recognised as already ingested
    again = ingest_paths([SVN_REPORT])
    assert again.documents[0].status == "unchanged"


# --- CLI --------------------------------------------------------------------------------------


def test_cli_parse_json_shape():
    result = CliRunner().invoke(main, ["parse", str(CHINA_2013), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"symbol", "kind", "state_under_review", "session", "dates"} <= set(data["document"])
    assert data["document"]["kind"] == "working_group_report"
    rec = next(r for r in data["recommendations"] if r["paragraph"] == "186.243")
    assert {"paragraph", "text", "recommending_states", "response", "themes", "affected_persons", "sdgs"} <= set(rec)
    assert rec["recommending_states"] == ["KOR"]
    # Codes for programs, names beside them for readers (the Republic of Korea is not North Korea).
    assert rec["recommending_state_names"] == ["Republic of Korea"]
    assert data["document"]["state_under_review_name"] == "China"


def test_cli_parse_table():
    result = CliRunner().invoke(main, ["parse", str(SVN_ADDENDUM), "--format", "table"])
    assert result.exit_code == 0 and "A/HRC/59/15/Add.1" in result.output


def test_cli_ingest_prints_what_changed(db):
    result = CliRunner().invoke(main, ["ingest", str(SVN_REPORT), str(SVN_ADDENDUM)])
    assert result.exit_code == 0, result.output
    assert "added 254, updated 254, merged 0" in result.output
    again = CliRunner().invoke(main, ["ingest", str(SVN_REPORT)])
    assert "unchanged" in again.output and "added 0, updated 0, merged 0" in again.output


def test_cli_bad_input_exits_1(db, tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    before = snapshot()
    for command in (["parse", str(empty)], ["ingest", str(SVN_REPORT), str(empty)],
                    ["parse", str(SHARED / "slovenia" / "cycle3" / "Advance_questions_to_Slovenia_Add1.doc")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        assert "Error:" in result.output and "Traceback" not in result.output
    assert snapshot() == before


# --- web and API ------------------------------------------------------------------------------


def _upload(client, *paths, url="/documents/upload/"):
    handles = [open(p, "rb") for p in paths]
    try:
        return client.post(url, {"files": handles})
    finally:
        for handle in handles:
            handle.close()


def test_alice_uploads_report_and_addendum(client, alice):
    client.force_login(alice)
    response = _upload(client, SVN_REPORT, SVN_ADDENDUM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A/HRC/59/15/Add.1" in body and "254" in body
    assert review_recs("SVN", 48).filter(response="noted").count() == 37
    listing = client.get("/documents/").content.decode()
    assert "A/HRC/59/15" in listing and "Upload documents" in listing
    document = Document.objects.get(symbol="A/HRC/59/15")
    assert client.get(f"/documents/{document.pk}/").status_code == 200


def test_bob_and_anonymous_cannot_upload(client, bob):
    before = snapshot()
    assert _upload(client, SVN_REPORT).status_code == 401
    client.force_login(bob)
    assert client.get("/documents/upload/").status_code == 403
    assert _upload(client, SVN_REPORT).status_code == 403
    assert snapshot() == before
    assert "Upload documents" not in client.get("/documents/").content.decode()


def test_editor_permission_allows_upload(client, charlie):
    from django.contrib.auth.models import Permission

    charlie.user_permissions.add(Permission.objects.get(codename="add_document"))
    client.force_login(charlie)
    assert client.get("/documents/upload/").status_code == 200


def test_bad_upload_is_a_4xx_with_a_message(client, alice, tmp_path, settings):
    client.force_login(alice)
    before = snapshot()
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"not a pdf at all")
    response = _upload(client, bad)
    assert response.status_code == 400 and "not a supported document" in response.content.decode()
    national = SVN4 / "g2420070.pdf"
    response = _upload(client, SVN_REPORT, national)
    assert response.status_code == 400 and "this is the national report" in response.content.decode()
    settings.UPRWATCH_MAX_UPLOAD_BYTES = 10_000
    response = _upload(client, SVN_ADDENDUM)
    assert response.status_code == 413 and "limit" in response.content.decode()
    assert snapshot() == before


def test_api_lists_and_parses(client, alice, tmp_path):
    client.force_login(alice)
    _upload(client, SVN_REPORT)
    data = client.get("/api/documents").json()
    assert [d["symbol"] for d in data["documents"]] == ["A/HRC/59/15"]
    assert data["documents"][0]["state_under_review"] == "SVN" and data["documents"][0]["session"] == 48
    with open(SVN_ADDENDUM, "rb") as handle:
        parsed = client.post("/api/documents/parse", {"file": handle}).json()
    assert parsed["document"]["kind"] == "responses_addendum" and len(parsed["recommendations"]) == 254
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"PK\x03\x04 no zip")
    with open(bad, "rb") as handle:
        response = client.post("/api/documents/parse", {"file": handle})
    assert response.status_code == 400 and "damaged" in response.json()["detail"]


def test_api_ingest_needs_an_editor(client, bob, tmp_path):
    copy = tmp_path / "report.pdf"
    shutil.copy(SVN_REPORT, copy)
    with open(copy, "rb") as handle:
        assert client.post("/api/documents/ingest", {"files": handle}).status_code == 401
    client.force_login(bob)
    with open(copy, "rb") as handle:
        assert client.post("/api/documents/ingest", {"files": handle}).status_code == 403
