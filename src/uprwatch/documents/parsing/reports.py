"""Working Group reports: the "Conclusions and/or recommendations" section, paragraph by paragraph."""

from __future__ import annotations

import re
from collections import Counter

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing.dialogue import referenced_dialogue_recommendations, response_of_intro
from uprwatch.documents.parsing.front import session_and_dates, state_as_given, title_state
from uprwatch.documents.parsing.parsed import ParsedDocument, ParsedRecommendation
from uprwatch.documents.parsing.splitter import split_recommendations, unresolved_state
from uprwatch.documents.parsing.states import lookup_state
from uprwatch.documents.similarity import normalise_text
from uprwatch.records.states import UnknownStateError

# The section heading on a line of its own, in any case, "and/or" or "and" (the contents page may say one
# and the heading the other), with or without a footnote mark ("recommendations**", "recommendations 2").
_SECTION = re.compile(r"^[ \t]*(?:[IVX]+\.[ \t]*)?Conclusions\s+and(?:\s*/\s*or)?\s+recommendations[ \t]*"
                      r"(?:[*∗†‡]+|\d{1,2})?[ \t]*$", re.I | re.M)
# Failing that, a heading run into its first paragraph; never a contents line ("....") or a footnote about editing.
_SECTION_RUN_ON = re.compile(r"^[ \t]*(?:[IVX]+\.[ \t]*)?Conclusions\s+and(?:\s*/\s*or)?\s+recommendations"
                             r"(?![^\n]*(?:\.{4}|edited|issued))", re.I | re.M)
_END = re.compile(r"^\s*\d{2,3}\.\s+All\s+(?:the\s+)?conclusions\s+and(?:\s*/\s*or)?\s+recommendations",
                  re.I | re.M)
_ANNEX = re.compile(r"^\s*Annex\s*$", re.M)
_LINE_ITEM = re.compile(r"^[ \t]*(\d{1,3})\.(?:(\d{1,3})\.?)?[ \t]+(?=\S)", re.M)


def recommendations_section(text: str) -> str:
    heads = list(_SECTION.finditer(text)) or list(_SECTION_RUN_ON.finditer(text))
    if not heads:
        raise DocumentError("no 'Conclusions and/or recommendations' section found in the report")
    body = text[heads[-1].end():]
    for pattern in (_END, _ANNEX):
        if end := pattern.search(body):
            body = body[: end.start()]
    return body


# Where a report names its State under Review when page 1 does not: "The review of Chile was held",
# "to facilitate the review of Chile:", "The delegation of Chile was headed by".
_SUR_SENTENCES = (
    re.compile(r"The review of (.{3,80}?) was held"),
    re.compile(r"facilitate the review of (.{3,80}?)\s*[:;.(]"),
    re.compile(r"The delegation of (.{3,80}?) was headed"),
)


def state_under_review_name(flat: str, page_one: str) -> str | None:
    for pattern in _SUR_SENTENCES[:1]:
        if found := pattern.search(flat):
            return found.group(1)
    if named := title_state(page_one):
        return named
    for pattern in _SUR_SENTENCES[1:]:
        if found := pattern.search(flat):
            return found.group(1)
    return None


def parse_working_group_report(pages: list[str], symbol: str, page_one: str, draft: bool = False,
                               session: int | None = None, state: str | None = None) -> ParsedDocument:
    """A Working Group report, or its draft (``draft``: A/HRC/WG.6/<session>/L.<n>, positions pending)."""
    full = repair.remove_quoted_footnotes(repair.normalise_characters(repair.strip_page_furniture(pages)))
    flat = re.sub(r"\s+", " ", full)
    sur_name = state_under_review_name(flat, page_one)
    if not sur_name and not state:
        raise DocumentError(f"{symbol}: the State under Review is not named in the report (looked for 'The review "
                            "of <State> was held' and the line after the report title): give it with --state")
    sur, state_source = state_as_given(sur_name, state)
    found_session, dates = session_and_dates(flat[:6000])
    session = found_session or session
    section = recommendations_section(full)
    words = repair.vocabulary(full)
    elsewhere = paragraphs_addressed_elsewhere(section, sur)
    recommendations = [r for r in _report_items(section, words) if r.paragraph.split(".")[0] not in elsewhere]
    # The dialogue paragraph a reference points to may hold recommendations the section also lists.
    listed = {(normalise_text(r.text), tuple(r.recommending_states)) for r in recommendations}
    for rec in referenced_dialogue_recommendations(full, section, words, sur):
        key = (normalise_text(rec.text), tuple(rec.recommending_states))
        if key not in listed:  # also once only when two sentences point to the same paragraph
            listed.add(key)
            recommendations.append(rec)
    if not recommendations:
        raise DocumentError(f"{symbol}: no recommendations found in the 'Conclusions and/or recommendations' section")
    if draft:  # a draft gives no positions: the state answers in the addendum to the final report
        for rec in recommendations:
            rec.response = rec.response or "pending"
    return ParsedDocument(
        symbol=symbol, kind="working_group_report", state_under_review=sur, session=session, dates=dates,
        recommendations=recommendations, state_source=state_source,
        title=("Draft report" if draft else "Report") + " of the Working Group on the Universal Periodic Review",
    )


