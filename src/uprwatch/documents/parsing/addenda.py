"""The state's responses (A/HRC/x/y/Add.1, "Views on conclusions and/or recommendations")."""

from __future__ import annotations

import re

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing.front import state_as_given, title_state
from uprwatch.documents.parsing.parsed import ParsedDocument, ParsedRecommendation
from uprwatch.documents.references import parse_references

_REF_LINE = re.compile(
    r"^[ \t]*(?:Rec(?:ommendations?)?s?\.?[ \t]*)?((?:\d{1,3}\.)?\d{1,3}(?:[ \t]*(?:[-–—,]|and)[ \t]*(?:\d{1,3}\.)?\d{1,3})*)"
    r"[ \t]*(?:\n|(?=[A-Z]))", re.M,
)
_NUMBERED = re.compile(r"^[ \t]*(\d{1,3})\.[ \t]+(?=[A-Z])", re.M)
_CYCLE1_ITEM = re.compile(r"^[ \t]*((?:\d{1,3}\.,?[ \t]*)+)[ \t]*(?=[A-Z])", re.M)


def _category(text: str) -> tuple[str | None, bool]:
    """Response named by a heading or lead-in of an addendum ("accepts", "notes", "partially")."""
    low = re.sub(r"\s+", " ", text).lower()
    if "partial" in low:
        return "partially supported", False
    negative = re.search(r"\bnot(?:e|es|ed)\b|(?:does|do|can) ?not (?:accept|support)|reject", low)
    positive = re.search(r"\b(?:accepts?|supports?|accepted|supported|agrees?)\b", low)
    if negative and (not positive or negative.start() < positive.start()):
        return "noted", False
    if positive:
        implemented = re.search(r"already (?:been )?implemented|process of implementation|being implemented", low)
        return "supported", bool(implemented)
    return None, False


def parse_responses_addendum(pages: list[str], symbol: str, page_one: str, state: str | None = None) -> ParsedDocument:
    name = title_state(page_one)
    if not name and not state:
        raise DocumentError(f"{symbol}: the State under Review is not named on page 1: give it with --state")
    sur, state_source = state_as_given(name, state)
    body = repair.normalise_characters(repair.strip_page_furniture(pages[1:] if len(pages) > 1 else pages))
    responses: dict[str, ParsedRecommendation] = {}

    def record(refs: list[str], response: str | None, implemented: bool, explanation: str = "") -> None:
        for ref in refs:
            rec = responses.setdefault(ref, ParsedRecommendation(paragraph=ref, text=""))
            if response and (rec.response is None or not explanation):
                rec.response = response
            rec.already_implemented = rec.already_implemented or implemented
            if explanation:
                rec.explanation = (rec.explanation + "\n" + explanation).strip()

    # 1. Lists: a numbered paragraph (or heading + paragraph) that names a response and lists references.
    heading_category: tuple[str | None, bool] = (None, False)
    blocks = re.split(r"\n(?=[ \t]*(?:[IVX]+\.|\d{1,3}\.[ \t]+[A-Z]|[A-Z][a-z]+ recommendations))", "\n" + body)
    for block in blocks:
        flat = re.sub(r"\s+", " ", block).strip()
        if not flat:
            continue
        if (re.match(r"(?:[IVX]+\.\s*)?(?:[A-Z][\w ,/-]{0,60})?[Rr]ecommendations\b", flat) and len(flat) < 200
                and not re.search(r"\d+\.\d+", flat)):
            heading_category = _category(flat)
            continue
        lead = re.match(r"(?:\d{1,3}\.\s+)?(.{0,300}?)(?:[Rr]ecommendations?|Recs?\.|:)\s*:?\s*((?:\d{1,3}\.)?\d{1,3}(?:\s*(?:[-–—,.]|and)\s*(?:\d{1,3}\.)?\d{1,3})+\.?)", flat)
        if lead and len(lead.group(1)) < 300:
            category = _category(lead.group(1))
            if category[0] is None:  # "Recommendations 128.2 and 128.6 are partially supported."
                category = _category(re.split(r"[.:;]\s", flat[lead.end():lead.end() + 120] + " ")[0])
            if category[0] is None:
                category = heading_category
            if heading_category[1] and category[0] == "supported":
                category = ("supported", True)
            record(parse_references(lead.group(2)), *category)
    # 2. Explanations: a line of references alone (or "Rec. 18 ...") followed by the state's text.
    for ref_match, text in _explanation_blocks(body):
        refs = [r for r in parse_references(ref_match) if r in responses or "." in r or not responses]
        position, explanation = _stated_position(repair.join_lines(text))
        if refs and position:
            # a table row or a line giving the position itself: "140.7 Supported", "140.7 Ratify ...
            # (Maldives) Noted Slovenia has ...", "140.4, 140.9 Noted <the state's reasons>"
            record(refs, position[0], position[1] or bool(re.search(r"already", explanation[:200])), explanation)
        elif refs and explanation:
            record(refs, None, False, explanation)
    # 3. Cycle-1 style: each numbered paragraph answers the recommendation(s) of that number.
    if not responses:
        for refs, text in _cycle1_answers(body):
            response, implemented = _category(text[:300])
            if response:
                record(refs, response, implemented or bool(re.search(r"already", text[:200])), repair.join_lines(text))
    if not responses:
        raise DocumentError(f"{symbol}: no responses to recommendations found in the addendum")
    return ParsedDocument(
        symbol=symbol, kind="responses_addendum", state_under_review=sur, session=None, dates={},
        recommendations=list(responses.values()), report_symbol=symbol.split("/Add.")[0],
        title="Views on conclusions and/or recommendations", state_source=state_source,
    )


# A position stated in a table cell or after the references: the word alone, at the start of the block or
# right after the recommendation's closing state parenthesis.
_POSITION_WORD = re.compile(
    r"(?:^|\)\s*[;.]?\s+|\s{2,})(Partially\s+(?:supported|accepted)|Not\s+supported|Not\s+accepted|Supported|Accepted|"
    r"Noted|Rejected|Support|Accept|Note)\b\s*(?:[.:;,–—-]\s*)?(?=[A-Z(]|$)",
)


def _stated_position(text: str) -> tuple[tuple[str, bool] | None, str]:
    """(response, already implemented) stated at the head of a block, and the explanation after it."""
    found = _POSITION_WORD.search(text[:1500])
    if not found or (found.start() and not text[: found.start() + 1].rstrip().endswith(")")):
        return None, text
    word = re.sub(r"\s+", " ", found.group(1)).lower()
    response = ("partially supported" if word.startswith("partially") else "noted" if word.startswith(
        ("not ", "note", "reject")) else "supported")
    explanation = text[found.end():].strip()
    implemented = bool(re.search(r"already (?:been )?implemented|process of implementation|being implemented",
                                 explanation[:300].lower()))
    return (response, implemented), explanation


def _explanation_blocks(body: str) -> list[tuple[str, str]]:
    marks = [m for m in _REF_LINE.finditer(body) if "." in m.group(1) or re.match(r"\s*Rec", m.group(0))]
    blocks = []
    for index, match in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        text = body[match.end():end]
        text = re.split(r"\n[ \t]*(?:[IVX]+\.|\d{1,3}\.[ \t]+[A-Z])", text)[0]
        blocks.append((match.group(1), text.strip()))
    return blocks


def _cycle1_answers(body: str) -> list[tuple[list[str], str]]:
    marks = list(_CYCLE1_ITEM.finditer(body))
    answers = []
    for index, match in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        refs = re.findall(r"\d{1,3}", match.group(1))
        answers.append((refs, body[match.end():end]))
    return answers
