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

from uprwatch.calendar.derivation import states_in_session
from uprwatch.documents.parsing import ListTables, parse_list_tables, parse_pdf_pages

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def load(name: str):
    pages = FIXTURES / f"{name}.pages.txt"
    if pages.exists():
        return parse_pdf_pages(pages.read_text(encoding="utf-8").split("\f"))
    tables = ListTables.from_json(json.loads((FIXTURES / f"{name}.tables.json").read_text("utf-8")))
    return parse_list_tables(tables, session_states=states_in_session)


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
    assert kinds["working_group_report"] >= 9 and kinds["responses_addendum"] >= 8 and kinds["thematic_list"] >= 5


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


# --- layouts written for the tests (issue 19) ------------------------------------------------------


def test_report_without_a_title_and_with_the_heading_variant():
    # page 1 lost its title; the heading reads "Conclusions and recommendations 2" (contents: "and/or")
    parsed = load("report-2014-untitled-heading-variant")
    assert (parsed.symbol, parsed.state_under_review, parsed.session) == ("A/HRC/28/15", "SVN", 20)
    assert shape(parsed)["recommendations"] == shape(load("report-2014-cycle2-svn"))["recommendations"]


def test_first_session_report_with_observations_and_a_list_over_two_paragraphs():
    parsed = load("report-2008-untitled-observations")
    assert (parsed.state_under_review, parsed.session) == ("ECU", 1)
    recs = by_paragraph(parsed)
    assert "55" not in recs and "56" not in recs  # the Working Group's observations are no recommendations
    assert [r.recommending_states for r in recs["58.5"]] == [["SVN", "CAN"]]  # the list goes on after paragraph 58
    assert recs["58.4"][0].response == "supported" and recs["59.2"][0].response == "pending"
    assert recs["60"][0].text == "Include a gender perspective in the follow-up to the review"


