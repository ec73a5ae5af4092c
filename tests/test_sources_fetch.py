"""`uprwatch fetch SYMBOL...`: UN documents by symbol from a local server speaking the documents service's API.

The documents are the real ones in ../shared (Slovenia's cycle-4 review, Working Group session 48); the
draft report is the real report re-issued under its draft symbol (A/HRC/WG.6/48/L.8), as drafts are laid out.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from source_servers import DocumentsServer

from uprwatch.cli import main
from uprwatch.errors import Invalid, NotFound
from uprwatch.records.models import Document, Provenance, Recommendation
from uprwatch.sources.un_documents import CorruptDownload, UnknownSymbol, fetch_documents, normalise_symbol

SLOVENIA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "un-documents" / "slovenia" / "cycle4"
SHARED = SLOVENIA if SLOVENIA.exists() else Path("/work/shared/data/un-documents/slovenia/cycle4")
REPORT = (SHARED / "g2502644.pdf").read_bytes()  # A/HRC/59/15
ADDENDUM = (SHARED / "g2505828.pdf").read_bytes()  # A/HRC/59/15/Add.1
NATIONAL_REPORT = (SHARED / "g2420070.pdf").read_bytes()  # A/HRC/WG.6/48/SVN/1
STAKEHOLDERS = (SHARED / "g2420410.pdf").read_bytes()  # A/HRC/WG.6/48/SVN/3


@pytest.fixture(scope="module")
def draft_pdf() -> bytes:
    """The report as its draft: same pages, the draft's title and symbol (WeasyPrint renders it)."""
    from weasyprint import HTML

    from uprwatch.documents.extraction import pdf_pages

    pages = []
    for text in pdf_pages(SHARED / "g2502644.pdf"):
        text = text.replace("A/HRC/59/15", "A/HRC/WG.6/48/L.8")
        text = text.replace("Report of the Working Group on the Universal Periodic",
                            "Draft report of the Working Group on the Universal Periodic")
        pages.append(f'<pre style="page-break-after: always; font-size: 7pt; white-space: pre-wrap">'
                     f'{html.escape(text)}</pre>')
    return HTML(string=f"<html><body>{''.join(pages)}</body></html>").write_pdf()


