"""The parsers on page texts cut from real UN documents of every layout (tests/fixtures/documents/).

These run in any clone: no ../shared needed. Each fixture is the text PDFium extracts from a few pages
of a real report or addendum (``*.pages.txt``, pages separated by a form feed) or the first rows of an
OHCHR thematic list (``*.tables.json``), with what the parser must make of it (``*.expected.json``,
written by tools/extract_fixture.py and read through by hand). A change to any parsed field fails here;
when a change is an improvement, rewrite the expected file with the tool and review its diff.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from uprwatch.documents.parsing import ListTables, parse_list_tables, parse_pdf_pages

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def load(name: str):
    pages = FIXTURES / f"{name}.pages.txt"
    if pages.exists():
        return parse_pdf_pages(pages.read_text(encoding="utf-8").split("\f"))
    return parse_list_tables(ListTables.from_json(json.loads((FIXTURES / f"{name}.tables.json").read_text("utf-8"))))


def shape(parsed) -> dict:
    data = parsed.to_json()
    return {
        "document": {k: v for k, v in data["document"].items() if not k.endswith("_name")},
        "recommendations": [{k: v for k, v in r.items() if v not in ("", [], False, None) and not k.endswith("_names")}
                            for r in data["recommendations"]],
    }


def by_paragraph(parsed) -> dict[str, list]:
    found: dict[str, list] = {}
    for rec in parsed.recommendations:
        found.setdefault(rec.paragraph, []).append(rec)
    return found


def test_every_layout_has_a_fixture():
    kinds = Counter(json.loads((FIXTURES / f"{n}.expected.json").read_text("utf-8"))["document"]["kind"] for n in NAMES)
    assert kinds["working_group_report"] >= 6 and kinds["responses_addendum"] >= 4 and kinds["thematic_list"] >= 4


@pytest.mark.parametrize("name", NAMES)
def test_fixture_parses_as_expected(name):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    got = shape(load(name))
    assert got["document"] == expected["document"]
    assert len(got["recommendations"]) == len(expected["recommendations"])
    for index, (mine, theirs) in enumerate(zip(got["recommendations"], expected["recommendations"], strict=True)):
        assert mine == theirs, f"recommendation {index} (paragraph {theirs.get('paragraph')})"


def test_cycle_2_report_lists_each_recommendation_with_its_states():
    parsed = load("report-2013-cycle2")
    assert (parsed.symbol, parsed.state_under_review, parsed.session) == ("A/HRC/25/5", "CHN", 17)
    assert parsed.dates == {"start": "2013-10-21", "end": "2013-11-01"}
    recs = by_paragraph(parsed)
    # 186.1 holds ten recommendations by nine states, each with its own text.
    assert [r.recommending_states[0] for r in recs["186.1"]][:3] == ["ALB", "CHL", "BEL"]
    assert recs["186.1"][0].text == "Ratify ICCPR"
    assert all(r.response == "pending" for r in parsed.recommendations)


def test_cycle_4_report_joint_recommendation():
    parsed = load("report-2025-cycle4-svn")
    assert parsed.session == 48 and parsed.dates == {"start": "2025-01-20", "end": "2025-01-31"}
    assert by_paragraph(parsed)["140.1"][0].recommending_states == ["DZA", "CPV", "PRY", "SSD", "LKA", "TGO", "URY", "VEN"]
    assert all("\n" not in r.text and "GE.25" not in r.text for r in parsed.recommendations)


def test_cycle_4_addendum_responses_and_explanations():
    parsed = load("addendum-2025-cycle4-svn")
    assert parsed.symbol == "A/HRC/59/15/Add.1" and parsed.report_symbol == "A/HRC/59/15"
    assert Counter(r.response for r in parsed.recommendations) == {"supported": 217, "noted": 37}
    recs = {r.paragraph: r for r in parsed.recommendations}
    assert recs["140.11"].already_implemented and "Statelessness" in recs["140.11"].explanation
    assert recs["140.87"].already_implemented  # from "140.82-85, 87"
    assert not recs["140.7"].already_implemented


def test_cycle_1_report_responses_and_dialogue_references():
    parsed = load("report-2008-cycle1-dialogue-references")
    # "The recommendations ... in paragraphs ... did not enjoy the support"; paragraph 45 is Canada's
    # statement with three "recommended" sentences.
    texts = [r.text for r in parsed.recommendations if r.paragraph == "45"]
    assert texts[0].startswith("Review its Family Code to remedy provisions")
    assert texts[1] == "Lift its reservations to CEDAW"
    assert {tuple(r.recommending_states) for r in parsed.recommendations if r.paragraph == "45"} == {("CAN",)}
    assert {r.response for r in parsed.recommendations if r.paragraph == "45"} == {"noted"}


def test_slash_form_alternatives():
    by_state: dict[str, list[str]] = {}
    for rec in load("report-2013-slash-form").recommendations:
        if rec.paragraph == "170.4":
            for state in rec.recommending_states:
                by_state.setdefault(state, []).append(rec.text)
    assert by_state["CHL"] == ["Ratify the ICCPR"] and by_state["CAN"] == ["Ratify and implement the ICCPR"]


def test_thematic_lists_of_three_layouts():
    rec = by_paragraph(load("list-2025-cycle4-svn"))["140.7"][0]
    assert rec.recommending_states == ["MDV", "PRT"] and rec.response == "supported"
    assert "SDG 1" in rec.sdgs and "Public officials" in rec.affected_persons
    china = load("list-2018-cycle3-chn")
    assert (china.kind, china.state_under_review, china.session) == ("thematic_list", "CHN", 31)
    rec = by_paragraph(china)["28.212"][0]
    assert rec.recommending_states == ["TUN"] and "A12 Acceptance of international norms" in rec.themes
    assert rec.source_of_position.startswith("A/HRC/40/6/Add.1")
