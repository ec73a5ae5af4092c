"""`uprwatch sync uhri`: the UHRI export read in both formats with every known quirk, merged, reported."""

from __future__ import annotations

import http.server
import json
import threading
from functools import partial

import pytest
from click.testing import CliRunner
from uhri_records import (
    CAT_CHINA,
    CZECH_2013,
    KOREA_2013,
    KOREA_2024,
    KOREA_2024_TEXT,
    china_export,
    quirks_export,
)

from uprwatch.cli import main
from uprwatch.records.models import Document, ImportBatch, Provenance, Recommendation, Response, Review
from uprwatch.sources import uhri
from uprwatch.sources.merge import disagreements
from uprwatch.sources.models import MechanismRecommendation, SourceRecord
from uprwatch.sources.uhri_writer import write_json, write_xlsx

ALL = china_export() + quirks_export()


def export(tmp_path, fmt="json", records=None, name=None, **kwargs):
    path = tmp_path / (name or f"export.{fmt}")
    (write_json if fmt == "json" else partial(write_xlsx, **kwargs))(ALL if records is None else records, path)
    return path


def run(*args):
    result = CliRunner().invoke(main, ["sync", "uhri", *args])
    return result


def counts():
    return (Recommendation.objects.count(), SourceRecord.objects.count(), MechanismRecommendation.objects.count(),
            Provenance.objects.count(), Review.objects.count(), ImportBatch.objects.count())


# --- reading -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.django_db
def test_both_formats_read_the_same(tmp_path, fmt):
    reader = uhri.read_export(export(tmp_path, fmt, name="no-extension"))  # the content decides, not the name
    records = {r.record_id: r for r in reader}
    assert reader.report.format == fmt
    assert reader.report.records == len(ALL)
    korea = records[KOREA_2024]
    assert (korea.state_under_review, korea.session, korea.paragraph, korea.response) == ("CHN", 45, "161.210", "noted")
    assert korea.text == KOREA_2024_TEXT  # HTML, entity, paragraph and "(Republic of Korea);" gone
    assert korea.recommending_states == ["KOR"] and korea.document_symbol == "A/HRC/56/6"
    assert korea.sdgs[0].startswith("10.7 - Facilitate") and korea.published.isoformat() == "2024-04-26"
    assert records["a9d0c1e2-4f5b-4c6d-8e7f-000000000046"].response == Response.PARTIALLY_SUPPORTED
    assert records[KOREA_2013].session == 17  # "25th Session": the Council's session of A/HRC/25/5
    assert records[CZECH_2013].recommending_states == ["CZE"]  # ISO-2 code
    assert "non-refoulement" in records[CZECH_2013].text  # &#8209; is a plain hyphen
    timor = records["b0000000-0000-4000-8000-000000000001"]
    assert timor.state_under_review == "TLS" and timor.recommending_states == ["GNB", "PSE", "PAK"]
    assert (timor.paragraph, timor.text) == ("81.41", "Strengthen the independence of the judiciary")
    assert records["b0000000-0000-4000-8000-000000000002"].paragraph == "79(a)"
    assert records["b0000000-0000-4000-8000-000000000003"].paragraph == "28"
    assert records["b0000000-0000-4000-8000-000000000004"].paragraph == "67"
    assert records["b0000000-0000-4000-8000-000000000005"].state_under_review == "CZE"  # not Uzbekistan
    joint = [r for r in records.values() if r.record_id.startswith("b0000000-0000-4000-8000-000000000006")]
    assert sorted((r.state_under_review, r.session) for r in joint) == [("SDN", 11), ("SSD", 11)]
    assert records["b0000000-0000-4000-8000-000000000007"].response == ""  # stray Concerns/Observations
    cat = records[CAT_CHINA]
    assert (cat.body, cat.body_kind, cat.kind, cat.states) == ("CAT", "treaty_body", "observation", ["CHN"])
    assert "(“refouled”)" in cat.text and "People’s Republic" in cat.text
    assert records["c0a7c0a7-0000-4000-8000-000000000002"].body == "CAT"  # "Committee against Torture"
    assert records["c0a7c0a7-0000-4000-8000-000000000003"].body == "CRC"
    assert records["c0a7c0a7-0000-4000-8000-000000000004"].body_kind == "special_procedure"
    assert records["b0000000-0000-4000-8000-000000000009"].states == ["GNB"]  # Guinea-Bissau stays whole
    assert reader.report.skipped == {
        "response of the state, not a recommendation": 1, "no text": 1,
        "session contradicts the document symbol or the calendar": 1,
    }
    unrecognised = dict(reader.report.unrecognised)
    assert unrecognised["type: (a UUID)"] == 1
    assert unrecognised["UPR position ignored: Concerns/Observations"] == 1
    assert unrecognised["body: Committee on the Rights of Martians"] == 1
    assert unrecognised["country: Atlantis"] == 1
    assert any(k.startswith("session contradiction: A/HRC/40/6") for k in unrecognised)
    if fmt == "json":
        assert unrecognised["column: NewField"] == 1


