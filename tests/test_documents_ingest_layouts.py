"""Ingest of the layouts issue 19 added, from the committed page-text fixtures (no ../shared needed):
a draft report whose positions its addendum fills in, an OHCHR list of 2014-2016 without a title, and
the state's explanation shown on the recommendation page and in the API."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from test_documents_fixtures import FIXTURES, load

from uprwatch.cli import main
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.ingestion import Source, ingest_sources
from uprwatch.documents.parsing import ListTables, parse_list_tables
from uprwatch.records.models import Document, Recommendation


def source(name: str) -> Source:
    return Source(load(name), hashlib.sha256(name.encode()).hexdigest(), f"{name}.pdf")


def test_draft_then_its_addendum_fills_the_positions(db):
    report = ingest_sources([source("draft-2025-cycle4-svn")])
    assert report.documents[0].symbol == "A/HRC/WG.6/48/L.7" and report.added + report.merged + report.updated > 0
    recs = Recommendation.objects.filter(review__state__iso3="SVN", review__session_id=48, paragraph="140.11")
    assert recs.exists() and {r.response for r in recs} == {"pending"}
    # the addendum answers A/HRC/59/15, never ingested here: it finds the draft of the same review
    answered = ingest_sources([source("addendum-2025-cycle4-svn")])
    assert answered.documents[0].review == report.documents[0].review and answered.updated > 0
    rec = Recommendation.objects.get(review__state__iso3="SVN", review__session_id=48, paragraph="140.11")
    assert rec.response == "supported" and rec.already_implemented and "Statelessness" in rec.response_explanation


def test_explanation_on_the_recommendation_page_and_api(db, client, bob):
    ingest_sources([source("draft-2025-cycle4-svn"), source("addendum-2025-cycle4-svn")])
    rec = Recommendation.objects.get(review__state__iso3="SVN", review__session_id=48, paragraph="140.11")
    data = client.get(f"/api/recommendations/{rec.pk}").json()
    assert "Statelessness" in data["response_explanation"]
    client.force_login(bob)
    page = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert "State&#x27;s explanation" in page or "State's explanation" in page
    assert "Statelessness" in page


def test_list_without_a_title_is_placed_by_the_calendar(db):
    report = ingest_sources([source("list-2015-rights-layout")])
    outcome = report.documents[0]
    assert "Source of position" in outcome.state_source
    document = Document.objects.get(pk=outcome.document_id)
    assert document.review.state.iso3 == "AUT" and document.review.session_id == 23
    assert "calendar" in document.metadata["state_under_review_source"]


def test_cli_parse_doc_list_with_and_without_state(db, tmp_path):
    doc = FIXTURES / "list-2015-rights-layout.doc"
    result = CliRunner().invoke(main, ["parse", str(doc), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"state_under_review": "AUT"' in result.output and "Source of position" in result.output
    result = CliRunner().invoke(main, ["parse", str(doc), "--state", "Atlantis"])
    assert result.exit_code == 1 and "cannot be resolved" in result.output and "Traceback" not in result.output
    before = Recommendation.objects.count()
    result = CliRunner().invoke(main, ["ingest", str(doc), "--state", "Austria"])
    assert result.exit_code == 0, result.output
    assert "given with --state" in result.output and Recommendation.objects.count() >= before


def test_cli_refuses_a_national_report_with_what_it_is(db, tmp_path):
    from pypdf import PdfWriter

    pdf = tmp_path / "g2420070.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(pdf, "wb") as handle:
        writer.write(handle)
    result = CliRunner().invoke(main, ["parse", str(pdf)])
    assert result.exit_code == 1 and "no text layer" in result.output and "OCR" in result.output


def test_unknown_state_option_or_no_state_at_all_is_a_clear_error(db):
    tables = ListTables.from_json(json.loads((FIXTURES / "list-2015-rights-layout.tables.json").read_text("utf-8")))
    with pytest.raises(DocumentError, match="cannot be resolved.*Atlantis"):
        parse_list_tables(tables, state="Atlantis")
    bare = ListTables(header="", tables=[[["Recommendation", "Position"], ["12.1 Ratify the Convention (Chile)", "Noted"]]])
    with pytest.raises(DocumentError, match="does not name its State under Review.*--state"):
        parse_list_tables(bare)
