"""The interactive dialogue of cycle-1 reports: recommendations the conclusions point to by paragraph
("The recommendations noted in paragraphs 27 (b), (c), 31 ... did not enjoy the support"), read from
the dialogue paragraph whose words name the recommending state."""

from __future__ import annotations

import re
from collections import Counter

from uprwatch.documents import repair
from uprwatch.documents.parsing.parsed import ParsedRecommendation
from uprwatch.documents.parsing.splitter import OPENING_VERBS, REPORTED, imperative
from uprwatch.documents.parsing.states import lookup_state, states_named


def response_of_intro(intro: str) -> tuple[str | None, bool]:
    """The response a cycle-1/2 report's lead-in paragraph gives to the items under it."""
    text = re.sub(r"\s+", " ", intro).lower()
    if re.search(r"did not enjoy|do not enjoy|does not enjoy|not (?:be )?accepted|rejected|could not support|"
                 r"cannot support|can ?not accept|not supported|will not be", text):
        return "noted", False
    if re.search(r"already (?:being )?implemented|in the process of (?:being )?implement", text):
        return "supported", True
    if re.search(r"enjoy(?:s|ed)? the support|accepted|accepts|supports|supported|agree", text):
        return "supported", False
    if re.search(r"will be examined|will examine|will provide responses|in due time|further consider", text):
        return "pending", False
    if re.search(r"\bnoted?\b|took note|take note", text):
        return "noted", False
    return None, False


_REFERENCE_SENTENCE = re.compile(
    # "The recommendations noted in the present report at paragraphs 16 (c), 17 ... above did not enjoy",
    # "One recommendation noted in the report in paragraph 18 above (to put an end to ...) did not
    # enjoy", "The recommendation under paragraph 64 (d) (Chile) was not supported", "recommendations
    # contained in paragraphs 23(b) and (f), ... are neither ... and cannot accept them"
    r"recommendations?[^.]{0,80}?\b(?:in|at|under)\s+paragraphs?\s*:?\s+([^.]{1,800}?)(?:above\s*,?\s+)?"
    # "Other recommendations noted in the report in paragraphs 16, 20 ... and 54 above, will be examined by
    # Ghana which will provide responses, if any, in due time" (first-session reports): pending
    r"(did\s+not\s+enjoy|enjoys?\s+the\s+support|(?:was|were|is|are)\s+(?:not\s+)?(?:accepted|supported|rejected)|"
    r"will\s+be\s+examined|can\s*not\s+accept|could\s+not\s+accept)"
    # the list after the verb: "... did not enjoy the support of the State: paragraphs 38(b); 53 (c) (d)"
    r"|recommendations[^.:]{0,80}?(did\s+not\s+enjoy|enjoys?\s+the\s+support|(?:were|are)\s+(?:not\s+)?"
    r"(?:accepted|supported|rejected))[^.:]{0,80}:\s*paragraphs?\s+([^.]{1,800})"
    # "Burundi takes note of the recommendations reflected in paragraphs 23, 24 (b), ..."
    r"|(takes?\s+note)\s+of\s+the\s+recommendations[^.]{0,40}?\bin\s+paragraphs?\s+([^.:]{1,800}?)(?=,?\s+and\s+[a-z]|[.:])",
    re.I | re.S,
)


def dialogue_references(text: str) -> list[tuple[str, str | None]]:
    """"27 (b), (c), 28 (a), 31" -> [("27", "b"), ("27", "c"), ("28", "a"), ("31", None)]."""
    found: list[tuple[str, str | None]] = []
    current: str | None = None
    lettered = False
    for match in re.finditer(r"(\d{1,3})|\(([a-z]{1,2})\)", text):
        number, letter = match.groups()
        if number:
            if current and not lettered:
                found.append((current, None))
            current, lettered = number, False
        elif current:
            found.append((current, letter))
            lettered = True
    if current and not lettered:
        found.append((current, None))
    return found