@pytest.mark.django_db
def test_corrected_header_spelling_and_unknown_columns(tmp_path):
    path = export(tmp_path, "xlsx", headers={"Reccomending Body": "Recommending Body",
                                             "UPR Reccomending States": "UPR Recommending States",
                                             "Regions Concerned": "Something New"})
    reader = uhri.read_export(path)
    records = {r.record_id: r for r in reader}
    assert records[KOREA_2024].recommending_states == ["KOR"] and records[CAT_CHINA].body == "CAT"
    assert reader.report.unrecognised["column: Something New"] == 1


@pytest.mark.parametrize(("text", "paragraph", "rest"), [
    ("137.197 Improve access", "137.197", "Improve access"),
    ("137.197. Improve access", "137.197", "Improve access"),
    ("Recommendation No. 41, para. 81: 41. Improve access", "81.41", "Improve access"),
    ("Recommendations contained in para. 79(a): Improve access", "79(a)", "Improve access"),
    ("para. 28: Improve access", "28", "Improve access"),
    ("67. Improve access", "67", "Improve access"),
    ("Improve access in 2024. Also", "", "Improve access in 2024. Also"),
])
def test_paragraph_prefixes(text, paragraph, rest):
    assert uhri.split_paragraph(text) == (paragraph, rest)


def test_list_cells_split_on_line_breaks_only():
    assert uhri.cell_items("- Timor-Leste\n- Guinea-Bissau\r\n- State of Palestine*") == [
        "Timor-Leste", "Guinea-Bissau", "State of Palestine*"]
    assert uhri.cell_items("- Iraq") == ["Iraq"]
    assert uhri.cell_items(["- UPR"]) == ["UPR"]
    assert uhri.clean_text("<p>women&rsquo;s&nbsp;rights &#8209; now</p>") == "women’s rights - now"


@pytest.mark.parametrize(("value", "expected"), [
    ("CRC", ("CRC", "treaty_body")), ("Committee on the Rights of the Child", ("CRC", "treaty_body")),
    ("Committee on the Elimination of Discrimination against Women", ("CEDAW", "treaty_body")),
    ("Committee on Migrant Workers", ("CMW", "treaty_body")),
    ("Committee on Economic, Social and Cultural Rights", ("CESCR", "treaty_body")),
    ("UPR", ("UPR", "upr")), ("SR on torture", ("SR on torture", "special_procedure")),
])
def test_committees_under_two_names(value, expected):
    assert uhri.canonical_body(value) == expected


def test_council_session_years():
    assert [uhri.council_session_year(n) for n in (1, 11, 18, 22, 25, 40, 56, 59)] == [
        2006, 2009, 2011, 2013, 2014, 2019, 2024, 2025]


