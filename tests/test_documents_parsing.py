"""Parsers on the real UN documents in ../shared and on generated bad input (no database)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing import (
    dialogue_references,
    lookup_state,
    ordinal_number,
    parse_document,
    parse_pdf_pages,
    session_and_dates,
    split_recommendations,
)
from uprwatch.documents.references import parse_references

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "un-documents"
WG = SHARED / "wg-reports-2008-2014"
SVN4 = SHARED / "slovenia" / "cycle4"

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="../shared is not available")


@pytest.fixture(scope="module")
def china_2013():
    return parse_document(WG / "china2013.pdf")


def by_paragraph(parsed):
    found = {}
    for rec in parsed.recommendations:
        found.setdefault(rec.paragraph, []).append(rec)
    return found


def test_china_2013_report_metadata(china_2013):
    assert china_2013.symbol == "A/HRC/25/5"
    assert china_2013.kind == "working_group_report"
    assert china_2013.state_under_review == "CHN"
    assert china_2013.session == 17
    assert china_2013.dates == {"start": "2013-10-21", "end": "2013-11-01"}


def test_china_2013_known_recommendations(china_2013):
    recs = by_paragraph(china_2013)
    assert [r.recommending_states for r in recs["186.243"]] == [["KOR"]]
    assert recs["186.243"][0].text.startswith("Provide adequate protection to asylum seekers and cross-border refugees")
    assert [r.recommending_states for r in recs["186.241"]] == [["CZE"]]
    assert "non-refoulement" in recs["186.241"][0].text
    # 186.1 holds ten recommendations by nine states, each with its own text.
    assert [r.recommending_states[0] for r in recs["186.1"]][:3] == ["ALB", "CHL", "BEL"]
    assert recs["186.1"][0].text == "Ratify ICCPR"
    assert all(r.response == "pending" for r in china_2013.recommendations)
    assert len(recs) == 252


def test_joint_recommendation_has_several_states():
    parsed = parse_document(SVN4 / "g2502644.pdf")
    recs = by_paragraph(parsed)
    assert len(recs) == 254
    assert recs["140.1"][0].recommending_states == ["DZA", "CPV", "PRY", "SSD", "LKA", "TGO", "URY", "VEN"]
    assert parsed.session == 48 and parsed.dates == {"start": "2025-01-20", "end": "2025-01-31"}
    assert all("\n" not in r.text and "GE.25" not in r.text for r in parsed.recommendations)


def test_slovenia_2025_addendum_responses():
    parsed = parse_document(SVN4 / "g2505828.pdf")
    assert parsed.kind == "responses_addendum"
    assert parsed.symbol == "A/HRC/59/15/Add.1" and parsed.report_symbol == "A/HRC/59/15"
    counts = Counter(r.response for r in parsed.recommendations)
    assert counts == {"supported": 217, "noted": 37}
    recs = {r.paragraph: r for r in parsed.recommendations}
    assert recs["140.11"].already_implemented and "Statelessness" in recs["140.11"].explanation
    assert recs["140.87"].already_implemented  # from "140.82-85, 87"
    assert not recs["140.7"].already_implemented


def test_cycle_1_report_carries_responses():
    parsed = parse_document(WG / "china2009.pdf")
    counts = Counter(r.response for r in parsed.recommendations)
    assert counts["supported"] > 40 and counts["pending"] > 0
    assert any(r.already_implemented for r in parsed.recommendations)


def test_cycle_1_noted_recommendations_referenced_in_the_dialogue():
    parsed = parse_document(WG / "china2009.pdf")
    recs = {r.paragraph: r for r in parsed.recommendations}
    # "The recommendations noted in the report in paragraphs 27 (b), ... did not enjoy the support"
    assert recs["27(b)"].recommending_states == ["AUS"] and recs["27(b)"].response == "noted"
    assert recs["27(b)"].text.startswith("Abolish the death penalty")
    assert recs["28(d)"].recommending_states == ["CAN"]
    assert dialogue_references("27 (b), (c), 28 (a), 31, 38 and 43 (a)") == [
        ("27", "b"), ("27", "c"), ("28", "a"), ("31", None), ("38", None), ("43", "a")]


def test_thematic_list_cycle_3():
    parsed = parse_document(SHARED / "china" / "thematic-list-cycle3-2018.docx")
    assert (parsed.kind, parsed.state_under_review, parsed.session) == ("thematic_list", "CHN", 31)
    assert len({r.paragraph for r in parsed.recommendations}) == 346
    rec = next(r for r in parsed.recommendations if r.paragraph == "28.212")
    assert rec.recommending_states == ["TUN"] and rec.response == "supported"
    assert "A12 Acceptance of international norms" in rec.themes
    assert rec.affected_persons == ["general"] and rec.sdgs == ["SDG 16"]
    assert rec.source_of_position.startswith("A/HRC/40/6/Add.1")


def test_thematic_list_cycle_4_layout():
    parsed = parse_document(SVN4 / "upr48-slovenia-thematic-list-of-recommendatio.docx")
    rec = next(r for r in parsed.recommendations if r.paragraph == "140.7")
    assert rec.recommending_states == ["MDV", "PRT"]
    assert "SDG 1" in rec.sdgs and "Public officials" in rec.affected_persons
    assert Counter(r.response for r in parsed.recommendations) == {"supported": 217, "noted": 37}


# --- bad input ---------------------------------------------------------------------------------


def _pdf_bytes(text: str | None = None, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged"),
        (b"hello, plain text", "not a supported document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Word file is damaged"),
        (b"PK\x03\x04 broken zip", "damaged"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "upload.pdf"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_document(path)


def test_image_only_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes())
    with pytest.raises(DocumentError, match="no text layer"):
        parse_document(path)


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    path.write_bytes(_pdf_bytes(password="s3cret"))
    with pytest.raises(DocumentError, match="encrypted"):
        parse_document(path)


def test_pdf_that_is_not_a_upr_report():
    with pytest.raises(DocumentError, match="this is the national report") as refused:
        parse_document(SVN4 / "g2420070.pdf")  # the national report
    assert refused.value.identity.symbol == "A/HRC/WG.6/48/SVN/1" and refused.value.identity.state_under_review == "SVN"


def test_zip_bomb_docx(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(DocumentError, match="zip bomb"):
        parse_document(path)


def test_docx_that_is_not_a_thematic_list():
    with pytest.raises(DocumentError, match="not an OHCHR thematic list"):
        parse_document(SVN4 / "UPR-wg48-Advance-Questions-Slovenia.docx")


def _thematic_list(path: Path, header: str, recommendation: str) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, ["Recommendation", "Position", "Full list of themes", "Assessment"],
                          strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, [recommendation, "Supported", "A12 Acceptance of international norms", ""],
                          strict=True):
        cell.text = text
    document.save(path)


def test_generated_thematic_list(tmp_path):
    path = tmp_path / "list.docx"
    _thematic_list(path, "UPR of Slovenia (4th Cycle - 48th Session)\tThematic list",
                   "140.7 Ratify the Optional Protocol (Maldives) (Portugal);\nSource of Position: A/HRC/59/15/Add.1")
    parsed = parse_document(path)
    assert parsed.recommendations[0].recommending_states == ["MDV", "PRT"]


def test_unresolvable_state_under_review(tmp_path):
    path = tmp_path / "list.docx"
    _thematic_list(path, "UPR of Atlantis (4th Cycle - 48th Session)", "140.7 Ratify it (Portugal);")
    with pytest.raises(DocumentError, match="State under Review cannot be resolved.*Atlantis"):
        parse_document(path)


def test_unresolvable_recommending_state(tmp_path):
    path = tmp_path / "list.docx"
    _thematic_list(path, "UPR of Slovenia (4th Cycle - 48th Session)", "140.7 Ratify the Protocol (Freedonia);")
    with pytest.raises(DocumentError, match="recommending state cannot be resolved.*Freedonia"):
        parse_document(path)


def test_oversize_file_is_refused_before_reading(tmp_path, settings):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:  # sparse: 300 MB on paper, nothing on disk
        handle.write(b"%PDF-1.7\n")
        handle.truncate(300 * 1024 * 1024)
    with pytest.raises(DocumentError, match="larger than"):
        parse_document(path)


# --- helpers -----------------------------------------------------------------------------------


def test_parse_references_forms():
    assert parse_references("140.7, 140.8") == ["140.7", "140.8"]
    assert parse_references("140.7–140.10") == ["140.7", "140.8", "140.9", "140.10"]
    assert parse_references("140.82-85, 87") == ["140.82", "140.83", "140.84", "140.85", "140.87"]
    assert parse_references("1–3, 14") == ["1", "2", "3", "14"]
    assert parse_references("122.34- 35") == ["122.34", "122.35"]


@given(st.lists(st.tuples(st.integers(1, 300), st.integers(1, 400)), min_size=1, max_size=30))
def test_parse_references_round_trip(refs):
    text = ", ".join(f"{a}.{b}" for a, b in refs)
    assert parse_references(text) == list(dict.fromkeys(f"{a}.{b}" for a, b in refs))


@given(st.integers(1, 300), st.integers(1, 300), st.integers(0, 50))
def test_parse_references_ranges(parent, start, width):
    result = parse_references(f"{parent}.{start}–{parent}.{start + width}")
    assert result == [f"{parent}.{n}" for n in range(start, start + width + 1)]


@given(st.text(max_size=300))
def test_helpers_never_crash(text):
    parse_references(text)
    repair.clean_text(text)
    repair.strip_page_furniture([text])
    split_recommendations(text)
    session_and_dates(text)


@given(st.lists(st.from_regex(r"[A-Za-z][a-z]{2,10}", fullmatch=True), min_size=1, max_size=40))
def test_join_lines_keeps_words(words):
    text = "\n".join(" ".join(words[i:i + 5]) for i in range(0, len(words), 5))
    assert repair.join_lines(text).split() == words


def test_repairs():
    assert repair.join_lines("protection of the countri-\nes and situ ation") == "protection of the countries and situ ation"
    words = Counter({"countries": 3, "situation": 2, "and": 5})
    assert repair.repair_split_words("the countri es and the situ ation", words) == "the countries and the situation"
    text = repair.strip_page_furniture(["Provide protection to\nA/HRC/25/5\n28\nGE.13-18855\n*1318855*\nrefugees (Chad);"])
    assert repair.join_lines(text) == "Provide protection to refugees (Chad);"
    assert repair.remove_footnote_marks("the Convention,12 and the Protocol") == "the Convention, and the Protocol"


def test_ordinals_and_state_spellings():
    assert ordinal_number("forty-eighth") == 48 and ordinal_number("seventeenth") == 17
    assert ordinal_number("twentieth") == 20 and ordinal_number("nonsense") is None
    assert lookup_state("Plurinational Republic of Bolivia") == "BOL"
    assert lookup_state("the Republic of the Marshall Islands") == "MHL"
    assert lookup_state("TimorLeste") == "TLS"
    assert lookup_state("Atlantis") is None
    assert split_recommendations("Ratify it (Algeria) (Cabo Verde); Do more (Venezuela (Bolivarian Republic of)).") == [
        ("Ratify it", ["DZA", "CPV"]), ("Do more", ["VEN"])
    ]


# --- formats fixed for accuracy (issue 4): real snippets of the reports in ../shared -------------


@pytest.fixture(scope="module")
def parsed_reports():
    """Each report parsed once for the tests below."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = parse_document(WG / name)
        return cache[name]

    return get


