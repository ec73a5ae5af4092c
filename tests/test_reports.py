"""Briefs and submission matrices on the real dataset: the generated files are opened and read back."""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from uprwatch.cli import main
from uprwatch.records.models import Recommendation

pytestmark = pytest.mark.django_db

DEATH_PENALTY = "Reduce the number of crimes carrying the death penalty"
settings_for_text = hypothesis_settings(max_examples=25, deadline=None,
                                        suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module", autouse=True)
def search_index(django_db_setup, django_db_blocker):
    """Queries go through the search service, which needs its text index."""
    try:
        from uprwatch.search.indexing import rebuild_text_index, text_index_is_current
    except ImportError:
        return
    with django_db_blocker.unblock():
        if not text_index_is_current():
            rebuild_text_index()


class RecommendationRows(HTMLParser):
    """Collects the brief's recommendation rows: id -> the row's text."""

    def __init__(self):
        super().__init__()
        self.rows: dict[int, str] = {}
        self.sections: list[str] = []
        self._current: int | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        if "data-recommendation" in attrs:
            self._current = int(attrs["data-recommendation"])
            self.rows[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "p":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self.rows[self._current] += data


def parse_brief(html: str) -> RecommendationRows:
    parser = RecommendationRows()
    parser.feed(html)
    return parser


def china_ids() -> set[int]:
    return set(Recommendation.objects.filter(review__state__iso3="CHN").values_list("pk", flat=True))


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def campaign(coalition):
    """A published campaign on the death penalty in China, with a published and a private assessment."""
    from uprwatch.tracking import assessments, campaigns, events

    # UPR Info keeps one row per recommending state: take the first of them.
    rec = Recommendation.objects.filter(review__state__iso3="CHN", text__startswith=DEATH_PENALTY).order_by("id")[0]
    campaign = campaigns.create_campaign(
        coalition.alice, coalition.org, name="Death penalty in China", query="q=death+penalty&sur=China",
        states=["China"], visibility="published",
    )
    published = assessments.save_assessment(
        coalition.alice, coalition.org, rec.pk, status="not_implemented", rationale="Still 46 capital crimes.",
        publish=True,
    )
    assessments.add_evidence(coalition.alice, published, citation="Amnesty International, Death Sentences 2023")
    assessments.save_assessment(
        coalition.charlie, coalition.other, rec.pk, status="implemented", rationale="SECRET DRAFT of another group",
    )
    events.create_event(
        coalition.alice, coalition.org, states=["China"], title="Public sentencing rally in Guangdong",
        occurred_on="2024-06-26", visibility="published",
    )
    return campaign, rec


def test_china_brief_html_lists_every_recommendation_to_china(tmp_path):
    out = tmp_path / "china.html"
    result = run("report", "brief", "--sur", "China", "--format", "html", "--output", str(out))
    assert result.exit_code == 0, result.output
    brief = parse_brief(out.read_text(encoding="utf-8"))
    assert set(brief.rows) == china_ids()
    assert len(brief.rows) == 138 + 284  # sessions 4 and 17
    assert {"summary", "firsts", "deadlines", "timeline", "recommendations"} <= set(brief.sections)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html  # a saved file works without JavaScript: static chart + table
    assert "@media print" in html


def test_brief_with_query_keeps_only_matching_recommendations_of_that_state(tmp_path):
    out = tmp_path / "dp.html"
    result = run("report", "brief", "--sur", "China", "--query", "death penalty", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = parse_brief(out.read_text(encoding="utf-8")).rows
    assert rows and set(rows) <= china_ids()
    assert all("death" in text.lower() for text in rows.values())
    assert any(DEATH_PENALTY in text for text in rows.values())
    assert "First raised in session 4" in out.read_text(encoding="utf-8")


def test_brief_shows_published_tracking_data_only_unless_organisation_given(campaign, tmp_path):
    campaign, rec = campaign
    out = tmp_path / "campaign.html"
    result = run("report", "brief", "--sur", "China", "--campaign", "Death penalty in China", "--output", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    rows = parse_brief(html).rows
    assert rec.pk in rows and "Still 46 capital crimes" in rows[rec.pk]
    assert "Amnesty International, Death Sentences 2023" in rows[rec.pk]
    assert "Public sentencing rally in Guangdong" in html
    assert "SECRET DRAFT" not in html
    result = run("report", "brief", "--sur", "China", "--campaign", str(campaign.pk),
                 "--organisation", "Other Rights Group", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "SECRET DRAFT" in out.read_text(encoding="utf-8")


def require_weasyprint() -> None:
    """Skip the PDF tests where the ``[pdf]`` extra cannot work, unless ``UPRWATCH_REQUIRE_PDF=1`` (set by
    ``.ci/run``, which installs pango): there a missing WeasyPrint is a failure, not a silent skip."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: installed, but the pango libraries are missing
        if os.environ.get("UPRWATCH_REQUIRE_PDF") == "1":
            pytest.fail(f"WeasyPrint unusable with UPRWATCH_REQUIRE_PDF=1: {exc}")
        pytest.skip(f"the [pdf] extra is not usable here: {exc}")


def one_line(text: str) -> str:
    """Whitespace collapsed, and a line broken after a hyphen ("socio- economic") joined again."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return one_line(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def test_brief_pdf_contains_the_recommendations(tmp_path):
    require_weasyprint()
    out = tmp_path / "dp.pdf"
    result = run("report", "brief", "--sur", "China", "--query", "death penalty", "--format", "pdf",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "Advocacy brief: China" in text
    assert DEATH_PENALTY in text
    assert "First raised in session 4" in text


@pytest.mark.slow  # a 27-page PDF
def test_china_brief_pdf_has_every_recommendation_with_its_states_and_response(tmp_path):
    """The print layout is simplified for speed, not shortened: all of China's recommendations are in it."""
    require_weasyprint()
    out = tmp_path / "china.pdf"
    result = run("report", "brief", "--sur", "China", "--format", "pdf", "--output", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    recommendations = Recommendation.objects.filter(review__state__iso3="CHN").prefetch_related("recommending_states")
    assert len(recommendations) == 138 + 284
    for rec in recommendations:
        states = ", ".join(sorted(s.name for s in rec.recommending_states.all())) or "an unknown state"
        paragraph = f" · para. {rec.paragraph}" if rec.paragraph else ""
        assert one_line(f"#{rec.pk}{paragraph} · {rec.response.upper()} · {states} — {rec.text}") in text, rec.pk
    # Entries are grouped under a heading per session, in session order.
    assert 0 <= text.index("Session 4 · cycle 1 · 2009") < text.index("Session 17 · cycle 2 · 2013")
    assert "Recommendations by session and response" in text and "Upcoming deadlines" in text


def test_brief_pdf_shows_assessments_and_evidence_but_not_private_ones(campaign, tmp_path):
    require_weasyprint()
    campaign, rec = campaign
    out = tmp_path / "campaign.pdf"
    result = run("report", "brief", "--sur", "China", "--campaign", str(campaign.pk), "--format", "pdf",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert f"#{rec.pk} ·" in text and "Still 46 capital crimes" in text
    assert "Evidence: Amnesty International, Death Sentences 2023" in text
    assert "Public sentencing rally in Guangdong" in text
    assert "SECRET DRAFT" not in text


def test_brief_of_a_query_over_all_states_names_each_state_under_review(client):
    """Without a State under Review, each entry says whom the recommendation was made to."""
    expected = {rec.pk: rec.review.state.name for rec in
                Recommendation.objects.filter(text__icontains="albinism").select_related("review__state")}
    assert len(set(expected.values())) > 1
    html = client.get("/reports/brief/", {"q": "albinism", "format": "html"}).content.decode()
    rows = parse_brief(html).rows
    assert set(rows) == set(expected)
    assert all(f" to {expected[pk]}" in text for pk, text in rows.items())
    require_weasyprint()
    text = pdf_text(client.get("/reports/brief/", {"q": "albinism", "format": "pdf"}).content)
    assert all(f"#{pk} ·" in text and f" to {name} —" in text for pk, name in expected.items())


@pytest.fixture(params=[ImportError, OSError])
def without_weasyprint(request, monkeypatch):
    """A machine without the [pdf] extra (ImportError) or with it but without pango (OSError)."""
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise request.param("simulated: no weasyprint here")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", refuse)


def test_pdf_without_weasyprint_is_a_clear_error_everywhere(without_weasyprint, client, tmp_path):
    out = tmp_path / "china.pdf"
    result = CliRunner().invoke(main, ["report", "brief", "--sur", "China", "--query", "death penalty",
                                       "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 1
    assert "uprwatch[pdf]" in result.output and "--format html" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())
    page = client.get("/reports/brief/", {"sur": "China", "q": "death penalty", "format": "pdf"})
    assert page.status_code == 501 and b"uprwatch[pdf]" in page.content
    api = client.get("/api/reports/brief", {"sur": "China", "q": "death penalty", "format": "pdf"})
    assert api.status_code == 501 and "uprwatch[pdf]" in json.loads(api.content)["detail"]
    # The HTML brief does not need the extra.
    html = client.get("/reports/brief/", {"sur": "China", "q": "death penalty", "format": "html"})
    assert html.status_code == 200 and DEATH_PENALTY in html.content.decode()
    assert run("report", "brief", "--sur", "China", "--output", str(tmp_path / "b.html")).exit_code == 0


def test_web_pdf_of_a_huge_selection_is_refused_before_any_work(client, settings):
    """A PDF costs ~4 ms per recommendation: the server refuses one that would hold a worker for minutes."""
    settings.UPRWATCH_PDF_MAX_RECOMMENDATIONS = 100
    page = client.get("/reports/brief/", {"sur": "China", "format": "pdf"})
    assert page.status_code == 400 and b"422 recommendations are too many" in page.content
    api = client.get("/api/reports/brief", {"sur": "China", "format": "pdf"})
    assert api.status_code == 400 and "at most 100" in json.loads(api.content)["detail"]
    assert client.get("/reports/brief/", {"sur": "China", "format": "html"}).status_code == 200
    require_weasyprint()
    small = client.get("/api/reports/brief", {"sur": "China", "q": "death penalty", "format": "pdf"})
    assert small.status_code == 200 and DEATH_PENALTY in pdf_text(small.content)
    page = client.get("/reports/brief/", {"sur": "China", "q": "death penalty", "format": "pdf"})
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert "attachment" in page["Content-Disposition"] and DEATH_PENALTY in pdf_text(page.content)


@pytest.mark.parametrize("args, message", [
    (["--sur", "Atlantis"], "Atlantis"),
    (["--sur", "China", "--query", "zzqxv nonexistentword"], "nothing to report"),
    (["--sur", "China", "--campaign", "No such campaign"], "unknown campaign"),
    (["--sur", "China", "--query", '"unclosed'], ""),
])
def test_brief_bad_input_exits_1_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(main, ["report", "brief", *args, "--output", str(out)])
    if result.exit_code == 0:  # a lenient query parser may accept an unclosed quote
        assert args[-1] == '"unclosed'
        return
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_brief_to_unwritable_path_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["report", "brief", "--sur", "China", "--output", str(tmp_path / "no" / "b.html")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    result = CliRunner().invoke(main, ["report", "brief", "--sur", "China", "--output", "/proc/uprwatch-brief.html"])
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_matrix_xlsx_and_docx_from_a_campaign(campaign, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    campaign, rec = campaign
    xlsx, docx = tmp_path / "m.xlsx", tmp_path / "m.docx"
    assert run("report", "matrix", "--campaign", campaign.name, "--format", "xlsx", "--output", str(xlsx)).exit_code == 0
    assert run("report", "matrix", "--campaign", campaign.name, "--format", "docx", "--output", str(docx)).exit_code == 0

    sheet = load_workbook(xlsx)["Matrix"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Recommendation", "Recommending states", "Position")
    from uprwatch.tracking.campaigns import recommendation_ids

    assert len(rows) - 1 == len(recommendation_ids(campaign))
    row = next(r for r in rows[1:] if r[0].startswith(DEATH_PENALTY) and r[3])
    assert row[1] == ", ".join(s.name for s in rec.recommending_states.all())
    assert row[2] == rec.response == "noted"
    assert "not implemented" in row[3] and "Still 46 capital crimes" in row[3]
    assert "Amnesty International" in row[4]
    assert row[5].startswith("Reconsider its position")
    assert not any("SECRET DRAFT" in (cell or "") for r in rows for cell in r)

    table = Document(docx).tables[0]
    texts = [[cell.text for cell in r.cells] for r in table.rows]
    assert texts[0][0] == "Recommendation" and len(texts) == len(rows)
    assert any(t[0].startswith(DEATH_PENALTY) and "Amnesty International" in t[4] for t in texts)


@settings_for_text
@given(st.lists(st.text(max_size=40), min_size=6, max_size=6))
def test_matrix_docx_rows_read_back_as_python_docx_writes_them(values):
    """The matrix writes its rows as one XML string (fast); Word must read what ``cell.text = value`` gives."""
    from docx import Document

    from uprwatch.office import xml_safe
    from uprwatch.reports.matrix import append_rows

    values = [xml_safe(v) for v in values]
    document = Document()
    table = document.add_table(rows=1, cols=6)
    for cell, value in zip(table.add_row().cells, values, strict=True):
        cell.text = value
    append_rows(table, [values])
    out = io.BytesIO()
    document.save(out)
    expected, written = Document(io.BytesIO(out.getvalue())).tables[0].rows[1:]
    assert [c.text for c in written.cells] == [c.text for c in expected.cells]
    assert [c.width for c in written.cells] == [c.width for c in expected.cells]


def test_matrix_without_a_campaign_from_state_and_query(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    result = run("report", "matrix", "--sur", "DPR Korea", "--query", "torture", "--format", "xlsx",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["Matrix"].iter_rows(values_only=True))[1:]
    assert rows and all("tortur" in r[0].lower() for r in rows)


def test_state_page_has_the_brief_button(client):
    page = client.get("/states/china/").content.decode()
    assert "/reports/brief/" in page and "Advocacy brief" in page


def test_brief_page_has_chart_with_its_data_table(client):
    response = client.get("/reports/brief/", {"sur": "China", "q": "death penalty"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-vega-spec="brief-chart"' in html and 'id="brief-chart"' in html
    assert 'class="chart-data"' in html
    assert DEATH_PENALTY in html


def test_brief_page_downloads_and_errors(client):
    response = client.get("/reports/brief/", {"sur": "China", "format": "html"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert set(parse_brief(response.content.decode()).rows) == china_ids()
    assert client.get("/reports/brief/", {"sur": "Atlantis"}).status_code == 404
    assert client.get("/reports/brief/", {"sur": "China", "q": "zzqxv nonexistentword"}).status_code == 404
    assert client.get("/reports/brief/", {"sur": "China", "format": "exe"}).status_code == 400
    matrix = client.get("/reports/matrix/", {"sur": "China", "q": "death penalty", "format": "xlsx"})
    assert matrix.status_code == 200
    from openpyxl import load_workbook

    assert matrix.streaming  # the download starts at once
    assert len(list(load_workbook(io.BytesIO(b"".join(matrix.streaming_content)))["Matrix"].iter_rows())) > 10


def test_private_assessment_hidden_from_outsiders_on_the_web(campaign, client, coalition):
    campaign, rec = campaign
    client.force_login(coalition.bob)  # the coalition, not the other group
    html = client.get("/reports/brief/", {"sur": "China", "campaign": campaign.pk}).content.decode()
    assert "Still 46 capital crimes" in html and "SECRET DRAFT" not in html
    client.force_login(coalition.charlie)
    assert "SECRET DRAFT" in client.get("/reports/brief/", {"sur": "China", "campaign": campaign.pk}).content.decode()


def test_api_brief_json(client):
    response = client.get("/api/reports/brief", {"sur": "China", "q": "death penalty"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert {"title", "summary", "recommendations", "firsts", "assessments", "timeline", "deadlines"} <= set(data)
    assert data["summary"]["recommendations"] == len(data["recommendations"])
    assert any(r["text"].startswith(DEATH_PENALTY) for r in data["recommendations"])
    assert client.get("/api/reports/brief", {"sur": "Atlantis"}).status_code == 404
    assert client.get("/api/reports/matrix", {"sur": "China", "format": "pdf"}).status_code == 400


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_matrix_of_a_query_with_control_characters_still_opens(client, fmt):
    """XML cannot hold control characters: a typed (or fuzzed) query with one once gave a 500."""
    response = client.get("/api/reports/matrix", {"sur": "China", "q": "death penalty\x16\x0b", "format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert "death penalty" in workbook["About"]["B1"].value
        assert len(list(workbook["Matrix"].iter_rows())) > 1
    else:
        from docx import Document

        assert "death penalty" in Document(io.BytesIO(response.content)).paragraphs[0].text


def test_output_is_atomic(tmp_path):
    from uprwatch.reports.output import atomic_output

    target = tmp_path / "x.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        Path(temporary).write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_campaign_page_links_to_its_brief_and_matrix(campaign, client, coalition):
    campaign, rec = campaign
    client.force_login(coalition.alice)
    page = client.get(f"/tracking/campaigns/{campaign.pk}/").content.decode()
    assert f"/reports/brief/?campaign={campaign.pk}" in page
    response = client.get("/reports/brief/", {"campaign": campaign.pk})  # the campaign's one state: China
    assert response.status_code == 200
    rows = parse_brief(response.content.decode()).rows
    assert rec.pk in rows and set(rows) <= china_ids()


def test_profile_exports_json_xlsx_csv(tmp_path, client):
    pytest.importorskip("uprwatch.analysis.profiles")
    from openpyxl import load_workbook

    out = tmp_path / "china.xlsx"
    assert run("report", "profile", "--state", "China", "--format", "xlsx", "--output", str(out)).exit_code == 0
    sheet = load_workbook(out)["received-by-cycle"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("cycle", "total")
    assert {r[0]: r[1] for r in rows[1:]} == {1: 138, 2: 284}
    data = json.loads(client.get("/reports/profile/china.json").content)
    assert data["as_reviewed"]["total"] == 422
    csv_text = client.get("/reports/profile/china.csv", {"table": "recommenders"}).content.decode()
    assert csv_text.startswith("state,total")
    assert client.get("/reports/profile/atlantis.json").status_code == 404
    result = CliRunner().invoke(main, ["report", "profile", "--state", "China", "--format", "csv",
                                       "--output", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "--table" in result.output and not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("state, slug", [("China", "china"), ("Cuba", "cuba"), ("Haiti", "haiti")])
def test_profile_and_brief_show_the_same_support_rate_for_a_state(client, state, slug):
    """One definition (``records.stats.support_rate``): a state's profile and its brief, which cover the
    same recommendations (all it received), print the same percentage."""
    profile = client.get(f"/states/{slug}/profile/").content.decode()
    brief = client.get("/reports/brief/", {"sur": state}).content.decode()
    on_profile = re.search(r'<div class="figure response-supported">(\d+)%</div>support rate', profile)
    on_brief = re.search(r"<strong>(\d+) %</strong> support rate", brief)
    assert on_profile and on_brief, "both pages show a support rate"
    assert on_profile.group(1) == on_brief.group(1)