# --- syncing -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_sync_merges_adds_and_reports(tmp_path):
    result = run("--file", str(export(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert list(report) == ["source", "records", "upr", "other_mechanisms", "skipped", "unrecognised",
                            "missing_from_source"]
    assert report["missing_from_source"] == {"upr": 0, "other_mechanisms": 0, "examples": []}
    assert report["source"] == "uhri" and report["records"] == len(ALL)
    assert set(report["upr"]) == {"added", "updated", "unchanged", "merged"}
    assert set(report["other_mechanisms"]) == {"added", "updated", "unchanged"}
    assert report["upr"]["merged"] == 2  # Korea's and Czechia's 2013 recommendations, which UPR Info holds
    assert report["upr"]["added"] == 10 and report["other_mechanisms"]["added"] == 6
    korea = Recommendation.objects.get(source_records__record_id=KOREA_2024)
    assert korea.review.session_id == 45 and korea.review.state.iso3 == "CHN"
    assert korea.response == Response.NOTED and korea.paragraph == "161.210"
    czech = Recommendation.objects.get(source_records__record_id=CZECH_2013)
    # UPR Info: noted; UHRI: supported — both kept, shown as a disagreement
    assert czech.response == Response.NOTED
    assert {(p.source, p.response) for p in disagreements(czech)} == {
        ("UPR Info database", "noted"), ("OHCHR Universal Human Rights Index", "supported")}
    assert Provenance.objects.filter(recommendation=czech).count() == 2
    assert sorted(Recommendation.objects.filter(source_records__record_id__startswith="b0000000-0000-4000-8000-"
                                                "000000000006").values_list("review__state__iso3", flat=True)) == [
        "SDN", "SSD"]
    batch = ImportBatch.objects.get(kind="uhri_sync")
    assert batch.summary["records"] == len(ALL) and batch.summary["format"] == "json"

    before = counts()
    again = json.loads(run("--file", str(export(tmp_path, "xlsx")), "--json").output)  # same records, other format
    assert again["upr"] == {"added": 0, "updated": 0, "unchanged": 12, "merged": 0}
    assert again["other_mechanisms"] == {"added": 0, "updated": 0, "unchanged": 6}
    assert counts()[:5] == before[:5]


@pytest.mark.django_db
def test_a_later_export_updates_what_changed(tmp_path):
    run("--file", str(export(tmp_path)))
    changed = china_export()
    changed[0]["UprPositions"] = ["- Supported/Noted"]
    changed[4]["Text"] += " It should grant UNHCR access to the border areas."
    report = json.loads(run("--file", str(export(tmp_path, records=changed, name="later.json")), "--json").output)
    assert report["upr"]["updated"] == 1 and report["other_mechanisms"]["updated"] == 1
    korea = Recommendation.objects.get(source_records__record_id=KOREA_2024)
    assert korea.response == Response.PARTIALLY_SUPPORTED  # UHRI alone stands behind it
    assert MechanismRecommendation.objects.get(record_id=CAT_CHINA).text.endswith("border areas.")


@pytest.mark.django_db
def test_a_later_export_without_a_record_reports_it_and_deletes_nothing(tmp_path):
    """OHCHR withdraws records: the next sync says which are gone, and keeps them (UPR Info holds one of them)."""
    assert run("--file", str(export(tmp_path))).exit_code == 0
    before = counts()
    korea_2013 = Recommendation.objects.get(source_records__record_id=KOREA_2013)
    kept = [r for r in ALL if r["AnnotationId"] not in (KOREA_2024, KOREA_2013, CAT_CHINA)
            and not r["AnnotationId"].endswith("000000000006")]  # the joint Sudan / South Sudan record too
    later = export(tmp_path, records=kept, name="later.json")

    dry = json.loads(run("--file", str(later), "--dry-run", "--json").output)
    report = json.loads(run("--file", str(later), "--json").output)
    for result in (dry, report):
        assert list(result)[:6] == ["source", "records", "upr", "other_mechanisms", "skipped", "unrecognised"]
        assert result["missing_from_source"] == {
            "upr": 4, "other_mechanisms": 1,  # Korea 2024, Korea 2013, Sudan and South Sudan's; the CAT's
            "examples": sorted([KOREA_2024, KOREA_2013, CAT_CHINA, "b0000000-0000-4000-8000-000000000006#SDN",
                                "b0000000-0000-4000-8000-000000000006#SSD"])}
        assert result["upr"]["unchanged"] == 8 and result["other_mechanisms"]["unchanged"] == 5
    # nothing deleted: neither UHRI's own records nor what UPR Info also holds
    assert counts()[:5] == before[:5]
    assert Provenance.objects.filter(recommendation=korea_2013, dataset="UPR Info database").exists()
    assert MechanismRecommendation.objects.filter(record_id=CAT_CHINA).exists()

    text = run("--file", str(later))
    assert text.exit_code == 0
    assert "no longer in the export, kept (nothing deleted): UPR 4, other mechanisms 1" in text.output
    # the full export again: nothing is missing any more
    again = json.loads(run("--file", str(export(tmp_path, name="full-again.json")), "--json").output)
    assert again["missing_from_source"] == {"upr": 0, "other_mechanisms": 0, "examples": []}


@pytest.mark.django_db
def test_merges_into_a_recommendation_parsed_from_a_document():
    """China's report ingested first (position pending): UHRI's record of paragraph 161.210 joins it."""
    import tempfile
    from pathlib import Path

    review, _ = Review.objects.get_or_create(state_id=_state("CHN"), session_id=45)
    document = Document.objects.create(symbol="A/HRC/56/6", kind="working_group_report", review=review, sha256="x" * 64)
    official = Recommendation.objects.create(review=review, paragraph="161.210", text=KOREA_2024_TEXT + ";",
                                             response=Response.PENDING, response_source="A/HRC/56/6")
    official.recommending_states.set([_state("KOR")])
    batch = ImportBatch.objects.create(kind="document_ingest", source="A/HRC/56/6")
    Provenance.objects.create(recommendation=official, batch=batch, document=document, locator="161.210")
    with tempfile.TemporaryDirectory() as folder:
        report = json.loads(run("--file", str(export(Path(folder), records=china_export()[:1])), "--json").output)
    assert report["upr"] == {"added": 0, "updated": 0, "unchanged": 0, "merged": 1}
    official.refresh_from_db()
    assert official.response == Response.NOTED  # pending filled in; the document's record is kept
    assert {p.document_id or p.dataset for p in official.provenance.all()} == {
        document.pk, "OHCHR Universal Human Rights Index"}


def _state(iso3):
    from uprwatch.records.models import State

    return State.objects.get(iso3=iso3).pk


@pytest.mark.django_db
def test_dry_run_reports_without_writing(tmp_path):
    before = counts()
    result = run("--file", str(export(tmp_path)), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["upr"]["added"] == 10 and report["other_mechanisms"]["added"] == 6
    assert counts() == before


BAD_FILES = {
    "a PDF": (b"%PDF-1.7\n...", "not a UHRI export"),
    "a CSV": (b"To,From,Text\nChina,France,Abolish\n", "not a UHRI export"),
    "an HTML page": (b"<!DOCTYPE html><html><title>Sign in</title></html>", "an HTML page"),
    "an empty file": (b"", "empty file"),
    "JSON that is no export": (b'[{"foo": 1}]', "missing column"),
    "a JSON object": (b'{"records": []}', "no records|not an object|missing column"),
    "a damaged XLSX": (b"PK\x03\x04xl/garbage", "not a readable XLSX"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
@pytest.mark.django_db
def test_bad_files_are_refused_and_nothing_is_written(tmp_path, name):
    content, message = BAD_FILES[name]
    path = tmp_path / "export.json"
    path.write_bytes(content)
    before = counts()
    result = run("--file", str(path), "--json")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert pytest.importorskip("re").search(message, result.output), result.output
    assert "database unchanged" in result.output and "Traceback" not in result.output
    assert counts() == before


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.django_db
def test_truncated_export_leaves_the_database_unchanged(tmp_path, fmt):
    """A file cut short fails after records were merged: the transaction takes them all back."""
    whole = export(tmp_path, fmt, records=ALL * 3 if fmt == "json" else ALL)
    cut = tmp_path / f"cut.{fmt}"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * (0.8 if fmt == "json" else 0.6))])
    before = counts()
    result = run("--file", str(cut))
    assert result.exit_code == 1, result.output
    assert "truncated" in result.output and result.output.count("\n") == 1
    assert counts() == before


@pytest.mark.django_db
def test_missing_column_in_xlsx(tmp_path):
    path = export(tmp_path, "xlsx", headers={"Countries Concerned": "Lands"})
    result = run("--file", str(path))
    assert result.exit_code == 1 and "missing column(s) countries" in result.output


def test_file_and_url_together_is_an_error():
    result = run("--file", "a.json", "--url", "http://127.0.0.1:1/x.json")
    assert result.exit_code == 1 and "not both" in result.output


class _Export(http.server.BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.headers.get("If-None-Match") == '"e1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"e1"')
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.mark.django_db
def test_sync_downloads_from_the_url_then_skips_when_not_modified(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("UPRWATCH_HOME", str(tmp_path))
    _Export.body = export(tmp_path).read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Export)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.UPRWATCH_UHRI_EXPORT_URL = f"http://127.0.0.1:{server.server_address[1]}/export-full-en.json"
        first = json.loads(run("--json").output)
        assert first["upr"]["added"] == 10
        assert (tmp_path / "sources" / "uhri" / "export-full-en.json").read_bytes() == _Export.body
        second = json.loads(run("--json").output)
        assert second["upr"] == {"added": 0, "updated": 0, "unchanged": 12, "merged": 0}
    finally:
        server.shutdown()
        server.server_close()