def referenced_dialogue_recommendations(full: str, section: str, words: Counter,
                                         sur: str | None = None) -> list[ParsedRecommendation]:
    """Cycle-1 reports answer some recommendations by pointing into the interactive dialogue
    ("The recommendations noted in paragraphs 27 (b), (c), 31 ... did not enjoy the support"): read
    those from the dialogue paragraph, whose first words name the recommending state."""
    found: list[ParsedRecommendation] = []
    dialogue_end = full.find(section[:200]) if section else -1
    dialogue = full[: dialogue_end if dialogue_end > 0 else len(full)]
    paragraphs: dict[str, str] = {}
    marks = list(re.finditer(r"^[ \t]*(\d{1,3})\.[ \t]+(?=[A-Z])", dialogue, re.M))
    for index, match in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(dialogue)
        paragraphs.setdefault(match.group(1), dialogue[match.end():end])
    for sentence in _REFERENCE_SENTENCE.finditer(section):
        response, _ = response_of_intro(sentence.group(0) + " " + section[sentence.end():sentence.end() + 60])
        listed = sentence.group(1) or sentence.group(4) or sentence.group(6)
        references = dialogue_references(listed)
        if re.search(r"\((?:the|to)\s+\w+\s+\w+", listed) and sum(1 for _, letter in references if not letter) >= 2:
            # "One recommendation noted in paragraphs 10, 15, 25 and 39 (the ratification of ...)": one
            # recommendation that several paragraphs made among others; which of their sentences it is,
            # the reference does not say
            references = [(number, letter) for number, letter in references if letter]
        for number, letter in references:
            body = paragraphs.get(number)
            if not body:
                continue
            state = _paragraph_speaker(body, sur)
            # A whole paragraph referenced ("42") whose recommendations are lettered: each is one.
            letters = [letter] if letter else list(dict.fromkeys(re.findall(r"(?:\(|(?<![\w(]))([a-h])\)\s*(?=[a-z])", body)))
            if not letter and "a" not in letters:
                letters = []
            texts = [(f"{number}({item})", _lettered_item(body, item)) for item in letters] if letters else [
                (number, text) for text in _recommended_clauses(body)]
            if letter and not re.search(r"(?:\(|(?<![\w(]))a\)", body):
                # "33 (a), (b)" pointing at a paragraph without letters: its "recommended" sentences in order
                clauses = _recommended_clauses(body)
                position = ord(letter) - ord("a")
                texts = [(f"{number}({letter})", clauses[position] if position < len(clauses) else None)]
            for paragraph, text in texts:
                if state and text:
                    found.extend(ParsedRecommendation(
                        paragraph=paragraph, text=repair.clean_text(clause, words),
                        recommending_states=[state], response=response,
                    ) for clause in _semicolon_clauses(text))
    return found


def _semicolon_clauses(text: str) -> list[str]:
    """"Consider establishing a moratorium on death penalty; adopt specific legislation on domestic
    violence; and continue its cooperation with OHCHR": a semicolon before a verb that opens
    recommendations starts another one ("; until this happens", "; further steps" do not)."""
    clauses, start = [], 0
    for match in re.finditer(r";\s*(?:and\s+)?(?:to\s+)?([a-z]+)\b", text):
        if match.group(1) not in OPENING_VERBS:
            continue
        clauses.append(text[start:match.start()])
        start = match.start(1)
    clauses.append(text[start:])
    return [f"{c[:1].upper()}{c[1:]}".strip(" ;,") for c in clauses if len(c.strip(" ;,.")) > 3]


def _paragraph_speaker(body: str, sur: str | None = None) -> str | None:
    """The state a dialogue paragraph reports: its first words, or else the subject of its first
    "recommended" ("Asking whether Viet Nam would accept a visit ..., Finland recommended (a) ...")."""
    flat = re.sub(r"\s+", " ", body)
    words = flat.split(" ")[:8]
    for size in range(min(7, len(words)), 0, -1):
        if code := lookup_state(" ".join(words[:size])):
            return code
    if verb := re.search(r"\brecommended\b", flat):
        before = re.sub(r"\s+(?:also|further|then)$", "", flat[: verb.start()].rstrip(" ,")).split(" ")[-6:]
        for size in range(len(before), 0, -1):
            if code := lookup_state(" ".join(before[-size:])):
                return code
        # "While commending Viet Nam for ..., the United Kingdom remained concerned ... It recommended":
        # the state named before the pronoun that is not the State under Review.
        for code in states_named(flat[: verb.start()]):
            if code != sur:
                return code
    return None


_TREATY_WORDS = re.compile(r"\b(?:ratify|ratifying|ratification\s+of|accede\s+to|acceding\s+to|accession\s+to|"
                           r"adhere\s+to|adhering\s+to|sign|signing|become\s+(?:a\s+)?party\s+to)\s+(?:both\s+)?", re.I)


# A full stop that ends a sentence, not an abbreviation ("death of Mr. Pema Tsepak", "e.g. Ms. Tashi").
_SENTENCE_END = r"(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bDr)(?<!\bNo)(?<!\bSt)(?<!e\.g)(?<!i\.e)(?<!\bart)\.\s+(?=[A-Z])|\.$"