# A paragraph that points to recommendations elsewhere rather than making one: "The recommendations in
# paragraphs 27 (b) ... (Canada) did not enjoy the support".
_REFERENCE_LEAD = re.compile(r"\bparagraphs?\s+\d|\bcontained in\b|\breflected in\b", re.I)


def _report_items(section: str, words: Counter) -> list[ParsedRecommendation]:
    """Walk the numbered lines of the section: top paragraphs (with their lead-in) and items."""
    items: list[tuple[str, str, str | None, bool]] = []  # (paragraph, raw text, response, implemented)
    top: int | None = None
    last_sub = 0
    response: tuple[str | None, bool] = (None, False)
    carried = 0
    marks = []
    for match in _LINE_ITEM.finditer(section):
        first, sub = int(match.group(1)), match.group(2)
        if sub is not None:
            if top is None or first == top + 1 and int(sub) == 1:
                top, last_sub = first, 0
            if first != top or not (last_sub < int(sub) <= last_sub + 5):
                continue
            marks.append((match, f"{first}.{sub}", "item"))
            last_sub = int(sub)
        elif top is None or (first == top + 1 and (first != last_sub + 1 or re.match(
                r"\s*(?:The|All|In|These|Those|Other|Recommendations|Slovenia|"
                r"[A-Z][\w’' -]{0,40}? (?:accepts|accepted|supports|supported|considers|considered|takes note|took note|"
                r"notes|noted|rejects|rejected|does not|did not) (?:the|these|those|that|all|of|to|following)\b)",
                section[match.end():match.end() + 80]))):
            # The next paragraph number: a paragraph of its own, unless it is also the next item's
            # number; then only a lead-in's opening words make it a paragraph.
            top, carried, last_sub = first, last_sub, 0
            marks.append((match, str(first), "top"))
        elif last_sub < first <= last_sub + 5 or (last_sub == 0 and carried and first == carried + 1):
            # "recommendations spread over several paragraphs": the items of a list may go on numbering
            # after a paragraph that interrupts them
            marks.append((match, f"{top}.{first}", "item"))
            last_sub = first
    for index, (match, paragraph, role) in enumerate(marks):
        end = marks[index + 1][0].start() if index + 1 < len(marks) else len(section)
        body = section[match.end():end]
        if role == "top":
            # The lead-in ends at its colon. A paragraph with no items after it is an observation ("The
            # Working Group noted ...", as the earliest reports open the section) unless it names the
            # states that made it: then it is a recommendation itself (some reports number each one).
            lead, colon, rest = body.partition(":")
            has_items = index + 1 < len(marks) and marks[index + 1][2] == "item"
            if not has_items and re.match(r"\s*The\s+recommendations\s+(?:listed|contained|mentioned)\s+above\b", body) and (
                    after := response_of_intro(body))[0]:
                # "69. The recommendations listed above enjoy the support of Ghana.": the position comes
                # after the list it answers (first-session reports), for the items still without one
                items = [(item[0], item[1], *after) if item[2] is None and "." in item[0] else item for item in items]
                continue
            if has_items:
                response = response_of_intro(lead)
                continue
            own = rest if colon and len(lead) < 400 and response_of_intro(lead)[0] else body
            if any(codes for _, codes in split_recommendations(repair.remove_footnote_marks(own))) and not (
                    _REFERENCE_LEAD.search(lead)):
                items.append((paragraph, own, *(response_of_intro(lead) if own is rest else response)))
            continue
        items.append((paragraph, body, *response))
    recommendations = []
    for paragraph, body, response_value, implemented in items:
        if answered := _answered_by_name(body):
            # "With regard to the recommendation of Switzerland reflected in paragraph 35 above, Bahrain can
            # conduct wide consultations ...": the state that made it is named in words, not in parentheses
            text, code = answered
            recommendations.append(ParsedRecommendation(
                paragraph=paragraph, text=repair.clean_text(text, words), recommending_states=[code],
                response=response_value, already_implemented=implemented,
            ))
            continue
        if _is_commentary(body):
            continue
        text = repair.remove_footnote_marks(body)
        segments = split_recommendations(text)
        if not any(codes for _, codes in segments):
            unknown = unresolved_state(re.sub(r"\s+", " ", text))
            if unknown:
                raise DocumentError(f"paragraph {paragraph}: recommending state cannot be resolved: "
                                    f"{UnknownStateError(unknown)}")
        for segment, codes in segments:
            recommendations.append(ParsedRecommendation(
                paragraph=paragraph, text=repair.clean_text(segment, words), recommending_states=codes,
                response=response_value, already_implemented=implemented,
            ))
    return recommendations