def texts_by_state(parsed, paragraph: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rec in parsed.recommendations:
        if rec.paragraph == paragraph:
            for state in rec.recommending_states:
                found.setdefault(state, []).append(rec.text)
    return found


def test_first_session_references_to_recommendations_that_will_be_examined():
    parsed = load("report-2008-cycle1-examined-references")
    recs = by_paragraph(parsed)
    # "70. Other recommendations noted in the report in paragraphs 16, 20, ... 54 above, will be examined":
    # each is read from its dialogue paragraph, pending
    assert recs["38"][0].text == "Pass the Freedom of Information Bill"  # "... and requested further information"
    assert recs["38"][0].recommending_states == ["CAN"] and recs["38"][0].response == "pending"
    # "recommended Ghana to implement ..., and that Ghana's Criminal Code be amended": two recommendations
    assert [r.text[:30] for r in recs["50"]] == ["Effectively implement measures", "That Ghana’s Criminal Code be "]
    # "To ratify OP-CAT (Mexico) and to do so as soon as possible (United Kingdom, Netherlands)"
    assert texts_by_state(parsed, "68.13")["GBR"] == [
        "Ratify the Optional Protocol on the Convention Against Torture (OP-CAT) as soon as possible"]
    # "69. The recommendations listed above enjoy the support of Ghana.": the position after the list
    assert {r.response for r in parsed.recommendations if r.paragraph.startswith("68.")} == {"supported"}


def test_instruments_listed_after_a_treaty_verb_take_it():
    by_state = texts_by_state(load("report-2008-cycle1-instrument-list"), "52.2")
    assert by_state["ARG"] == ["Consider the possibility of acceding to the Convention on the Rights of Persons with Disabilities"]
    assert by_state["BGD"][0].startswith("Consider the possibility of acceding to the Optional Protocol to the Convention on")


def test_thereto_takes_the_instrument_of_the_recommendation_before():
    by_state = texts_by_state(load("report-2008-cycle1-thereto"), "98.3")
    assert by_state["NLD"] == ["Ratify the Optional Protocol to the Convention against Torture"]
    assert by_state["BEN"] == ["Ratify the Optional Protocol to the Convention against Torture and establish a national "
                               "preventive mechanism"]


def test_lettered_clause_after_that_is_a_clause_not_an_instrument():
    # "It recommended that (c) Tonga consider repealing ...": not "Tonga ratify Tonga consider ..."
    recs = by_paragraph(load("report-2008-cycle1-lettered-clauses"))
    assert recs["38(c)"][0].text.startswith("Consider repealing the discriminatory practice")


def test_footnote_read_during_the_dialogue_with_its_number_on_a_line_of_its_own():
    # "... so that it can\n1\n The recommendation as read during the dialogue: ... (Brazil). 2\n The
    # recommendation ...": the footnotes sit inside the recommendation that goes on after them
    parsed = load("report-2010-footnote-read-during-dialogue")
    assert not [r for r in parsed.recommendations if "read during" in r.text]
    assert by_paragraph(parsed)["98.17"][0].text.endswith("so that it can make progress with regard to economic, social "
                                                          "and cultural rights and to achieve the Millennium Development "
                                                          "Goal related to poverty reduction")


def test_recommendations_noted_at_paragraphs_of_the_dialogue_did_not_enjoy_support():
    # "78. The recommendations noted in the present report at paragraphs 23 (g), 26 (f), ... and 67 above
    # did not enjoy the support of the Congo"
    recs = by_paragraph(load("report-2009-cycle1-at-paragraphs"))
    assert recs["27(d)"][0].text == "Remove the provisions that criminalize homosexuality."
    assert recs["27(d)"][0].recommending_states == ["GBR"] and recs["27(d)"][0].response == "noted"
    # "Latvia recommended that the Congo consider extending ...": the state's name with its article goes
    assert recs["67"][0].text.startswith("Consider extending a standing invitation")


def test_object_after_the_last_slashed_alternative_is_everyones():
    # "Consider extending (Latvia, Brazil)/Extend (France, Slovenia)/ extend and implement (Czech Republic)
    # a standing invitation to all special procedures of the Human Rights Council;"
    by_state = texts_by_state(load("report-2009-slash-object-after-alternatives"), "81.9")
    assert by_state["LVA"] == ["Consider extending a standing invitation to all special procedures of the Human Rights Council"]
    assert by_state["CZE"] == ["Extend and implement a standing invitation to all special procedures of the Human Rights "
                               "Council"]


def test_a_verb_waiting_for_its_object_takes_the_words_after_it():
    by_state = texts_by_state(load("report-2012-verb-waiting-for-object"), "129.86")
    # "Consider (Slovenia, Latvia) issuing a standing invitation to Special Procedures mandate holders (Uruguay, Hungary)"
    assert by_state["SVN"] == ["Consider issuing a standing invitation to Special Procedures mandate holders"]
    # "evaluate the possibility of ratifying (Argentina) the International Convention ... (Spain)"
    assert texts_by_state(load("report-2012-verb-waiting-for-object"), "129.6")["ARG"][0].endswith(
        "ratifying the International Convention on the protection of all persons from enforced disappearances")


def test_as_well_as_to_starts_the_later_states_own_recommendation():
    by_state = texts_by_state(load("report-2008-as-well-as-to"), "58.5")
    assert by_state["BRA"] == ["Take further appropriate and effective measures to eliminate discrimination against Roma"]
    assert by_state["IRL"] == ["Continue to take further action to ensure equal enjoyment of human rights by Roma people"]


def test_an_item_answering_a_state_named_in_words_is_that_states_recommendation():
    # "3. With regard to the recommendation of Switzerland reflected in paragraph 35 above, Bahrain can
    # conduct wide consultations ...": no parenthesis names the state, the sentence does
    recs = by_paragraph(load("report-2008-cycle1-answered-by-name"))
    assert recs["60.3"][0].recommending_states == ["CHE"] and recs["60.3"][0].response == "supported"
    assert recs["60.3"][0].text.startswith("Conduct wide consultations between different partners")
    assert recs["60.6"][0].recommending_states == ["NLD"] and recs["60.6"][0].text.startswith("Inform the Human Rights")


def test_draft_report_leaves_positions_pending():
    parsed = load("draft-2025-cycle4-svn")
    assert (parsed.symbol, parsed.kind, parsed.session) == ("A/HRC/WG.6/48/L.7", "working_group_report", 48)
    assert parsed.title.startswith("Draft report") and {r.response for r in parsed.recommendations} == {"pending"}
    assert shape(parsed)["recommendations"] == shape(load("report-2025-cycle4-svn"))["recommendations"]


@pytest.mark.parametrize(("name", "expected"), [
    ("addendum-table-positions", {"130.1": "supported", "130.3": "noted", "130.4": "partially supported"}),
    ("addendum-lines-positions", {"118.1": "supported", "118.3": "noted", "118.6": "partially supported"}),
    ("addendum-prose-ranges", {"50.1": "supported", "50.6": "noted", "50.10": "noted", "50.12": "supported"}),
    ("addendum-grouped-explanations", {"116.4": "supported", "116.3": "noted", "116.7": "supported"}),
])
def test_addendum_layouts_keep_the_explanation_with_the_response(name, expected):
    recs = {r.paragraph: r for r in load(name).recommendations}
    assert {p: recs[p].response for p in expected} == expected
    explained = [r for r in recs.values() if r.response == "noted"]
    assert explained and all(r.explanation for r in explained if r.paragraph != "118.5")


def test_explanations_are_the_states_words():
    recs = {r.paragraph: r for r in load("addendum-grouped-explanations").recommendations}
    assert recs["116.2"].explanation == recs["116.3"].explanation
    assert recs["116.2"].explanation.startswith("Georgia is not in a position to accept these recommendations")
    table = {r.paragraph: r for r in load("addendum-table-positions").recommendations}
    assert table["130.5"].already_implemented and not table["130.2"].explanation


def test_2014_2016_list_without_a_title_takes_its_state_from_the_source_of_position():
    parsed = load("list-2015-rights-layout")
    assert (parsed.state_under_review, parsed.session) == ("AUT", 23)
    assert "A/HRC/31/12/Add.1" in parsed.state_source and "Working Group session 23" in parsed.state_source
    recs = by_paragraph(parsed)
    assert recs["136.2"][0].recommending_states == ["EGY", "PHL"] and recs["136.2"][0].response == "noted"
    assert recs["136.26"][0].recommending_states == ["AFG", "IRN"]  # "Iran (Islamic Republic of)" in the column
    assert recs["136.2"][0].themes == ["2.1. Acceptance of international norms", "22.5. Migrants"]
    assert recs["136.2"][0].affected_persons == ["migrants"]


def _austria_list_without_mentions() -> ListTables:
    tables = ListTables.from_json(json.loads((FIXTURES / "list-2015-rights-layout.tables.json").read_text("utf-8")))
    for row in tables.tables[0]:
        row[0] = row[0].replace("Austria's", "its").replace(", in Austria", "")
    return tables


def test_list_state_is_asked_for_when_the_calendar_cannot_tell():
    from uprwatch.documents.extraction import DocumentError

    with pytest.raises(DocumentError, match=r"Working Group session 23, which reviewed .*AUT.*give it with --state"):
        parse_list_tables(_austria_list_without_mentions(), session_states=states_in_session)
    parsed = parse_list_tables(_austria_list_without_mentions(), state="Austria", session_states=states_in_session)
    assert (parsed.state_under_review, parsed.session, parsed.state_source) == ("AUT", 23, "given with --state")
    with pytest.raises(DocumentError, match="names its State under Review as China"):
        parse_list_tables(ListTables.from_json(json.loads((FIXTURES / "list-2018-cycle3-chn.tables.json").read_text(
            "utf-8"))), state="France")


def test_word_97_list_reads_like_its_docx():
    from uprwatch.documents.parsing import parse_document, read_doc_tables

    doc = FIXTURES / "list-2015-rights-layout.doc"
    assert doc.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real OLE / Word 97-2003 file
    tables = json.loads((FIXTURES / "list-2015-rights-layout.tables.json").read_text("utf-8"))["tables"]
    assert read_doc_tables(doc).tables == tables
    assert shape(parse_document(doc, session_states=states_in_session)) == shape(load("list-2015-rights-layout"))


@pytest.mark.parametrize(("page_one", "kind", "symbol", "state", "says"), [
    ("A/HRC/WG.6/48/SVN/1\nHuman Rights Council\nWorking Group on the Universal Periodic Review\nForty-eighth "
     "session\nNational report submitted pursuant to Human Rights Council resolutions 5/1 and 16/21* Slovenia",
     "national_report", "A/HRC/WG.6/48/SVN/1", "SVN", "national report"),
    ("A/HRC/WG.6/20/SVN/2\nCompilation prepared by the Office of the United Nations High Commissioner for Human "
     "Rights in accordance with paragraph 15 (b)", "compilation", "A/HRC/WG.6/20/SVN/2", "SVN", "compilation"),
    ("A/HRC/WG.6/34/SVN/3\nSummary of Stakeholders' submissions on Slovenia* Report of the Office",
     "stakeholder_summary", "A/HRC/WG.6/34/SVN/3", "SVN", "summary of stakeholders"),
    ("A/HRC/DEC/59/112\nDecision adopted by the Human Rights Council on 2 July 2025 59/112. Outcome of the "
     "universal periodic review: Slovenia The Human Rights Council,", "council_decision", "A/HRC/DEC/59/112", "SVN",
     "decision"),
])
def test_documents_without_recommendations_are_named_with_what_to_read(page_one, kind, symbol, state, says):
    from uprwatch.documents.parsing import NotRecommendationsError

    with pytest.raises(NotRecommendationsError, match=says) as refused:
        parse_pdf_pages([page_one + "\n" + "Text of the document. " * 20])
    identity = refused.value.identity
    assert (identity.kind, identity.symbol, identity.state_under_review) == (kind, symbol, state)
    assert "Working Group report" in str(refused.value) and "/Add.1" in str(refused.value)


def test_a_page_without_any_upr_title_is_refused_helpfully():
    from uprwatch.documents.extraction import DocumentError

    with pytest.raises(DocumentError, match="not a UPR document uprwatch can read.*thematic list"):
        parse_pdf_pages(["Slovenia The Universal Periodic Review Slovenia was reviewed by UPR WG 48 " * 5])


def test_untitled_report_whose_second_page_cites_the_compilation_is_still_a_report():
    import re

    from uprwatch.documents.parsing import identify_pages

    pages = (FIXTURES / "report-2014-cycle2-svn.pages.txt").read_text("utf-8").split("\f")
    pages[0] = re.sub(r"Report of the Working Group on the Universal Periodic \nReview\*\nSlovenia\n\*\n", "", pages[0])
    assert "compilation prepared by" in pages[1].lower()
    identity = identify_pages(pages)
    assert (identity.kind, identity.symbol) == ("working_group_report", "A/HRC/28/15")
    assert len(parse_pdf_pages(pages).recommendations) == len(load("report-2014-cycle2-svn").recommendations)