def _lettered_item(body: str, letter: str) -> str | None:
    flat = re.sub(r"\s+", " ", body)
    match = re.search(rf"(?:\(|(?<![\w(])){letter}\)\s*", flat)
    if not match:
        return None
    rest = flat[match.end():]
    end = re.search(rf"\(?(?<![\w(])[a-z]{{1,2}}\)\s*(?=[a-z])|(?<!\w)\([a-z]{{1,2}}\)|{_SENTENCE_END}", rest)
    text = rest[: end.start()] if end else rest
    # "...; and encouraged the Government" / ". It also asked ...": the report's own words after the item
    text = re.sub(rf"[;,]\s*(?:and\s+)?(?:it\s+)?(?:also\s+)?{REPORTED}\b.*$", "", text.strip())
    text = re.sub(r"[;,]?\s*(?:and|as well as)?(?:\s+also)?\s*$", "", text.strip())
    # "(c) the abolishment of the death penalty ..., and that Burkina Faso (d) consider ratifying": the
    # subject of the next item's clause is not part of this one
    text = re.sub(r"[;,]?\s+and\s+that\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3}$", "", text)
    if not text:
        return None
    if re.search(r"\bthat$", flat[: match.start()].rstrip()) and (clause := imperative(f"that {text}")) != f"that {text}":
        # "It recommended that (c) Tonga consider repealing ...": the letter sits between "that" and its
        # subject, so the item is a clause ("Consider repealing"), not an instrument alone
        return clause
    if letter > "a" and re.match(r"(?:the\s|[A-Z])", text) and not text.startswith("Recommended"):
        # "(c) consider the ratification of the Convention ... and (d) the Optional Protocol to CAT",
        # "to adhere to both the (b) Rome Statute of the ICC and (c) the OP-CAT": an instrument alone
        # takes the treaty verb of the item before it.
        if re.search(r"\bthe$", flat[: match.start()].rstrip()) and not text.startswith("the "):
            text = "the " + text
        previous = (_lettered_item(body, chr(ord(letter) - 1)) if len(letter) == 1 else None) or ""
        verbs = list(_TREATY_WORDS.finditer(previous))
        if verbs:
            lead = re.sub(r"both\s+$", "", previous[: verbs[-1].end()])
            lead = re.split(r"\band\s+(?:to\s+)?(?=\w)", lead)[-1]
            text = f"{lead[:1].upper()}{lead[1:]}{text}"
    first = re.search(r"(?:\(|(?<![\w(]))a\)\s*", flat)
    if first and re.search(r"\bconsider:?$", flat[: first.start()].rstrip(), re.I) and not re.match(
            r"consider", text, re.I):
        text = "consider " + text  # "that it consider (a) ratifying CAT and (b) ...": each item is considered
    sentence = re.split(r"\.\s+(?=[A-Z])", flat[: match.start()])[-1]
    verbs = re.findall(r"\brecommend(?:ed|s)\s+(\w*)", sentence)
    if (not verbs or verbs[-1] not in ("that", "to")) and _nominal(text):
        return "Recommended " + text  # "Slovenia recommended (b) putting in place ... and (c) the ..."
    text = imperative(text)  # "recommended that Burundi: (b) that the Government develop ..."
    return text[:1].upper() + text[1:]


# A recommendation written as a noun phrase ("the legislative sanctioning of marital rape", "further
# cooperation with special procedures") keeps the speaker's verb ("Recommended the ..."), as UPR Info
# does, so it still reads as a recommendation. A gerund ("inviting and facilitating the visit") is left
# as it is: UPR Info words those either way.
_NOMINAL_START = frozenset("the a an further greater more increased its their".split())


def _nominal(text: str) -> bool:
    return text.split(" ", 1)[0].lower() in _NOMINAL_START


def _recommended_clauses(body: str) -> list[str]:
    """Each sentence of a dialogue paragraph that says what the speaker recommended ("Canada recommended
    that Algeria review its Family Code ... It also recommended that Algeria lift its reservations")."""
    flat = re.sub(r"\s+", " ", body)
    found = []
    for match in re.finditer(r"\brecommend(?:ed|s)\b", flat):
        rest = flat[match.start():]
        end = re.search(_SENTENCE_END, rest)
        sentence = (rest[: end.start()] if end else rest).strip(" ;,")
        # "recommended Ghana to pass the Bill and requested further information": the speaker's next verb
        # ends the recommendation
        sentence = _SPEAKER_NEXT.split(sentence, maxsplit=1)[0]
        # "recommended Ghana to implement ..., and that Ghana's Criminal Code be amended": two recommendations
        first, *others = _AND_THAT.split(sentence)
        found.extend(_recommended_text(clause) for clause in [first, *(f"that {other}" for other in others)])
    return [text for text in found if len(text) > 3]


# What the speaker did next, in the report's past tense.
_SPEAKER_NEXT = re.compile(r",?\s+and\s+(?:also\s+|further\s+)?(?:requested|asked|inquired|enquired|wondered|welcomed|"
                           r"commended|noted|sought|expressed)\b")
_AND_THAT = re.compile(r",\s+and\s+that\s+(?=[A-Z])")


def _recommended_text(clause: str) -> str:
    """One "recommended ..." clause as a recommendation ("recommended that the Government take" -> "Take")."""
    clause = clause.strip(" ;,")
    text = imperative(clause)  # "recommended that the Government take ..." -> "Take ..."
    if text == clause:
        text = re.sub(r"^recommend(?:ed|s)\s+(?:that\s+)?:?\s*", "", clause)
        if not re.match(r"recommend(?:ed|s)\s+that\b", clause) and _nominal(text):
            text = "Recommended " + text  # "recommended further cooperation with special procedures"
    return text[:1].upper() + text[1:]