def texts_by_state(parsed, paragraph: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rec in parsed.recommendations:
        if rec.paragraph == paragraph:
            for state in rec.recommending_states:
                found.setdefault(state, []).append(rec.text)
    return found


def test_compound_paragraph_is_read_per_state():
    # Burundi 2009, 80.4: each state's recommendation is the base plus the pieces it made.
    text = (
        "Establish an independent national human rights commission (South Africa,\nMalaysia) in compliance "
        "with the Paris Principles (Portugal, Australia,\nUnited Kingdom, Egypt, Republic of Korea) with a "
        "strong mandate (Portugal),\nand finalize the submission of the required bill to the Parliament for "
        "adoption\n(Egypt);"
    )
    assert split_recommendations(text) == [
        ("Establish an independent national human rights commission", ["ZAF", "MYS"]),
        ("Establish an independent national human rights commission in compliance with the Paris Principles "
         "with a strong mandate", ["PRT"]),
        ("Establish an independent national human rights commission in compliance with the Paris Principles",
         ["AUS", "GBR", "KOR"]),
        ("Establish an independent national human rights commission in compliance with the Paris Principles,\n"
         "and finalize the submission of the required bill to the Parliament for adoption", ["EGY"]),
    ]
    # A lower-case verb after a comma, by a state not in the sentence so far, starts anew (Burundi 80.20).
    assert split_recommendations("Intensify efforts to uphold the rule of law (Sweden), reform it (Nigeria)") == [
        ("Intensify efforts to uphold the rule of law", ["SWE"]), ("Reform it", ["NGA"])]


def test_compound_paragraph_in_a_real_report(parsed_reports):
    by_state = texts_by_state(parsed_reports("mexico2009.pdf"), "93.6")
    assert by_state["URY"] == ["Harmonize federal and state laws with international human rights instruments"]
    assert by_state["TUR"] == ["Harmonize federal and state laws with international human rights instruments, in "
                               "order to ensure their effective implementation, at federal and state levels"]
    assert len(by_state["ESP"]) == 1 and by_state["ESP"][0].endswith("equal protection and guarantees, at federal "
                                                                     "and state levels")


def test_slash_form_alternatives_take_the_object(parsed_reports):
    # Cuba 2013, 170.4: "Ratify the ICCPR (...)/ Ratify and implement (Canada, Austria)/ Accede (...)/..."
    by_state = texts_by_state(parsed_reports("cuba2013.pdf"), "170.4")
    assert by_state["CHL"] == ["Ratify the ICCPR"]
    assert by_state["CAN"] == ["Ratify and implement the ICCPR"]
    assert by_state["ITA"] == ["Promptly ratify the ICCPR"]
    assert by_state["HUN"] == ["Ratify the ICCPR and ensure full implementation of all provisions"]
    assert by_state["POL"] == ["Ratify the ICCPR as soon as possible"]
    assert by_state["CZE"] == ["Accede to the ICCPR and bring national legislation in compliance with relevant "
                               "provisions of this Covenant"]
    assert split_recommendations("Continue with measures carried out in order to (Argentina)/Ratify the Second "
                                 "Optional Protocol to ICCPR (Montenegro)")[0] == (
        "Continue with measures carried out in order to ratify the Second Optional Protocol to ICCPR", ["ARG"])


def test_incomplete_slash_alternatives_take_the_shared_object(parsed_reports):
    # Cuba 2013, 170.240: the alternatives open alike; the object follows the last one's verb.
    by_state = texts_by_state(parsed_reports("cuba2013.pdf"), "170.240")
    assert by_state["PSE"] == ["Continue guaranteeing free and universal access to public health"]
    assert by_state["MMR"] == ["Continue the provision of free and universal access to public health"]
    assert by_state["JOR"] == ["Continue ensuring free and universal access to public health"]
    # China 2009, 114.5: an alternative ending in "of" takes the other's object, not "at an early date".
    assert texts_by_state(parsed_reports("china2009.pdf"), "114.5")["DZA"] == [
        "Proceed as soon as possible with the publication and implementation of its National Human Rights "
        "Action Plan for 2009–2010"]


def test_slash_word_alternative_and_instrument_complement(parsed_reports):
    by_state = texts_by_state(parsed_reports("cuba2013.pdf"), "170.121")
    assert by_state["TUR"] == ["Continue promoting a gender perspective"]
    assert by_state["NIC"] == ["Continue applying a gender perspective in its national policies"]
    by_state = texts_by_state(parsed_reports("cuba2013.pdf"), "170.14")
    assert by_state["CRI"] == ["Adhere to the Rome Statute of the International Criminal Court"]
    assert by_state["FRA"] == ["Ratify the Rome Statute"]


def test_qualifier_after_a_semicolon_extends_its_states_recommendation():
    # Viet Nam 2009, 99.3: "as recommended by ..." cannot stand alone; it is Nigeria's.
    assert split_recommendations(
        "Accede to CAT in a timely manner (Australia) (Sweden) (Nigeria); as recommended by the Committee on the "
        "Elimination of Discrimination against Women in 2007(Nigeria); consider acceding to CAT (Algeria);"
    ) == [
        ("Accede to CAT in a timely manner", ["AUS", "SWE"]),
        ("Accede to CAT in a timely manner as recommended by the Committee on the Elimination of Discrimination "
         "against Women in 2007", ["NGA"]),
        ("Consider acceding to CAT", ["DZA"]),
    ]


def test_iso_codes_in_prose_are_not_states(parsed_reports):
    # "It recommended" is not Italy, "and" not Andorra, "In" not India; the acronyms reports use still are.
    assert [lookup_state(word) for word in ("It", "IT", "In", "and", "Can", "NLD")] == [None] * 6
    assert [lookup_state(name) for name in ("UK", "USA", "US", "UAE")] == ["GBR", "USA", "USA", "ARE"]
    # Viet Nam 2009, paragraph 51: "While commending Viet Nam ..., the United Kingdom remained concerned
    # ... It recommended that Viet Nam (a) engage substantively ...": the United Kingdom's, not Italy's.
    parsed = parse_document(WG / "vietnam2009.pdf")
    speakers = {state for rec in parsed.recommendations if rec.paragraph.startswith("51(")
                for state in rec.recommending_states}
    assert speakers == {"GBR"}


def test_dialogue_items_take_the_verb_they_share(parsed_reports):
    # China 2009, paragraph 95: "(a) to ratify the ICCPR and to adhere to both the (b) Rome Statute of the
    # ICC and (c) the OP-CAT ... (d) consider establishing a moratorium on death penalty; adopt specific
    # legislation on domestic violence; and continue its cooperation with OHCHR."
    china = parse_document(WG / "china2009.pdf")
    texts = {(rec.paragraph, rec.text) for rec in china.recommendations if rec.paragraph.startswith("95(")}
    assert ("95(b)", "Adhere to the Rome Statute of the ICC") in texts
    assert ("95(c)", "Adhere to the OP-CAT") in texts
    assert ("95(d)", "Consider establishing a moratorium on death penalty") in texts
    # the other two clauses of (d) are also items 116.3 and 114.11 of the section: listed once
    listed = [rec.paragraph for rec in china.recommendations
              if rec.text.startswith("Adopt specific legislation on domestic violence") and "BRA" in rec.recommending_states]
    assert listed == ["116.3"]
    # Colombia 2009, 23 (c)/(d); Viet Nam 2009, 89: "that it consider (a) ratifying CAT and (b) the Optional
    # Protocol thereto as soon as possible"
    assert "Consider the ratification of the Optional Protocol to the Convention against Torture" in texts_by_state(
        parsed_reports("colombia2009.pdf"), "23(d)")["MEX"]
    assert texts_by_state(parsed_reports("vietnam2009.pdf"), "89(b)")["CHL"] == [
        "Consider ratifying the Optional Protocol thereto as soon as possible"]


def test_another_states_object_replaces_the_first_ones():
    # Mexico 2009, 93.16 and 93.48
    assert split_recommendations(
        "Continue efforts to eradicate and address cases of violence against women (Indonesia, Sweden), domestic "
        "violence (Algeria) and child abuse (Algeria, Indonesia)"
    ) == [
        ("Continue efforts to eradicate and address cases of violence against women and child abuse", ["IDN"]),
        ("Continue efforts to eradicate and address cases of violence against women", ["SWE"]),
        ("Continue efforts to eradicate and address cases of domestic violence and child abuse", ["DZA"]),
    ]
    assert split_recommendations(
        "Adopt necessary measures to eradicate impunity for human rights violations, particularly against women "
        "and indigenous population (Bolivia) and journalists. (Sweden)"
    )[1] == ("Adopt necessary measures to eradicate impunity for human rights violations, particularly against "
             "journalists", ["SWE"])


def test_recommendations_addressed_to_another_state_are_left_out(parsed_reports):
    # Sudan 2011: 84 clusters those "put forward to Sudan and South Sudan" (kept), 85 those "put forward to
    # South Sudan" (another state's).
    tops = {rec.paragraph.split(".")[0] for rec in parsed_reports("sudan2011.pdf").recommendations}
    assert {"83", "84"} <= tops and "85" not in tops


def test_modal_after_that_state_is_dropped():
    # Benin 2008, 56.15
    assert split_recommendations("Recommended that Benin should investigate allegations of torture (Canada);") == [
        ("Investigate allegations of torture", ["CAN"])]


def test_cycle_1_that_state_and_recommends_forms(parsed_reports):
    # Algeria 2008, 69.4: "That the State strengthen ...; recommends that Algeria cooperate ...; recommends ..."
    by_state = texts_by_state(parsed_reports("algeria2008.pdf"), "69.4")
    assert len(by_state["GBR"]) == 3
    assert by_state["GBR"][0].startswith("Strengthen its efforts to protect women’s rights")
    assert by_state["GBR"][1] == "Cooperate with special procedures mandate holders"
    assert texts_by_state(parsed_reports("algeria2008.pdf"), "69.6") == {
        "VAT": ["Continue a dialogue with minority religions"]}
    assert split_recommendations("That Algeria take initiatives to strengthen gender mainstreaming. It also "
                                 "recommended that the State pursue its efforts to combat poverty (Nigeria).") == [
        ("Take initiatives to strengthen gender mainstreaming", ["NGA"]),
        ("Pursue its efforts to combat poverty", ["NGA"])]
    # A subject that is not a state keeps its words.
    assert split_recommendations("That discrimination on basis of sexual orientation be also included "
                                 "(Czech Republic);") == [
        ("That discrimination on basis of sexual orientation be also included", ["CZE"])]


def test_infinitive_clauses_are_separate_recommendations():
    # Republic of Korea 2008, 64.20; Argentina 2008, 64.19.
    assert split_recommendations(
        "To maintain the current de facto moratorium (Belgium, Italy) and to progress towards the abolition of "
        "the death penalty (Belgium, Italy, Mexico)") == [
        ("Maintain the current de facto moratorium", ["BEL", "ITA"]),
        ("Progress towards the abolition of the death penalty", ["BEL", "ITA", "MEX"])]
    assert [text for text, _ in split_recommendations(
        "To pursue its effort to bring its legislation into line with the instruments it has ratified; to better "
        "distribute food and other resources. (Cameroon)")] == [
        "Pursue its effort to bring its legislation into line with the instruments it has ratified",
        "Better distribute food and other resources."]


def test_colon_lead_in_shared_by_a_list():
    # Bangladesh 2009, 94.1
    parts = split_recommendations("Consider ratifying or acceding to: OP-ICCPR 2, (Chile), OP-CAT (France, The\n"
                                  "Netherlands); ICRMW (Chile,\nAzerbaijan, Mexico); other core international "
                                  "treaties to which it is not a party (Slovenia).")
    assert parts == [
        ("Consider ratifying or acceding to: OP-ICCPR 2", ["CHL"]),
        ("Consider ratifying or acceding to: OP-CAT", ["FRA", "NLD"]),
        ("Consider ratifying or acceding to: ICRMW", ["CHL", "AZE", "MEX"]),
        ("Consider ratifying or acceding to: other core international treaties to which it is not a party", ["SVN"]),
    ]


def test_cycle_1_commentary_items_are_not_recommendations(parsed_reports):
    parsed = parsed_reports("burundi2009.pdf")
    # 82.1 "With regard to recommendations concerning special procedures included under paragraphs 26 (e)
    # (Czech Republic), 29 (Latvia) ..." names who made dialogue recommendations; they are read from the
    # dialogue instead, with the response of the sentence that lists them.
    assert not [r for r in parsed.recommendations if r.paragraph.startswith(("82.", "83."))]
    recs = {r.paragraph: r for r in parsed.recommendations}
    assert recs["64(d)"].recommending_states == ["CHL"] and recs["64(d)"].response == "noted"
    # "83. Burundi takes note of the recommendations reflected in paragraphs 23, 24 (b), ..."
    assert recs["32(b)"].recommending_states == ["ITA"] and recs["32(b)"].response == "noted"


def test_dialogue_references_listed_after_the_verb(parsed_reports):
    # UAE 2009: "... did not enjoy the support of the State: paragraphs 38(b); 53 (c) (d); ..."
    recs = {r.paragraph: r for r in parsed_reports("unitedarabemirates2009.pdf").recommendations}
    assert recs["38(b)"].recommending_states == ["GBR"] and recs["38(b)"].response == "noted"
    assert recs["38(b)"].text.startswith("Recommended further steps to eliminate racial discrimination")


def test_whole_dialogue_paragraph_expands_to_its_lettered_recommendations(parsed_reports):
    # China 2009: "... in paragraphs ..., 42, ... did not enjoy the support"; 42 is "(a) release ...; (b) ..."
    recs = {r.paragraph: r for r in parsed_reports("china2009.pdf").recommendations}
    assert recs["42(a)"].text == "Release a clear timetable for work towards ICCPR ratification"
    assert recs["42(c)"].recommending_states == ["GBR"] and recs["42(c)"].response == "noted"
    assert "42" not in recs
    # an abbreviation or an article's own letter does not end the item
    assert recs["82(h)"].text.endswith("death of Mr. Pema Tsepak in Chambo in January this year")
    assert recs["92(g)"].text.startswith("Lifting the current reservation to article 8.1(a) of the ICESCR")


def test_quoted_recommendation_footnotes_are_removed(parsed_reports):
    recs = {r.paragraph: r for r in parsed_reports("unitedstatesofamerica2011.pdf").recommendations}
    assert recs["92.79"].text.endswith("violates its rights by applying racial profiling, criminalizing "
                                       "undocumented immigration and violating the human and civil rights of persons")
    assert not any("as read during the interactive dialogue" in r.text
                   for r in parsed_reports("unitedstatesofamerica2011.pdf").recommendations)
    assert repair.remove_quoted_footnotes(
        "violates its\n The original recommendation as read during the interactive dialogue: “End the\nblockade.”\n"
        "rights (Guatemala);") == "violates its\nrights (Guatemala);"


ADDENDUM_PAGE_ONE = """United Nations A/HRC/33/9/Add.1
General Assembly Distr.: General
Report of the Working Group on the Universal Periodic Review
Hungary
Addendum
Views on conclusions and/or recommendations, voluntary
commitments and replies presented by the State under review
"""


@pytest.mark.parametrize(
    "body",
    [
        # the response in the lead-in
        "1. Hungary supports the following recommendations: 128.1, 128.3–128.5.\n"
        "2. Hungary partially supports recommendations 128.2 and 128.6. It supports the ratification\n"
        "of the Convention but is not in a position to make the declaration under article 14.\n"
        "3. Hungary notes recommendations 128.7, 128.8.\n",
        # headings, and the response after the references
        "I. Recommendations supported\n1. Recommendations 128.1, 128.3-128.5.\n"
        "II. Recommendations partially supported\n1. Recommendations 128.2 and 128.6 are partially supported.\n"
        "III. Recommendations noted\n2. Recommendations 128.7-128.8.\n",
    ],
)
def test_addendum_partial_support(body):
    parsed = parse_pdf_pages([ADDENDUM_PAGE_ONE, body])
    assert (parsed.kind, parsed.state_under_review, parsed.report_symbol) == (
        "responses_addendum", "HUN", "A/HRC/33/9")
    responses = {r.paragraph: r.response for r in parsed.recommendations}
    assert responses == {
        "128.1": "supported", "128.3": "supported", "128.4": "supported", "128.5": "supported",
        "128.2": "partially supported", "128.6": "partially supported", "128.7": "noted", "128.8": "noted",
    }


def test_addendum_partial_support_keeps_the_explanation():
    parsed = parse_pdf_pages([ADDENDUM_PAGE_ONE, (
        "I. Recommendations partially supported\n1. Recommendations 128.2 and 128.6 are partially supported.\n"
        "128.2\nHungary supports the ratification of the Convention but is not in a position to make the\n"
        "declaration under article 14.\n")])
    recs = {r.paragraph: r for r in parsed.recommendations}
    assert recs["128.2"].response == recs["128.6"].response == "partially supported"
    assert recs["128.2"].explanation.startswith("Hungary supports the ratification of the Convention but is not")


def test_closing_object_shared_by_slash_alternatives():
    # Slovenia 2010 (A/HRC/14/15), 111.1
    parts = split_recommendations(
        "To examine the possibility of joining (Algeria)/consider the ratification (Argentina)/ratify (Bosnia and "
        "Herzegovina)/sign and ratify (Egypt) of the Convention on Migrant Workers and Members of Their Families "
        "(Algeria, Egypt, Bosnia and Herzegovina, Argentina);")
    assert parts == [
        ("Examine the possibility of joining the Convention on Migrant Workers and Members of Their Families", ["DZA"]),
        ("Consider the ratification of the Convention on Migrant Workers and Members of Their Families", ["ARG"]),
        ("Ratify the Convention on Migrant Workers and Members of Their Families", ["BIH"]),
        ("Sign and ratify the Convention on Migrant Workers and Members of Their Families", ["EGY"]),
    ]


def test_every_recommendation_of_a_referenced_dialogue_paragraph(parsed_reports):
    # Algeria 2008, 70: "Other recommendations noted in the report in paragraphs 45, ... did not enjoy the
    # support"; paragraph 45 is Canada's statement with three "recommended" sentences.
    texts = [r.text for r in parsed_reports("algeria2008.pdf").recommendations if r.paragraph == "45"]
    assert texts[0].startswith("Review its Family Code to remedy provisions")
    assert texts[1] == "Lift its reservations to CEDAW"
    assert texts[2].startswith("Review the Charter in line with the recommendations of the Human Rights Committee")
    assert {tuple(r.recommending_states) for r in parsed_reports("algeria2008.pdf").recommendations
            if r.paragraph == "45"} == {("CAN",)}
    assert repair.strip_page_furniture(["do more\n Page 12\nto promote"]) == "do more\nto promote"


# --- formats handled for the strict accuracy measure (issue 4, second pass) -----------------------


def test_instrument_list_after_a_treaty_verb_is_one_recommendation_per_item(parsed_reports):
    # Burundi 2009, 80.3: each instrument is a recommendation of the states named after it.
    assert split_recommendations(
        "Consider ratifying the Optional Protocol to the Convention on the Elimination\nof All Forms of "
        "Discrimination against Women (Brazil), the Optional Protocol\nto the Convention against Torture (Brazil, "
        "Djibouti, Czech Republic, Mexico)\nand establish an effective national preventive mechanism in "
        "compliance with it\n(Czech Republic);") == [
        ("Consider ratifying the Optional Protocol to the Convention on the Elimination\nof All Forms of "
         "Discrimination against Women", ["BRA"]),
        ("Consider ratifying the Optional Protocol\nto the Convention against Torture", ["BRA", "DJI", "MEX"]),
        ("Consider ratifying the Optional Protocol\nto the Convention against Torture and establish an effective "
         "national preventive mechanism in compliance with it", ["CZE"]),
    ]
    by_state = texts_by_state(parsed_reports("burundi2009.pdf"), "80.3")
    assert sorted(by_state["BRA"]) == [
        "Consider ratifying the Optional Protocol to the Convention against Torture",
        "Consider ratifying the Optional Protocol to the Convention on the Elimination of All Forms of "
        "Discrimination against Women"]
    # A lower-case continuation after "the" still extends the sentence.
    assert split_recommendations("Ratify the Rome Statute (Chile), the provisions of which bind it (Chile)") == [
        ("Ratify the Rome Statute, the provisions of which bind it", ["CHL"])]


def test_closing_phrase_shared_by_several_recommendations(parsed_reports):
    # Mexico 2009, 93.65: "extreme poverty" completes both verbs, for the states that made each.
    assert split_recommendations("Combat (Algeria, Honduras) and continue efforts to eradicate (Holy See) extreme\n"
                                 "poverty (Algeria, Holy See, Honduras).") == [
        ("Combat extreme\npoverty", ["DZA", "HND"]), ("Continue efforts to eradicate extreme\npoverty", ["VAT"])]
    # Cuba 2013, 170.168 (slash form): each state's pieces, in order, make its recommendation.
    assert texts_by_state(parsed_reports("cuba2013.pdf"), "170.168") == {
        "UGA": ["Further increase popular participation in elections and decision making procedures"],
        "IRN": ["Continue to expand in electoral and decision making procedures"],
    }


def test_noun_phrase_by_the_same_state_extends_its_recommendation():
    # Viet Nam 2009, 99.29 and 99.87; a verb after a comma by the same state starts anew (Bangladesh 2009, 94.36).
    assert split_recommendations(
        "Continue to make further efforts to advance the human rights of socially\nvulnerable people, including "
        "persons with disabilities (Democratic\nPeople’s Republic of Korea) (Japan) ethnic minorities, women, "
        "children (Japan);") == [
        ("Continue to make further efforts to advance the human rights of socially\nvulnerable people, including "
         "persons with disabilities", ["PRK"]),
        ("Continue to make further efforts to advance the human rights of socially\nvulnerable people, including "
         "persons with disabilities ethnic minorities, women, children", ["JPN"]),
    ]
    assert split_recommendations("Seek help to counter all challenges (Sudan), seek the help of the international "
                                 "community through programmes (Sudan);") == [
        ("Seek help to counter all challenges", ["SDN"]),
        ("Seek the help of the international community through programmes", ["SDN"])]


def test_dialogue_recommendations_in_nominal_form_keep_the_verb(parsed_reports):
    recs = {r.paragraph: r for r in parsed_reports("unitedarabemirates2009.pdf").recommendations}
    # "Slovenia recommended (b) putting in place ... and (c) the legislative sanctioning of marital rape"
    assert recs["74(c)"].text == "Recommended the legislative sanctioning of marital rape"
    assert recs["74(c)"].recommending_states == ["SVN"]
    # "... (b) a moratorium on executions ...; and encouraged the Government": the report's verb is not in it
    assert recs["73(b)"].text.endswith("General Assembly resolution 62/149")
    # "recommended that Burundi: ... (b) that the Government develop a strategy ..."
    burundi = {r.paragraph: r for r in parsed_reports("burundi2009.pdf").recommendations}
    assert burundi["31(b)"].text == "Develop a strategy for preventing and combating all forms of violence against women"


def test_inverted_state_name_in_lower_case(parsed_reports):
    assert split_recommendations("Establish an effective system (Iran (Islamic republic of));") == [
        ("Establish an effective system", ["IRN"])]
    assert texts_by_state(parsed_reports("chile2014.pdf"), "121.74") == {
        "IRN": ["Review and reform the criminal code in order to define and penalize the offence of torture"]}


def test_verbs_in_a_row_share_the_closing_object():
    # Côte d'Ivoire 2014, 127.14
    assert split_recommendations(
        "Sign (Portugal) ratify (France, Portugal, Tunisia) and accede to the\nInternational Convention for the "
        "Protection of All Persons from Enforced\nDisappearance as soon as possible (Uruguay);") == [
        ("Sign the International Convention for the Protection of All Persons from Enforced Disappearance as soon "
         "as possible", ["PRT"]),
        ("Ratify the International Convention for the Protection of All Persons from Enforced Disappearance as "
         "soon as possible", ["FRA", "PRT", "TUN"]),
        ("Accede to the\nInternational Convention for the Protection of All Persons from Enforced\nDisappearance as "
         "soon as possible", ["URY"]),
    ]


def test_state_joining_at_and_verb_made_only_that_recommendation():
    # Cuba 2013, 170.139 (with the report's stray comma inside the parenthesis)
    assert split_recommendations(
        "Implement legal safeguards for human rights\ndefenders (Czech Republic) and release all political "
        "prisoners (Belgium,\nCzech Republic, Slovenia,);") == [
        ("Implement legal safeguards for human rights\ndefenders and release all political prisoners", ["CZE"]),
        ("Release all political prisoners", ["BEL", "SVN"]),
    ]


def test_oxford_comma_purpose_clause_and_bare_verb_joined(parsed_reports):
    # Equatorial Guinea 2010, 71.2: "and" before the last state, a capitalised participle after a
    # parenthesis, and a verb left without its object joining the same state's next recommendation.
    parts = dict((tuple(codes), text) for text, codes in split_recommendations(
        "Accede to (Slovenia)/sign (Sweden) and ratify the Second Optional\nProtocol to the International Covenant "
        "on Civil and Political Rights (Chile,\nSlovenia, Sweden, Argentina, Spain, and France), Aiming at the "
        "Abolition of\nthe Death Penalty (Slovenia, Argentina, France, and Sweden) in all\ncircumstances (France) ;)"))
    assert parts[("SVN",)].startswith("Accede to and ratify the Second Optional\nProtocol")
    assert parts[("SWE",)].startswith("Sign and ratify the Second Optional")
    assert parts[("CHL", "ESP")] == ("Ratify the Second Optional\nProtocol to the International Covenant on Civil "
                                     "and Political Rights")
    assert parts[("FRA",)].endswith("Aiming at the Abolition of\nthe Death Penalty in all\ncircumstances")
    assert "(" not in "".join(t for t, _ in split_recommendations("Do it (Chile, Spain, and France);"))
    # Côte d'Ivoire 2014, 127.9: a purpose clause extends the recommendation for the states named after it.
    assert split_recommendations("Ratify ICCPR-OP 2 (Rwanda) to abolish death penalty (France,\nMontenegro);") == [
        ("Ratify ICCPR-OP 2", ["RWA"]), ("Ratify ICCPR-OP 2 to abolish death penalty", ["FRA", "MNE"])]
    by_state = texts_by_state(parsed_reports("equatorialguinea2010.pdf"), "71.2")
    assert by_state["SVN"][0].startswith("Accede to and ratify the Second Optional Protocol")


def test_numbered_items_of_one_recommendation_are_separate(parsed_reports):
    # Japan 2008, 60.13: "(i) Work more systematically ..., (ii) review ..., (iii) ... and (iv) ... (Belgium)"
    by_state = texts_by_state(parsed_reports("japan2008.pdf"), "60.13")
    assert by_state["BEL"][:3] == [
        "Work more systematically and intensively to bring the risk of forced confession to the attention of "
        "the police", "Review interrogation monitoring procedures", "Reexamine the use of prolonged police detention"]
    assert by_state["BEL"][3].startswith("Review the Criminal Code to ensure its conformity with article 15")
    # an article's own "(i)" later in a sentence is not a list
    assert len(split_recommendations("Amend article 4 (i) and article 5 (ii) of the Code (Chile)")) == 1


def test_alternative_verbs_before_a_shared_object(parsed_reports):
    # Slovenia 2010 (A/HRC/14/15), 111.2: the object comes once, after both verbs; the bundled data has it.
    assert texts_by_state(parsed_reports("slovenia2010.pdf"), "111.2") == {
        "ESP": ["Ratify the International Convention for the Protection of All Persons from Enforced Disappearance"],
        "ARG": ["Consider the possibility of ratifying the International Convention for the Protection of All Persons "
                "from Enforced Disappearance and of accepting the jurisdiction of the competent committee"],
    }


def test_quoted_footnotes_with_their_state_or_without_quotes_are_removed(parsed_reports):
    # Spain 2010: the quote, its state and the next footnote's number; Uruguay 2014: no quote marks at all.
    text = ("(Slovenia);\n The recommendation as read during the interactive dialogue: “Review incommunicado "
            "detention\nregime” (Costa Rica). 4\n The recommendation as read during the interactive dialogue: "
            "ratify the ILO Convention No. 169\nwithin a reasonable timeframe (Gabon). 5\n"
            " The recommendation as read during the interactive dialogue: continue the efforts (Venezuela "
            "(Bolivarian Republic of)).\n85.27. Take all")
    assert repair.remove_quoted_footnotes(text) == "(Slovenia);\n85.27. Take all"
    assert repair.is_page_furniture(" ** The conclusions and recommendations have not been edited. 3")
    for name in ("spain2010.pdf", "uruguay2014.pdf"):
        assert not [r.text for r in parsed_reports(name).recommendations if "as read during" in r.text]


def test_word_alternatives_are_distributed_over_the_two_states(parsed_reports):
    # Mexico 2009, 93.27 / 94.6: "prevent/prohibit the use of torture / ill-treatment (Japan, Uzbekistan)"
    assert split_recommendations("Take the necessary measures to prevent/prohibit the use of torture / "
                                 "ill-treatment (Japan, Uzbekistan)") == [
        ("Take the necessary measures to prevent the use of torture", ["JPN"]),
        ("Take the necessary measures to prohibit the use of ill-treatment", ["UZB"])]
    # acronyms, numbers and "and/or" are not alternatives; one state keeps the sentence as written
    assert split_recommendations("Fight HIV/AIDS and/or apply resolution 62/149 (Japan, Chile)") == [
        ("Fight HIV/AIDS and/or apply resolution 62/149", ["JPN", "CHL"])]
    assert split_recommendations("Strengthen efforts / programmes (Brazil)") == [
        ("Strengthen efforts / programmes", ["BRA"])]
    assert texts_by_state(parsed_reports("mexico2009.pdf"), "93.66")["BRA"][0].startswith(
        "Strengthen efforts to fight against poverty")


def test_leading_verb_alternatives_one_per_state():
    # China 2009, 114.1: "Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)"
    assert split_recommendations("Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, "
                                 "Brazil, Austria)") == [
        ("Analyse the possibility of ratifying ICCPR", ["ARG"]), ("Consider ratifying ICCPR", ["BRA"]),
        ("Ratify ICCPR", ["AUT"])]
    # as many alternatives as states, or the sentence stays whole
    assert split_recommendations("Consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)") == [
        ("Consider ratifying/ratify ICCPR", ["ARG", "BRA", "AUT"])]


def test_acronym_in_parentheses_is_not_a_state(parsed_reports):
    # Myanmar 2011, 107.61: "the National League for Democracy (NLD) and to begin a dialogue ... (United States)"
    assert lookup_state("NLD") is None and lookup_state("MDG") is None and lookup_state("USA") == "USA"
    by_state = texts_by_state(parsed_reports("myanmar2011.pdf"), "107.61")
    assert set(by_state) == {"USA"}
    assert by_state["USA"][0].startswith("Recognize the pre-election registration status of the National League "
                                         "for Democracy (NLD) and")


def test_dialogue_speaker_named_before_recommended(parsed_reports):
    # Viet Nam 2009, 63: "Asking whether Viet Nam would accept a visit ..., Finland recommended (a) allowing ..."
    recs = {r.paragraph: r for r in parsed_reports("vietnam2009.pdf").recommendations}
    assert recs["63(a)"].recommending_states == ["FIN"] and recs["63(a)"].response == "noted"
    assert recs["63(a)"].text == "Allowing media to take their watchdog role in society"
    assert recs["63(d)"].text.startswith("Imposing a moratorium on executions immediately")


def test_letters_pointing_at_a_paragraph_without_letters_take_its_sentences_in_order(parsed_reports):
    # Burundi 2009: "paragraphs ... 33 (a), (b)"; paragraph 33 (Denmark) has two "recommended" sentences
    recs = {r.paragraph: r for r in parsed_reports("burundi2009.pdf").recommendations}
    assert recs["33(a)"].recommending_states == ["DNK"]
    assert recs["33(a)"].text.startswith("All reports of rape and sexual violence by law enforcement officials")
    assert recs["33(b)"].text.startswith("The practice of torture and other ill-treatment by law enforcement")