@pytest.fixture
def server(settings, tmp_path, draft_pdf):
    settings.HOME = tmp_path
    settings.UPRWATCH_SOURCES_BACKOFF_SECONDS = 0
    documents = {"A/HRC/59/15": REPORT, "A/HRC/59/15/Add.1": ADDENDUM, "A/HRC/WG.6/48/SVN/1": NATIONAL_REPORT,
                 "A/HRC/WG.6/48/SVN/3": STAKEHOLDERS, "A/HRC/WG.6/48/L.8": draft_pdf,
                 # a PDF cut short, served with a Content-Length that matches what is sent
                 "A/HRC/58/9": REPORT[: len(REPORT) // 2]}
    with DocumentsServer(documents) as running:
        settings.UPRWATCH_UN_DOCUMENTS_URL = running.url
        yield running


def slovenia_48():
    return Recommendation.objects.filter(review__state__iso3="SVN", review__session_id=48)


def snapshot() -> tuple:
    return (Recommendation.objects.count(), Provenance.objects.count(), Document.objects.count(),
            sorted(slovenia_48().values_list("response", flat=True)))


def test_symbols_are_normalised_and_checked():
    assert normalise_symbol(" a/hrc/56/6/add.1 ") == "A/HRC/56/6/Add.1"
    assert normalise_symbol("A/HRC/WG.6/45/L.11") == "A/HRC/WG.6/45/L.11"
    assert normalise_symbol("a/hrc/wg.6/45/chn/3") == "A/HRC/WG.6/45/CHN/3"
    for bad in ("", "CAT/C/CHN/CO/5", "A/HRC/56/6; rm -rf /", "../../etc/passwd"):
        with pytest.raises(Invalid, match="not a UPR document symbol"):
            normalise_symbol(bad)


def test_fetch_a_real_pdf_keeps_it_by_sha256_and_ingests_it(db, server, tmp_path):
    report = fetch_documents(["A/HRC/59/15"])
    item = report.documents[0]
    digest = hashlib.sha256(REPORT).hexdigest()
    assert item.sha256 == digest and item.path == tmp_path / "documents" / digest[:2] / f"{digest}.pdf"
    assert item.path.read_bytes() == REPORT
    assert (item.kind, item.status, report.added) == ("working_group_report", "ingested", 254)
    request = server.requests[0]
    assert request["path"] == "/api/symbol/access"
    assert request["query"] == {"s": "A/HRC/59/15", "l": "en", "t": "pdf"}
    assert "uprwatch" in request["headers"]["User-Agent"]
    assert set(slovenia_48().values_list("response", flat=True)) == {"pending"}
    # Fetched again: one conditional request, answered 304, and nothing changes.
    again = fetch_documents(["A/HRC/59/15"])
    assert again.documents[0].status == "unchanged" and again.added == 0
    assert server.requests[-1]["headers"].get("If-None-Match")


def test_the_addendum_fetched_later_fills_in_the_positions(db, server):
    fetch_documents(["A/HRC/59/15"])
    report = fetch_documents(["a/hrc/59/15/add.1"])
    assert report.documents[0].kind == "responses_addendum" and report.updated > 200
    responses = set(slovenia_48().values_list("response", flat=True))
    assert "supported" in responses and "noted" in responses


def test_a_draft_report_then_its_addendum_then_the_final_report(db, server):
    draft = fetch_documents(["A/HRC/WG.6/48/L.8"])
    assert draft.added == 254 and draft.documents[0].kind == "working_group_report"
    document = Document.objects.get(symbol="A/HRC/WG.6/48/L.8")
    assert document.review.state.iso3 == "SVN" and document.review.session_id == 48
    assert document.title.startswith("Draft")
    assert set(slovenia_48().values_list("response", flat=True)) == {"pending"}
    # Months later the state answers: the addendum fills in the draft's pending positions.
    answered = fetch_documents(["A/HRC/59/15/Add.1"])
    assert answered.updated > 200
    assert {"supported", "noted"} <= set(slovenia_48().values_list("response", flat=True))
    # The final report is the same recommendations: matched by paragraph, nothing added twice.
    final = fetch_documents(["A/HRC/59/15"])
    assert final.added == 0 and slovenia_48().count() == 254


def test_review_documents_are_kept_linked_and_searchable(db, server, client):
    report = fetch_documents(["A/HRC/WG.6/48/SVN/1", "A/HRC/WG.6/48/SVN/3"])
    assert [d.kind for d in report.documents] == ["national_report", "stakeholder_summary"]
    assert report.added == 0 and Recommendation.objects.filter(review__session_id=48).count() == 0
    national = Document.objects.get(symbol="A/HRC/WG.6/48/SVN/1")
    assert national.review.state.iso3 == "SVN" and national.review.session_id == 48
    assert "Slovenia" in national.text and national.kind == "national_report"
    found = client.get("/api/documents", {"q": "Roma community"}).json()["documents"]
    assert found and {d["symbol"] for d in found} <= {"A/HRC/WG.6/48/SVN/1", "A/HRC/WG.6/48/SVN/3"}
    assert client.get("/api/documents", {"q": "zzz-not-a-word"}).json()["documents"] == []
    again = fetch_documents(["A/HRC/WG.6/48/SVN/1"])
    assert again.documents[0].status == "unchanged" and Document.objects.filter(symbol__startswith="A/HRC/WG.6/48/SVN").count() == 2


def test_an_unknown_symbol_is_an_html_page_and_a_one_line_error(db, server):
    before = snapshot()
    with pytest.raises(UnknownSymbol, match="no such document"):
        fetch_documents(["A/HRC/59/15", "A/HRC/99/99"])  # the good one is not ingested either
    assert isinstance(UnknownSymbol("x"), NotFound)
    assert snapshot() == before
    from uprwatch.sources.status import read_status

    assert read_status("un-documents")["state"] == "failed"  # the Data sources page shows the error
    assert "A/HRC/99/99" in read_status("un-documents")["error"]
    result = CliRunner().invoke(main, ["fetch", "A/HRC/99/99"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and result.output.startswith("Error: A/HRC/99/99")
    assert "database unchanged" in result.output
    assert snapshot() == before


def test_a_corrupt_download_is_refused(db, server, tmp_path):
    before = snapshot()
    with pytest.raises(CorruptDownload, match="cut short"):
        fetch_documents(["A/HRC/58/9"])
    assert not list(tmp_path.glob("documents/*/*.pdf"))  # nothing kept
    server.truncate.add("A/HRC/59/15")  # the connection drops halfway, every time
    result = CliRunner().invoke(main, ["fetch", "A/HRC/59/15"])
    assert result.exit_code == 1 and ("truncated" in result.output or "transfer" in result.output), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot() == before


def test_no_ingest_keeps_the_file_only_and_json_reports_it(db, server, tmp_path):
    before = snapshot()
    result = CliRunner().invoke(main, ["fetch", "A/HRC/59/15", "--no-ingest", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ingested"] is False and data["documents"][0]["status"] == "downloaded"
    assert Path(data["documents"][0]["path"]).read_bytes() == REPORT
    assert snapshot() == before
    bad = CliRunner().invoke(main, ["fetch", "A/HRC/59/15", "--language", "xx"])
    assert bad.exit_code == 1 and "unknown language" in bad.output


def test_garbage_symbol_from_the_cli(db, server):
    result = CliRunner().invoke(main, ["fetch", "not-a-symbol"])
    assert result.exit_code == 1 and re.match(r"Error: 'not-a-symbol' is not a UPR document symbol", result.output)


def test_review_documents_are_found_on_the_documents_page(db, server, client):
    fetch_documents(["A/HRC/WG.6/48/SVN/1"])
    page = client.get("/documents/", {"q": "Roma community"}).content.decode()
    assert "A/HRC/WG.6/48/SVN/1" in page and "National Report" in page
    assert "No document matches" in client.get("/documents/", {"q": "zzz-not-a-word"}).content.decode()
    document = Document.objects.get(symbol="A/HRC/WG.6/48/SVN/1")
    detail = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Text of the document" in detail and "Roma community" in detail