_ADDRESSED_TO = re.compile(r"recommendations\s+(?:put\s+forward|addressed|made)\s+to\s+(.{3,120}?)\s*(?:,|\bhave\b|\bwere\b|\bare\b|$)",
                           re.I | re.S)


def paragraphs_addressed_elsewhere(section: str, sur: str) -> set[str]:
    """Top paragraphs whose lead-in gives recommendations made to another state.

    "85. ... recommendations put forward to South Sudan, have been clustered as follows" in Sudan's
    2011 report: those are not recommendations to the State under Review ("84. ... put forward to Sudan
    and South Sudan or to the parties of the CPA" names Sudan, so those stay).
    """
    found = set()
    for match in _ADDRESSED_TO.finditer(section):
        number = re.findall(r"(?m)^[ \t]*(\d{1,3})\.[ \t]+(?=\D)", section[: match.start()])
        named = [lookup_state(re.sub(r"^the\s+", "", part.strip()))
                 for part in re.split(r",|\band\b|\bor\b", re.sub(r"\s+", " ", match.group(1)))]
        named = [code for code in named if code]
        if number and named and sur not in named:
            found.add(number[-1])
    return found


_ANSWERED_BY_NAME = re.compile(
    r"\s*(?:With\s+regard\s+to|As\s+regards|Regarding|Concerning)\s+the\s+recommendation\s+(?:made\s+)?(?:of|by)\s+"
    r"(?:the\s+)?(?P<state>[A-Z][^,()]{1,60}?)\s+(?:reflected|contained|made|included|noted)\s+in\s+paragraph\s+\d{1,3}"
    r"(?:\s*\([a-z]\))?(?:\s+above)?\s*,\s*(?:[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3}|the\s+State(?:\s+under\s+review)?|it)\s+"
    r"(?:can|could|would|will|shall|should)\s+(?P<rest>[a-z].+)$", re.S)


def _answered_by_name(body: str) -> tuple[str, str] | None:
    """A cycle-1 item that answers one state's recommendation of the dialogue by naming that state and
    saying what the State under review will do: (the recommendation in the imperative, the state)."""
    match = _ANSWERED_BY_NAME.match(re.sub(r"\s+", " ", body))
    if not match or "(" in match.group("rest") or not (code := lookup_state(match.group("state"))):
        return None
    rest = match.group("rest").strip(" ;.")
    return rest[:1].upper() + rest[1:], code


_DIALOGUE_REFERENCE = re.compile(r"\bparagraphs?\s+(?:numbers?\s+)?\d{1,3}\s*(?:\([a-z]\)\s*)?\(")


def _is_commentary(body: str) -> bool:
    """An item of a cycle-1 list that comments on recommendations of the dialogue ("With regard to
    recommendations concerning torture, as included in paragraphs 26 (a) (Czech Republic), ..."):
    its parentheses name who made the referenced recommendations, not a recommendation of its own."""
    flat = re.sub(r"\s+", " ", body)
    if re.match(r"\s*(?:With regard to|As regards|Regarding|Concerning|The recommendations? (?:under|in|contained))", flat):
        return bool(re.search(r"\bparagraphs?\b", flat))
    return len(_DIALOGUE_REFERENCE.findall(flat)) >= 2
