"""Parsers for official UPR documents: pure functions, file in, data out, no database.

``parse_document(path)`` identifies a document by its content (the symbol and title on page 1, the
header of a thematic list), never its file name, and returns a ``ParsedDocument``:

- ``working_group_report``: "Report of the Working Group on the Universal Periodic Review"
  (A/HRC/x/y), every format since 2008. Its recommendations section lists paragraphs
  (``186.243``, or in cycle 1 ``114`` with items ``1.``, ``2.``); each paragraph holds one or more
  recommendations, each followed by its recommending state(s) in parentheses.
- ``responses_addendum``: A/HRC/x/y/Add.1, "Views on conclusions and/or recommendations".
- ``thematic_list``: OHCHR's thematic list of recommendations (DOCX).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from uprwatch.documents import repair
from uprwatch.documents.extraction import DocumentError, file_format, open_docx, pdf_pages
from uprwatch.documents.references import parse_references
from uprwatch.documents.similarity import normalise_text
from uprwatch.records.states import UnknownStateError, load_states, normalise_name, try_resolve_state

KINDS = ("working_group_report", "responses_addendum", "thematic_list")


@dataclass
class ParsedRecommendation:
    paragraph: str
    text: str
    recommending_states: list[str] = field(default_factory=list)  # ISO3 codes
    response: str | None = None  # supported / noted / partially supported / pending, None if not given
    already_implemented: bool = False
    explanation: str = ""
    themes: list[str] = field(default_factory=list)
    affected_persons: list[str] = field(default_factory=list)
    sdgs: list[str] = field(default_factory=list)
    source_of_position: str = ""


@dataclass
class ParsedDocument:
    symbol: str
    kind: str
    state_under_review: str  # ISO3
    session: int | None  # Working Group session
    dates: dict  # {"start": "2013-10-21", "end": "2013-11-01"} when the document states them
    recommendations: list[ParsedRecommendation]
    report_symbol: str = ""  # for an addendum: the report it answers
    title: str = ""

    def to_json(self) -> dict:
        """The shape ``uprwatch parse --format json`` prints (and the bundled files store).

        States are ISO3 codes (``"KOR"``), each with its name beside it (``"Republic of Korea"``): codes
        for programs, names for people reading the output (``from_json`` reads the codes only, so bundled
        files written before the names were added read the same).
        """
        names = _state_names()
        return {
            "document": {
                "symbol": self.symbol,
                "kind": self.kind,
                "state_under_review": self.state_under_review,
                "state_under_review_name": names.get(self.state_under_review, self.state_under_review),
                "session": self.session,
                "dates": self.dates,
                "report_symbol": self.report_symbol,
                "title": self.title,
            },
            "recommendations": [
                {
                    "paragraph": r.paragraph,
                    "text": r.text,
                    "recommending_states": r.recommending_states,
                    "recommending_state_names": [names.get(code, code) for code in r.recommending_states],
                    "response": r.response,
                    "themes": r.themes,
                    "affected_persons": r.affected_persons,
                    "sdgs": r.sdgs,
                    "already_implemented": r.already_implemented,
                    "explanation": r.explanation,
                    "source_of_position": r.source_of_position,
                }
                for r in self.recommendations
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedDocument:
        doc = data["document"]
        recommendations = [
            ParsedRecommendation(**{k: v for k, v in r.items() if k in ParsedRecommendation.__dataclass_fields__})
            for r in data["recommendations"]
        ]
        return cls(
            symbol=doc["symbol"], kind=doc["kind"], state_under_review=doc["state_under_review"],
            session=doc["session"], dates=doc.get("dates") or {}, recommendations=recommendations,
            report_symbol=doc.get("report_symbol", ""), title=doc.get("title", ""),
        )


@functools.cache
def _state_names() -> dict[str, str]:
    return {state.iso3: state.name for state in load_states()}


def as_dict(rec: ParsedRecommendation) -> dict:
    return asdict(rec)


def max_bytes() -> int:
    """The size limit for any document (settings.UPRWATCH_MAX_UPLOAD_BYTES, 50 MB without Django)."""
    try:
        from django.conf import settings

        return int(settings.UPRWATCH_MAX_UPLOAD_BYTES)
    except Exception:  # parsing without configured Django settings (tools, benchmarks)
        return 50 * 1024 * 1024


def parse_document(path: Path | str) -> ParsedDocument:
    """Parse any supported document; raises ``DocumentError`` saying what is wrong otherwise."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes():
        raise DocumentError(
            f"the file is {size:,} bytes, larger than the {max_bytes():,}-byte limit (UPRWATCH_MAX_UPLOAD_BYTES)"
        )
    kind = file_format(path)
    if kind == "pdf":
        return parse_pdf_pages(pdf_pages(path))
    return parse_thematic_list(path)


# ---------------------------------------------------------------------------------------------
# Page 1: symbol, title, State under Review, session

_SYMBOL = re.compile(r"A/HRC/(?!WG)\d+/\d+(?:/Add\.\s?\d+)?(?:/Corr\.\s?\d+)?")
_REPORT_TITLE = re.compile(r"Report\s+of\s+the\s+Working\s+Group\s+on\s+the\s+Universal\s+Periodic\s+Review", re.I)
_VIEWS = re.compile(r"Views\s+on\s+conclusions\s+and/or\s+recommendations", re.I)

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENTHS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70}
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


def ordinal_number(word: str) -> int | None:
    """'forty-eighth' -> 48, 'seventeenth' -> 17, '12th' -> 12."""
    word = word.strip().lower().replace("\u2011", "-").replace("–", "-")
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", word):
        return int(m.group(1))
    if word in ORDINALS:
        return ORDINALS[word]
    if word in _TENTHS:
        return _TENTHS[word]
    parts = re.split(r"[-\s]+", word)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in ORDINALS and ORDINALS[parts[1]] < 10:
        return _TENS[parts[0]] + ORDINALS[parts[1]]
    return None


_HELD = re.compile(
    r"held\s+its\s+([a-z]+(?:[-\s][a-z]+)?|\d{1,2}(?:st|nd|rd|th))\s+session,?\s+(?:from|on)\s+"
    r"(\d{1,2})(?:\s+([A-Z][a-z]+))?(?:\s+(\d{4}))?\s*(?:to|-|–|and)\s*(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})",
)


def session_and_dates(text: str) -> tuple[int | None, dict]:
    """From "held its seventeenth session from 21 October to 1 November 2013"."""
    match = _HELD.search(re.sub(r"\s+", " ", text))
    if not match:
        return None, {}
    number = ordinal_number(match.group(1))
    day1, month1, year1, day2, month2, year2 = match.groups()[1:]
    try:
        end = dt.date(int(year2), MONTHS[month2.lower()], int(day2))
        start = dt.date(int(year1 or year2), MONTHS[(month1 or month2).lower()], int(day1))
    except (KeyError, ValueError):
        return number, {}
    if start > end:  # "from 30 December to 5 January 2010"
        start = start.replace(year=start.year - 1)
    return number, {"start": start.isoformat(), "end": end.isoformat()}


def _resolve_sur(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" *:.")
    candidates = [name, re.sub(r"\s*\(.*\)\s*$", "", name), re.sub(r"^the\s+", "", name, flags=re.I)]
    for candidate in candidates:
        if state := lookup_state(candidate):
            return state
    raise DocumentError(f"the State under Review cannot be resolved: {UnknownStateError(name)}")


def _title_state(page_one: str) -> str | None:
    """The line naming the State under Review just after the report title on page 1."""
    lines = [ln.strip(" *\t") for ln in page_one.split("\n")]
    for index, line in enumerate(lines):
        if "Working Group" in line and re.search(r"Periodic(?:\s+Review\W*)?$", line):
            rest = lines[index + 1:]
            if rest and re.fullmatch(r"Review\W*", rest[0]):
                rest = rest[1:]
            for candidate in rest:
                if candidate and not candidate.lower().startswith(("addendum", "united nations", "*")):
                    return candidate
    return None


def parse_pdf_pages(pages: list[str]) -> ParsedDocument:
    page_one = repair.normalise_characters(pages[0])
    head = re.sub(r"\s+", " ", page_one)
    if not _REPORT_TITLE.search(head):
        raise DocumentError(
            "not a UPR document uprwatch can read: page 1 has no 'Report of the Working Group on the "
            "Universal Periodic Review' title (national reports, compilations and decisions are not supported)"
        )
    symbols = _SYMBOL.findall(head)
    if not symbols:
        raise DocumentError("no document symbol (A/HRC/x/y) on page 1")
    symbol = re.sub(r"\s", "", max(symbols, key=len))
    if "/Add." in symbol:
        if not _VIEWS.search(head):
            raise DocumentError(f"{symbol} is an addendum but not the state's 'Views on conclusions and/or recommendations'")
        return parse_responses_addendum(pages, symbol, page_one)
    return parse_working_group_report(pages, symbol, page_one)


# ---------------------------------------------------------------------------------------------
# Working Group reports

_SECTION = re.compile(r"^\s*(?:[IVX]+\.\s*)?Conclusions\s+and/or\s+recommendations(?!.*\.{4})", re.I | re.M)
_END = re.compile(r"^\s*\d{2,3}\.\s+All\s+(?:the\s+)?conclusions\s+and/or\s+recommendations", re.I | re.M)
_ANNEX = re.compile(r"^\s*Annex\s*$", re.M)
_LINE_ITEM = re.compile(r"^[ \t]*(\d{1,3})\.(?:(\d{1,3})\.?)?[ \t]+(?=\S)", re.M)
_PAREN = re.compile(r"\(([^()]{2,300})\)")


def _response_of_intro(intro: str) -> tuple[str | None, bool]:
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


_STYLED_NAME = re.compile(
    r"^(?:the\s+)?(?:[A-Z][a-z]+\s+)?(?:Republic|State|Kingdom|Principality|Commonwealth|Sultanate)\s+of\s+(?:the\s+)?(.+)$"
)


@functools.lru_cache(maxsize=8192)  # a failed lookup ranks suggestions (difflib): never twice per name
def lookup_state(name: str) -> str | None:
    """ISO3 of a state name as UN documents spell it, or None.

    ISO codes are not names (``_named``). Beyond the states table's aliases, two spelling slips of real
    reports are repaired, neither of them a guess: a styled name the table does not list ("Plurinational Republic of Bolivia",
    "the Republic of the Marshall Islands") is read by its short name, and a name whose words ran
    together in the PDF ("TimorLeste") matches the table with spaces ignored.
    """
    name = re.sub(r"\s+", " ", name).strip(" .;,")
    if len(name) < 2 or len(name) > 80:
        return None
    if (state := try_resolve_state(name)) and _named(name, state):
        return state.iso3
    if (styled := _STYLED_NAME.match(name)) and (state := try_resolve_state(styled.group(1))):
        return state.iso3
    return _squashed_index().get(normalise_name(name).replace(" ", ""))


def _named(name: str, state) -> bool:
    """Whether ``name`` is one of the state's names or aliases rather than a bare ISO code.

    Reports never name a state by its code, and in prose the codes are ordinary words: "It recommended"
    is not Italy, "and" not Andorra, "(NLD)" the National League for Democracy. The acronyms reports do
    use ("USA", "UK") are aliases in the states table.
    """
    key = normalise_name(name)
    return key not in (normalise_name(state.iso2), normalise_name(state.iso3)) or key in {
        normalise_name(alias) for alias in state.aliases}


@functools.lru_cache(maxsize=1)
def _squashed_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for state in load_states():
        for alias in (state.name, *state.aliases):
            index.setdefault(normalise_name(alias).replace(" ", ""), state.iso3)
    return index


def _split_state_names(content: str) -> list[str] | None:
    """ISO3 codes if every name in a parenthesis is a state, else None."""
    content = re.sub(r"\s+", " ", content).strip(" ;,")
    if not content:
        return None
    whole = lookup_state(content)
    if whole:
        return [whole]
    codes = []
    for part in re.split(r"\s*[,;/]\s*", content):
        part = re.sub(r"^(?:and|&)\s+", "", part)  # "(Slovenia, Argentina, France, and Sweden)"
        if not part:
            continue
        state = lookup_state(part)
        if state:
            codes.append(state)
            continue
        pieces = [lookup_state(p) for p in re.split(r"\s+and\s+", part)]
        if len(pieces) > 1 and all(pieces):
            codes.extend(pieces)
            continue
        return None
    return codes or None


# "Iran (Islamic Republic of)", also as some reports type it, "Iran (Islamic republic of)".
_INVERTED_NAME = re.compile(r"\b([A-Z][a-z]+)\s*\(((?:[A-Z][a-z]+\s+)*(?:[Rr]epublic|[Ss]tates?)\s+of)\)")


def uninvert_state_names(text: str) -> str:
    """"Venezuela (Bolivarian Republic of)" -> "Bolivarian Republic of Venezuela": no nested parentheses."""
    return _INVERTED_NAME.sub(lambda m: f"{m.group(2)} {m.group(1)}", text)


def split_recommendations(text: str) -> list[tuple[str, list[str]]]:
    """Split one paragraph's text into (recommendation text, [ISO3...]) by its state parentheses.

    ``Ratify ICCPR (Albania); Ratify ICCPR and CPED (Chile);`` is two recommendations;
    ``Ratify the Convention (Algeria) (Cabo Verde)`` is one, made by two states. A compound paragraph
    (cycle 1 and 2013: ``Establish a commission (South Africa) in compliance with the Paris Principles
    (Portugal, Egypt), and finalize the bill (Egypt)``) is read per state: a piece that continues the
    sentence (lower-case start, not after a semicolon) belongs to the recommendation it extends, so
    Egypt's recommendation is the whole of its pieces and South Africa's is the first one.
    """
    text = uninvert_state_names(text)
    segments: list[tuple[str, list[str]]] = []
    start = 0
    run_start: int | None = None
    run_states: list[str] = []
    run_end = 0
    for match in _PAREN.finditer(text):
        codes = _split_state_names(match.group(1))
        between = text[run_end:match.start()] if run_start is not None else ""
        if codes and run_start is not None and not between.strip(" \n/,;"):
            run_states.extend(codes)
            run_end = match.end()
            continue
        if run_start is not None:
            segments.append((text[start:run_start], run_states))
            start, run_start, run_states = run_end, None, []
        if codes:
            run_start, run_states, run_end = match.start(), list(codes), match.end()
    if run_start is not None:
        segments.append((text[start:run_start], run_states))
        start = run_end
    rest = text[start:].strip(" \n;.,/")
    if not segments and rest:
        segments.append((rest, []))
    chains = _chains(segments)
    # Alternatives of one recommendation with its object written once: the 2013 slash form, or
    # verbs in a row ("Sign (Portugal) ratify (France, Portugal) and accede to the Convention (Uruguay)").
    if re.search(r"\)\s*/", text) or (len(chains) > 1 and _bare_verb(_piece(chains[0][0][0]))):
        _complete_slash_verbs(chains)
    lead = _list_lead(chains)
    cleaned = []
    for index, chain in enumerate(chains):
        if lead and index:
            raw, codes = chain[0]
            piece = _piece(raw)
            chain[0] = (f"{lead}: {piece[:1].lower() if piece[:2].istitle() else piece[:1]}{piece[1:]}", codes)
        for body, codes in _chain_recommendations(chain, slashed=bool(re.search(r"\)\s*/", text))):
            cleaned.extend((part, codes) for part in _separate_recommendations(body))
    return [part for text, codes in _join_bare_verbs(cleaned) for part in _distribute_alternatives(text, codes)]


# "prevent/prohibit", "torture / ill-treatment": one word against another, never "and/or", an acronym
# ("HIV/AIDS") or a number ("62/149").
_WORD_ALTERNATIVE = re.compile(r"\b([a-z][a-z-]+)\s?/\s?([a-z][a-z-]+)\b")


def _leading_alternatives(text: str, codes: list[str]) -> list[tuple[str, list[str]]]:
    """"Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)":
    one verb phrase per state, in order, sharing the object."""
    if len(codes) >= 2 and (lead := _LEADING_ALTERNATIVES.match(text)) and lead.group(1).count("/") == len(codes) - 1 \
            and text.count("/") == len(codes) - 1:
        # "Analyse the possibility of ratifying/consider ratifying/ratify ICCPR (Argentina, Brazil, Austria)"
        alternatives = [alt.strip() for alt in lead.group(1).split("/")]
        if all(1 <= len(alt.split()) <= 6 for alt in alternatives):
            return [(f"{alt[:1].upper()}{alt[1:]} {lead.group(2)}", [code])
                    for alt, code in zip(alternatives, codes, strict=True)]
    return [(text, codes)]


# Verb phrases in a row at the start of a recommendation, the last one a single verb before the object.
_LEADING_ALTERNATIVES = re.compile(r"((?:[A-Za-z][a-z]*(?: [a-z]+){0,5} ?/ ?)+[a-z]+)\s+(.+)$", re.S)


def _distribute_alternatives(text: str, codes: list[str]) -> list[tuple[str, list[str]]]:
    """Reports of 2009 merge what several states said into one sentence, the wording of each in turn:
    "Take the necessary measures to prevent/prohibit the use of torture / ill-treatment (Japan,
    Uzbekistan)" is Japan's "prevent the use of torture" and Uzbekistan's "prohibit the use of
    ill-treatment". Read so only when every alternative in the sentence has exactly one word per state."""
    groups = [m for m in _WORD_ALTERNATIVE.finditer(text) if not {m.group(1), m.group(2)} & {"and", "or"}]
    if len(codes) != 2 or not groups or text.count("/") != len(groups):
        return _leading_alternatives(text, codes)
    texts = []
    for choice in (1, 2):
        pieces, last = [], 0
        for match in groups:
            pieces.append(text[last:match.start()] + match.group(choice))
            last = match.end()
        texts.append("".join(pieces) + text[last:])
    return [(texts[0], [codes[0]]), (texts[1], [codes[1]])]


def _join_bare_verbs(parts: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """A verb left without its object ("Accede to (Slovenia)/sign (Sweden) and ratify the Protocol (Chile,
    Slovenia, Sweden)") joins the next recommendation of the same state: "Accede to and ratify the Protocol"."""
    out = list(parts)
    index = 0
    while index < len(out):
        text, codes = out[index]
        words = text.split()
        if len(codes) == 1 and 1 <= len(words) <= 3 and (_bare_verb(text) or words[-1] == "to"):
            later = next((k for k in range(index + 1, len(out)) if codes[0] in out[k][1]), None)
            if later is not None:
                target, target_codes = out[later]
                joined = f"{text} and {target[:1].lower()}{target[1:]}"
                rest = [code for code in target_codes if code != codes[0]]
                out[later:later + 1] = [(target, rest)] if rest else []
                out[index] = (joined, codes)
        index += 1
    return out


# Cycle-1 reports quote a state's several recommendations in one sentence: "That Algeria take measures
# against violence; recommends the continuation of the moratorium (Italy)", "... It also recommended
# that the State pursue its efforts (Nigeria)". Each "recommends" starts a recommendation of its own.
_RECOMMENDS = r"(?:recommends?|recommended|encourages?|encouraged|urges?|urged|calls?\s+(?:up)?on|called\s+(?:up)?on)"
_FURTHER = re.compile(
    rf";\s*(?:and\s+)?(?:(?:it|also)\s+)*(?={_RECOMMENDS}\b)|\.\s+It\s+(?:also\s+|further\s+)?(?={_RECOMMENDS}\b)"
)
# The report's own verb ("Recommended that Benin", "recommends that Algeria", "Invited Benin to"), in the
# third person or the past: never the recommendation's imperative ("Encourage China to consider ...").
_REPORTED = r"(?:[Rr]ecommend(?:s|ed)|[Ee]ncourag(?:es|ed)|[Uu]rg(?:es|ed)|[Ii]nvit(?:es|ed)|[Cc]all(?:s|ed)\s+(?:up)?on)"
_SUBJECT = re.compile(
    rf"^(?:{_REPORTED}\s+(?:that\s+|to\s+)?|[Tt]hat\s+)"
    r"(?P<subject>[Tt]he\s+State|[Tt]he\s+Government|[Tt]he\s+country|[Tt]he\s+authorities|it|[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|of|the))*?)"
    # "Recommended that Benin should investigate": the modal is the report's, the action "Investigate".
    r"\s+(?:should\s+|shall\s+|must\s+)?(?:to\s+)?(?P<verb>[a-z][a-z-]+)\b",
)
_NOT_VERBS = frozenset("and or be is are was were has have had should would could must may might shall will".split())


def _imperative(text: str) -> str:
    """"That Algeria continue a dialogue" -> "Continue a dialogue", as reports since 2009 word it
    ("that Benin should investigate" -> "Investigate").

    Only when the subject is the State under Review's name (any state name), "the State", "the
    Government" or "it", so "That discrimination be included" and "That United Nations agencies ..."
    keep their words.
    """
    match = _SUBJECT.match(text)
    if match and match.group("verb").lower() not in _NOT_VERBS:
        subject = match.group("subject")
        if re.fullmatch(r"the\s+\w+|it", subject, re.I) or lookup_state(subject):
            rest = text[match.start("verb"):]
            return rest[:1].upper() + rest[1:]
    if to := re.match(r"[Tt]o\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)([a-z])", text):
        return to.group(1).upper() + text[to.end():]
    return text


# In a paragraph written as infinitive clauses ("To pursue its effort ...; to better distribute food
# ..."), each clause after a semicolon or a full stop is a recommendation of its own.
_NEXT_INFINITIVE = re.compile(r";\s*(?:and\s+)?(?=to\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)[a-z]+\b)|"
                              r"\.\s+(?=To\s+(?!(?:that|this|the|a|an|all|its|these|those)\b)[a-z]+\b)")


# "(i) Work more systematically ..., (ii) review ... and (iv) review the Criminal Code": numbered items.
_ROMAN_ITEM = re.compile(r"[,;]?\s*(?:and\s+)?\((?:ii|iii|iv|v|vi|vii|viii|ix|x)\)\s*")


def _separate_recommendations(body: str) -> list[str]:
    parts = [part.lstrip(" \n;,.").rstrip(" \n;,") for part in _FURTHER.split(body)]
    if re.match(r"\s*To\s+[a-z]", body):
        parts = [piece.lstrip(" \n;,.").rstrip(" \n;,") for part in parts for piece in _NEXT_INFINITIVE.split(part)]
    if re.match(r"\s*\(i\)\s", body) and re.search(r"\(ii\)", body):
        parts = [re.sub(r"^\(i\)\s*", "", piece.strip(" \n;,")) for part in parts for piece in _ROMAN_ITEM.split(part)]
    return [(text := _imperative(part))[:1].upper() + text[1:] for part in parts if len(part) > 3]


# Words that open a phrase extending the sentence before it rather than a new recommendation.
_EXTENDERS = frozenset(
    "as at without with within in into through including particularly notably especially namely by for from "
    "of on under when where while which who whose so such aiming taking bearing paying the a an its their all "
    "both other inter more than".split()
)


# Words that follow an imperative verb ("seek the help", "reform it", "ensure that"), rarely a noun.
_OBJECT_STARTS = frozenset("the a an its their his her all that it them this these those any such".split())


_QUALIFIER = re.compile(r";\s*(?:as\s+(?:recommended|requested|called\s+for)\s+by|in\s+(?:line|accordance|conformity|"
                        r"compliance)\s+with)\b")


def _capitalised_participle(word: str) -> bool:
    """"Aiming" in "(Chile, Spain), Aiming at the Abolition of the Death Penalty (Slovenia)": a participle
    some reports capitalise after a parenthesis; it still extends the sentence."""
    return word[:1].isupper() and word[1:].islower() and word.endswith("ing") and len(word) > 5 and (
        word.lower() not in ("bring", "during"))


def _continues(raw: str, chain: list[tuple[str, list[str]]], codes: list[str]) -> bool:
    """Whether a segment extends ``chain`` (see ``split_recommendations``) rather than starting anew."""
    stripped = raw.lstrip(" \n")
    chain_states = {code for _, chain_codes in chain for code in chain_codes}
    if stripped.startswith(";"):
        # "Accede to CAT (Australia) (Nigeria); as recommended by the Committee ... (Nigeria)": a phrase
        # that cannot stand alone qualifies its states' recommendation despite the semicolon.
        return bool(_QUALIFIER.match(stripped) and codes and set(codes) <= chain_states)
    words = re.findall(r"[A-Za-z’'-]+", stripped[:80])
    if not words:
        return False
    conjunction = words[0] in ("and", "or")
    word = words[1] if conjunction and len(words) > 1 else words[0]
    if _capitalised_participle(word):
        word = word.lower()
    if not word[:1].islower():
        return False
    if word in ("to", "that") and re.match(r"\s*(?:To|That)\b", chain[0][0]):
        return False  # "To accede ... (A), to withdraw ... (B)": parallel clauses, one recommendation each
    if word in _EXTENDERS or (not conjunction and word.endswith("ing") and len(word) > 5):
        return True  # a preposition, a determiner or a participle ("noting", "aiming at") extends the sentence
    if word == "to" and not conjunction and not stripped.startswith((",", "/")):
        return True  # a purpose clause: "Ratify ICCPR-OP 2 (Rwanda) to abolish death penalty (France)"
    # "and <verb> ..." adds to the recommendation of a state already in it ("Consider ratifying X
    # (Mexico, Argentina) and accept the competence of the committee (Argentina)"), and so does a
    # lower-case noun phrase named by a state already in it ("persons with disabilities (Japan)
    # ethnic minorities, women (Japan)", "those responsible for human rights defenders (United
    # Kingdom), freedom of opinion (United Kingdom, Slovakia)"); otherwise a lower-case verb starts a
    # recommendation of its own ("reform it (Nigeria)", ", seek the help of ... (Sudan)", "ratify (France)").
    if (not conjunction and not stripped.startswith("/") and any(code in chain_states for code in codes)
            and len(words) > 1 and words[1].lower() not in _OBJECT_STARTS):
        return True
    return conjunction and any(code in chain_states for code in codes)


def _chains(segments: list[tuple[str, list[str]]]) -> list[list[tuple[str, list[str]]]]:
    """Group raw segments into recommendations, each a head and the pieces that extend it.

    A piece extends the latest recommendation made by one of its states (in the 2013 slash form,
    ``Ratify the ICCPR (Hungary)/ Accede (Switzerland)/ and ensure its implementation (Hungary)``,
    Hungary's addition belongs to the first), else the latest recommendation.
    """
    chains: list[list[tuple[str, list[str]]]] = []
    slashed = any(raw.lstrip(" \n").startswith("/") for raw, _ in segments)
    for raw, codes in segments:
        if chains and codes and _object_item(chains, raw, codes):
            continue
        if chains and codes and _shared_tail(chains, raw, codes, slashed):
            continue
        target = None
        if chains and codes:
            target = chains[-1]
            for chain in reversed(chains):
                if any(code in chain_codes for _, chain_codes in chain for code in codes):
                    target = chain
                    break
        if target is None or not _continues(raw, target, codes):
            if chains and codes and (item := _list_alternative(chains[-1], raw)):
                chains.append([(item, codes)])
                continue
            chains.append([(raw, codes)])
            continue
        if re.match(r"[\s/,]*(?:of|to)\s", raw) and _share_object(chains, raw, codes):
            continue
        target.append((raw, codes))
    return chains


# Where a list of a recommendation's objects begins: "cases of | violence against women", "particularly
# against | women and indigenous population".
_LIST_START = frozenset("of against for on to in with including particularly especially notably".split())


def _list_alternative(chain: list[tuple[str, list[str]]], raw: str) -> str | None:
    """Reports of 2009 name another state's object after the first state's: "Continue efforts to eradicate
    and address cases of violence against women (Indonesia, Sweden), domestic violence (Algeria)" is
    Algeria's "Continue efforts to eradicate and address cases of domestic violence"; "... particularly
    against women and indigenous population (Bolivia) and journalists (Sweden)" is Sweden's "...
    particularly against journalists". Only a lower-case noun phrase that no verb opens qualifies; it
    replaces the previous recommendation's last object from where its own words first appear there,
    else the words after the last preposition."""
    stripped = raw.strip(" \n")
    match = re.match(r"(?:,\s*|and\s+)+([a-z][a-z-]+)\b", stripped)
    if not match or "/" in raw or ";" in raw:
        return None
    first = match.group(1)
    if first in _OPENING_VERBS or first in _EXTENDERS or first in _NOT_VERBS or first.endswith(("ing", "ed")) or (
            first in ("that", "to", "also", "further")):
        return None
    item = stripped[match.start(1):].rstrip(" .;,")
    if len(item.split()) > 8 or (len(item.split()) > 1 and item.split()[1] in _OBJECT_STARTS):
        return None  # "reform it", "end the practice": a verb and its object
    head = re.sub(r"\s+", " ", _piece(chain[0][0]))
    words = head.split(" ")
    starts = [k + 1 for k, w in enumerate(words[:-1]) if w.lower().strip(",") in _LIST_START]
    if not starts:
        return None
    cut = starts[-1]
    shared = {w for w in re.findall(r"[a-z]{4,}", item.lower())}
    for k in range(len(words)):
        if words[k].lower().strip(",.") in shared and (before := [s for s in starts if s <= k]):
            cut = before[-1]
            break
    return " ".join(words[:cut] + [item])


# An item of a list of instruments after a treaty verb: "Consider ratifying the Optional Protocol to CEDAW
# (Brazil), the Optional Protocol to the Convention against Torture (Brazil, Djibouti)".
_INSTRUMENT_ITEM = re.compile(r"[\s,;]*(?:and\s+|as\s+well\s+as\s+)?(?P<item>the\s+[A-Z].*)$", re.S)


def _object_item(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str]) -> bool:
    """A named instrument listed after the previous recommendation's treaty verb is a recommendation
    of its own, made by the states named after it: the verb without the earlier instrument plus this
    one ("Consider ratifying the Optional Protocol to the Convention against Torture"). Only a
    capitalised name after "the" qualifies, so "the provisions of which ..." still extends."""
    item = _INSTRUMENT_ITEM.match(raw)
    if not item or raw.lstrip(" \n").startswith("/"):
        return False
    head = re.sub(r"\s+", " ", _piece(chains[-1][0][0]))
    verb = _TREATY_VERB.search(head)
    if not verb or not re.match(r"the\s+[A-Z]|[A-Z]{2,}", verb.group(1)):
        return False
    chains.append([(f"{head[:verb.start(1)]}{item.group('item')}", codes)])
    return True


def _shared_tail(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str], slashed: bool) -> bool:
    """A closing phrase named by states that each made an earlier recommendation of the paragraph
    completes each of them, for its own states: "Combat (Algeria, Honduras) and continue efforts to
    eradicate (Holy See) extreme poverty (Algeria, Holy See, Honduras)"; in the slash form
    (2009-2013), "Continue promoting (Bolivia)/ to support (Lebanon) initiatives in defence (Bolivia)/
    to promote (Lebanon) international solidarity (Bolivia, Lebanon)". Outside the slash form this
    needs two recommendations completed at once; a phrase after a semicolon or in capitals starts anew."""
    stripped = raw.lstrip(" \n")
    if stripped.startswith(";"):
        return False
    words = re.findall(r"[A-Za-z’'-]+", stripped[:80])
    if not words or not (words[0][:1].islower() or _capitalised_participle(words[0])):
        return False
    latest: dict[str, int] = {}
    for index, chain in enumerate(chains):
        for _, chain_codes in chain:
            for code in chain_codes:
                latest[code] = index
    if any(code not in latest for code in codes):
        return False
    targets = sorted({latest[code] for code in codes})
    if len(targets) < 2 and not slashed:
        return False
    for index in targets:
        chains[index].append((raw, [code for code in codes if latest[code] == index]))
    return True


def _share_object(chains: list[list[tuple[str, list[str]]]], raw: str, codes: list[str]) -> bool:
    """A closing object shared by alternatives ("examine the possibility of joining (Algeria)/ratify
    (Bosnia and Herzegovina) of the Convention (Algeria, Bosnia and Herzegovina)") extends each
    alternative for the states that made it; states named only here take the latest alternative."""
    hit = [chain for chain in chains if set(chain[0][1]) & set(codes)]
    named = {code for chain in hit for code in chain[0][1]}
    leftover = [code for code in codes if code not in named]
    if len(hit) < 2 and not (hit and leftover):
        return False
    for chain in hit:
        chain.append((raw, [code for code in codes if code in chain[0][1]]))
    if leftover:
        chains[-1].append((raw, leftover))
    return True


def _list_lead(chains: list[list[tuple[str, list[str]]]]) -> str | None:
    """"Consider ratifying or acceding to: OP-CAT (France); ICRMW (Mexico)": a lead-in ending in a
    colon that every recommendation of the paragraph shares, when what follows it is a list of short
    objects rather than sentences."""
    if len(chains) < 2:
        return None
    match = re.match(r"\s*([^:;()]{5,120}?)\s*:\s*(\S[^:]*)$", chains[0][0][0], re.S)
    if not match or len(match.group(2).split()) > 8 or re.search(r"\([a-z]\)", match.group(2)):
        return None
    return re.sub(r"\s+", " ", match.group(1))


_DETERMINERS = frozenset("the a an its all this these those their any".split())
_TREATY_VERB = re.compile(r"\b(?:ratify|ratifying|ratification\s+of|accede\s+to|accession\s+to|adhere\s+to|sign)\s+(.+)$", re.I)


def _bare_verb(head: str) -> bool:
    """"Accede", "Promptly ratify", "Ratify and implement": a verb phrase without its object."""
    words = head.split()
    return 1 <= len(words) <= 4 and all(w.islower() for w in words[1:]) and not _DETERMINERS & {w.lower() for w in words}


def _complete_slash_verbs(chains: list[list[tuple[str, list[str]]]]) -> None:
    """The 2013 slash form gives alternatives of one recommendation, its object written once:
    ``Ratify the ICCPR (Chile)/ Accede (Switzerland)/Consider ratifying (Mexico)``. Each bare verb
    phrase takes the object of the paragraph's full recommendation ("Accede the ICCPR"); a phrase
    ending in "to" takes the whole of it ("in order to (Argentina)/Ratify the Second Optional ...")."""
    heads = [re.sub(r"\s+", " ", _piece(chain[0][0])) for chain in chains]
    full = next((h for h in heads if not _bare_verb(h) and not h.endswith(" to") and not _dangling(h)
                 and len(h.split()) >= 2), None)
    if full is None:
        return
    treaty = _TREATY_VERB.search(full)
    for chain, head in zip(chains, heads, strict=True):
        raw, codes = chain[0]
        if (_bare_verb(head) and treaty and re.match(r"the\s+[A-Z]", treaty.group(1))
                and chain[1:] and re.match(r"[\s/,]*of\s", chain[1][0])):
            # "Adhere (Costa Rica)/Ratify the Rome Statute (France) of the International Criminal Court
            # (Austria, Costa Rica)": the complement belongs to the named instrument, which the verb shares.
            joiner = " to " if head.split()[-1].lower() in ("accede", "adhere", "subscribe") else " "
            chain[0] = (f"{head}{joiner}{treaty.group(1)}", codes)
            continue
        if any(re.match(r"[\s/,]*(?:of|to|the|an?|its)\s", piece) for piece, _ in chain[1:]):
            continue  # the object follows in a piece of its own: "ratify (Bosnia) ... of the Convention (...)"
        if head.endswith(" to") and head != full:
            chain[0] = (f"{head} {full[:1].lower()}{full[1:]}", codes)
        elif _bare_verb(head) or (_dangling(head) and head != full):
            joiner = " to " if head.split()[-1].lower() in ("accede", "adhere", "subscribe") else " "
            chain[0] = (f"{head}{joiner}{_slash_object(head, full, treaty)}", codes)


# Words a phrase cannot end on: "Continue the provision of (Myanmar)/ Continue ensuring free ... access".
_DANGLING = frozenset("of to with for the a an its their on in at by from and".split())


def _dangling(head: str) -> bool:
    return head.rsplit(" ", 1)[-1].lower() in _DANGLING and len(head.split()) >= 2


def _slash_object(head: str, full: str, treaty: re.Match | None) -> str:
    """The object of the paragraph's full recommendation that an incomplete alternative shares.

    A treaty verb's object ("Ratify the ICESCR" → "the ICESCR"); else, when the alternatives open alike
    ("Continue guaranteeing (Palestine)/ Continue ensuring free and universal access"), what follows
    the full one's verb; else, after a dangling word ("implementation of (Algeria)/ Finalise and publish
    ... its National Human Rights Action Plan"), its first determined noun phrase after a verb; else all
    but its first word.
    """
    if treaty:
        return treaty.group(1)
    words = full.split()
    if len(head.split()) >= 2 and head.split()[0].lower() == words[0].lower() and len(words) > 2:
        return " ".join(words[2:])
    if _dangling(head):
        for k in range(1, len(words)):
            if words[k].lower() in _DETERMINERS and words[k - 1].lower() not in _PREPOSITIONS:
                return " ".join(words[k:])  # "at an early date" is no object
    return full.split(" ", 1)[1]


_PREPOSITIONS = frozenset("at in on of by with for to from under into within through".split())


def _piece(raw: str) -> str:
    body = raw.strip(" \n;,/:")
    body = re.sub(r"^(?:and|or)\s+", "", body).strip()
    return body[:1].upper() + body[1:]


def _chain_recommendations(chain: list[tuple[str, list[str]]], slashed: bool = False) -> list[tuple[str, list[str]]]:
    head, head_codes = chain[0]
    head_text = _piece(head)
    if len(chain) == 1:
        return [(head_text, list(dict.fromkeys(head_codes)))] if len(head_text) > 3 else []
    states = list(dict.fromkeys(code for _, codes in chain for code in codes))
    by_text: dict[str, list[str]] = {}
    for state in states:
        text = head_text
        pieces = [raw for raw, codes in chain[1:] if state in codes]
        if slashed and state not in head_codes and pieces and (word := _word_alternative(pieces[0])):
            # "Continue promoting (Turkey) / applying (Nicaragua) a gender perspective (Turkey) in its
            # national policies (Nicaragua)": Nicaragua's word takes the place of Turkey's, and the object
            # written once between them is Nicaragua's too.
            text = _replace_last_words(head_text, word)
            mine = [k for k, (_, codes) in enumerate(chain) if state in codes]
            pieces = [raw for k, (raw, codes) in enumerate(chain) if mine[0] < k <= mine[-1]
                      and (state in codes or not raw.lstrip(" \n").startswith("/"))]
        if state not in head_codes and pieces and (verb := re.match(r"[\s,]*(?:and|or)\s+([a-z]+)\b", pieces[0])) and (
                verb.group(1) not in _EXTENDERS and not verb.group(1).endswith("ing")):
            # "Implement safeguards (Czech Republic) and release all political prisoners (Belgium, Czech
            # Republic)": a state that joins only at "and <verb>" made that recommendation alone.
            text, pieces = _piece(pieces[0]), pieces[1:]
        for raw in pieces:
            if raw:
                # keep the joining word ("and", "as well as") but not the slash or comma before a phrase
                joined = raw.strip(" \n/").lstrip("; ")
                if verb := re.search(r"\b(ratify|ratifying|sign|signing|join|joining|implement|accede|adhere|subscribe)$",
                                     text, re.I):
                    # "ratify (Bosnia) ... of the Convention": the shared object, not a noun's complement
                    preposition = "to " if verb.group(1).lower() in ("accede", "adhere", "subscribe") else ""
                    joined = re.sub(r"^of\s+", preposition, joined)
                text = f"{text}{'' if joined.startswith(',') else ' '}{joined}"
        by_text.setdefault(text.strip(" \n;,/:"), []).append(state)
    return [(text, codes) for text, codes in by_text.items() if len(text) > 3]


def _word_alternative(raw: str) -> str | None:
    """"/ applying": one or two lower-case words after a slash, standing in for the words before it."""
    match = re.fullmatch(r"\s*/\s*([a-z][a-z-]+(?: [a-z][a-z-]+)?)\s*", raw)
    if match and match.group(1).split()[0] not in _EXTENDERS | _DANGLING | {"and", "or", "to"}:
        return match.group(1)
    return None


def _replace_last_words(text: str, words: str) -> str:
    """"Continue promoting" + "applying" → "Continue applying": as many words replaced as given."""
    kept = text.split(" ")
    n = len(words.split(" "))
    return " ".join(kept[:-n] + [words]) if len(kept) > n else text


def _unresolved_state(text: str) -> str | None:
    """The last parenthesis of an item that found no state, when it reads like a state name."""
    groups = _PAREN.findall(uninvert_state_names(text))
    if not groups:
        return None
    last = re.sub(r"\s+", " ", groups[-1]).strip()
    if text.rstrip(" \n;.").endswith(")") and re.fullmatch(r"[A-Z][\w’'\-]+(?: (?:[A-Z][\w’'\-]+|of|the|and|de))*", last):
        return last
    return None


def recommendations_section(text: str) -> str:
    heads = list(_SECTION.finditer(text))
    if not heads:
        raise DocumentError("no 'Conclusions and/or recommendations' section found in the report")
    body = text[heads[-1].end():]
    for pattern in (_END, _ANNEX):
        if end := pattern.search(body):
            body = body[: end.start()]
    return body


def parse_working_group_report(pages: list[str], symbol: str, page_one: str) -> ParsedDocument:
    full = repair.remove_quoted_footnotes(repair.normalise_characters(repair.strip_page_furniture(pages)))
    flat = re.sub(r"\s+", " ", full)
    review_of = re.search(r"The review of (.{3,80}?) was held", flat)
    sur_name = review_of.group(1) if review_of else _title_state(page_one)
    if not sur_name:
        raise DocumentError("the State under Review is not named in the report")
    sur = _resolve_sur(sur_name)
    session, dates = session_and_dates(flat[:6000])
    section = recommendations_section(full)
    words = repair.vocabulary(full)
    elsewhere = paragraphs_addressed_elsewhere(section, sur)
    recommendations = [r for r in _report_items(section, words) if r.paragraph.split(".")[0] not in elsewhere]
    # The dialogue paragraph a reference points to may hold recommendations the section also lists.
    listed = {(normalise_text(r.text), tuple(r.recommending_states)) for r in recommendations}
    recommendations += [r for r in _referenced_dialogue_recommendations(full, section, words, sur)
                        if (normalise_text(r.text), tuple(r.recommending_states)) not in listed]
    if not recommendations:
        raise DocumentError(f"{symbol}: no recommendations found in the 'Conclusions and/or recommendations' section")
    return ParsedDocument(
        symbol=symbol, kind="working_group_report", state_under_review=sur, session=session, dates=dates,
        recommendations=recommendations, title="Report of the Working Group on the Universal Periodic Review",
    )


def _report_items(section: str, words: Counter) -> list[ParsedRecommendation]:
    """Walk the numbered lines of the section: top paragraphs (with their lead-in) and items."""
    items: list[tuple[str, str, str | None, bool]] = []  # (paragraph, raw text, response, implemented)
    top: int | None = None
    last_sub = 0
    response: tuple[str | None, bool] = (None, False)
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
        elif top is None or (first == top + 1 and re.match(
                r"\s*(?:The|All|In|These|Those|Other|Recommendations|Slovenia|"
                r"[A-Z][\w’' -]{0,40}? (?:accepts|accepted|supports|supported|considers|considered|takes note|took note|"
                r"notes|noted|rejects|rejected|does not|did not) (?:the|these|those|that|all|of|to|following)\b)",
                section[match.end():match.end() + 80])):
            top, last_sub = first, 0
            marks.append((match, str(first), "top"))
        elif last_sub < first <= last_sub + 5:
            marks.append((match, f"{top}.{first}", "item"))
            last_sub = first
    for index, (match, paragraph, role) in enumerate(marks):
        end = marks[index + 1][0].start() if index + 1 < len(marks) else len(section)
        body = section[match.end():end]
        if role == "top":
            # The lead-in ends at its colon; a top paragraph without items is itself a recommendation
            # only when it names states (rare: some reports number each recommendation as a paragraph).
            lead = body.split(":")[0]
            response = _response_of_intro(lead)
            continue
        items.append((paragraph, body, *response))
    recommendations = []
    for paragraph, body, response_value, implemented in items:
        if _is_commentary(body):
            continue
        text = repair.remove_footnote_marks(body)
        segments = split_recommendations(text)
        if not any(codes for _, codes in segments):
            unknown = _unresolved_state(re.sub(r"\s+", " ", text))
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


_DIALOGUE_REFERENCE = re.compile(r"\bparagraphs?\s+(?:numbers?\s+)?\d{1,3}\s*(?:\([a-z]\)\s*)?\(")


def _is_commentary(body: str) -> bool:
    """An item of a cycle-1 list that comments on recommendations of the dialogue ("With regard to
    recommendations concerning torture, as included in paragraphs 26 (a) (Czech Republic), ..."):
    its parentheses name who made the referenced recommendations, not a recommendation of its own."""
    flat = re.sub(r"\s+", " ", body)
    if re.match(r"\s*(?:With regard to|As regards|Regarding|Concerning|The recommendations? (?:under|in|contained))", flat):
        return bool(re.search(r"\bparagraphs?\b", flat))
    return len(_DIALOGUE_REFERENCE.findall(flat)) >= 2


_REFERENCE_SENTENCE = re.compile(
    r"recommendations[^.]{0,80}?\bin\s+paragraphs?\s+([^.]{1,800}?)(?:above\s+)?"
    r"(did\s+not\s+enjoy|enjoys?\s+the\s+support|(?:were|are)\s+(?:not\s+)?(?:accepted|supported|rejected))"
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


def _referenced_dialogue_recommendations(full: str, section: str, words: Counter,
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
        response, _ = _response_of_intro(sentence.group(0) + " " + section[sentence.end():sentence.end() + 60])
        listed = sentence.group(1) or sentence.group(4) or sentence.group(6)
        for number, letter in dialogue_references(listed):
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


# Verbs that open recommendations: every verb among the opening words of at least 8 of UPR Info's
# recommendations of sessions 1-20.
_OPENING_VERBS = frozenset("""
    abide abolish abrogate accede accelerate accept accomplish achieve acknowledge act adapt address adhere
    adjust adopt advance agree align allocate allow amend analyse analyze apply approve assess attach avoid
    ban become begin bolster bring broaden build call carry cease clarify close collaborate collect combat
    commit commute complete comply concentrate conclude condemn conduct confirm consider consolidate
    continue contribute cooperate create criminalise criminalize declare decriminalise decriminalize deepen
    define demonstrate deploy design designate develop devise devote disseminate double draft draw ease
    elaborate eliminate enable enact encourage end endeavour enforce engage enhance ensure envisage
    eradicate establish evaluate examine exert expand expedite explore extend facilitate fight finalise
    finalize find focus follow formulate foster fulfil give grant guarantee halt harmonise harmonize heed
    hold identify implement impose improve include incorporate increase inform initiate institute integrate
    intensify introduce invest investigate invite involve issue join keep launch lift look maintain make
    meet modify monitor move open organise organize participate pass pay permit persevere persist place
    prepare present prevent prioritise prioritize proceed prohibit promote promulgate prosecute protect
    provide publish pursue put raise ratify reach recognise recognize reconsider redouble reduce reform
    refrain reinforce reinstate release remain remove renew repeal report request resolve respect respond
    restore restrict review revise revoke safeguard secure seek set share sign spare speed start step stop
    strengthen strive study submit support suspend sustain take train treat undertake uphold use withdraw
    work
""".split())


def _semicolon_clauses(text: str) -> list[str]:
    """"Consider establishing a moratorium on death penalty; adopt specific legislation on domestic
    violence; and continue its cooperation with OHCHR": a semicolon before a verb that opens
    recommendations starts another one ("; until this happens", "; further steps" do not)."""
    clauses, start = [], 0
    for match in re.finditer(r";\s*(?:and\s+)?(?:to\s+)?([a-z]+)\b", text):
        if match.group(1) not in _OPENING_VERBS:
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
        for code in _states_named(flat[: verb.start()]):
            if code != sur:
                return code
    return None


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:of|the|and|[A-Z][\w'’-]*))*")


def _states_named(text: str) -> list[str]:
    """The states a sentence names, in order: each run of capitalised words, longest name first."""
    found = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group().split()
        start = 0
        while start < len(words):
            for end in range(min(len(words), start + 7), start, -1):
                if code := lookup_state(" ".join(words[start:end])):
                    found.append(code)
                    start = end
                    break
            else:
                start += 1
    return found


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
    text = re.sub(rf"[;,]\s*(?:and\s+)?(?:it\s+)?(?:also\s+)?{_REPORTED}\b.*$", "", text.strip())
    text = re.sub(r"[;,]?\s*(?:and|as well as)?(?:\s+also)?\s*$", "", text.strip())
    if not text:
        return None
    if letter > "a" and re.match(r"(?:the\s|[A-Z])", text) and not text.startswith("Recommended"):
        # "(c) consider the ratification of the Convention ... and (d) the Optional Protocol to CAT",
        # "to adhere to both the (b) Rome Statute of the ICC and (c) the OP-CAT": an instrument alone
        # takes the treaty verb of the item before it.
        if re.search(r"\bthe$", flat[: match.start()].rstrip()) and not text.startswith("the "):
            text = "the " + text
        previous = _lettered_item(body, chr(ord(letter) - 1)) or ""
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
    text = _imperative(text)  # "recommended that Burundi: (b) that the Government develop ..."
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
        clause = (rest[: end.start()] if end else rest).strip(" ;,")
        text = _imperative(clause)  # "recommended that the Government take ..." -> "Take ..."
        if text == clause:
            text = re.sub(r"^recommend(?:ed|s)\s+(?:that\s+)?:?\s*", "", clause)
            if not re.match(r"recommend(?:ed|s)\s+that\b", clause) and _nominal(text):
                text = "Recommended " + text  # "recommended further cooperation with special procedures"
        if len(text) > 3:
            found.append(text[:1].upper() + text[1:])
    return found


# ---------------------------------------------------------------------------------------------
# Responses addenda

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


def parse_responses_addendum(pages: list[str], symbol: str, page_one: str) -> ParsedDocument:
    name = _title_state(page_one)
    if not name:
        raise DocumentError(f"{symbol}: the State under Review is not named on page 1")
    sur = _resolve_sur(name)
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
        explanation = repair.join_lines(text)
        if refs and explanation:
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
        title="Views on conclusions and/or recommendations",
    )


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


# ---------------------------------------------------------------------------------------------
# OHCHR thematic lists (DOCX)

_LIST_HEADER = re.compile(r"UPR of (.+?)\s*\((\d)\w*\s+Cycle\s*[-–]\s*(\d{1,2})\w*\s+session\)", re.I)
_LIST_PARAGRAPH = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?\s+", re.S)
_SOURCE = re.compile(r"\n?\s*Source of position\s*:\s*(.*)$", re.I | re.S)


def parse_thematic_list(path: Path | str) -> ParsedDocument:
    document = open_docx(path)
    header = " ".join(p.text for s in document.sections for p in s.header.paragraphs)
    match = _LIST_HEADER.search(header)
    tables = [t for t in document.tables if t.rows and "recommendation" in t.rows[0].cells[0].text.lower()]
    if not match or not tables:
        raise DocumentError(
            "not an OHCHR thematic list of recommendations (no 'UPR of <State> (<n> Cycle – <n> session)' "
            "header or no recommendations table)"
        )
    sur = _resolve_sur(match.group(1))
    session = int(match.group(3))
    recommendations: list[ParsedRecommendation] = []
    seen: set[str] = set()
    for table in tables:
        header_cells = [c.text.lower() for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            if len(cells) < 3 or not (para := _LIST_PARAGRAPH.match(cells[0])):
                continue
            paragraph = para.group(1)
            body = cells[0][para.end():]
            source = ""
            if found := _SOURCE.search(body):
                source = re.sub(r"\s+", " ", found.group(1)).strip()
                body = body[: found.start()]
            parts = split_recommendations(body)
            if not any(c for _, c in parts) and (unknown := _unresolved_state(body.strip())):
                raise DocumentError(f"paragraph {paragraph}: recommending state cannot be resolved: "
                                    f"{UnknownStateError(unknown)}")
            labels = _list_labels(cells[2], cells[3] if len(cells) > 3 and "sdg" in header_cells[3] else "")
            position = cells[1].strip().lower()
            response = "supported" if position.startswith("support") else "noted" if position.startswith("note") else (
                "partially supported" if "partial" in position else None)
            if paragraph in seen:
                continue  # the same recommendation listed again under another theme
            seen.add(paragraph)
            # One row may hold several recommendations of one paragraph, each with its own states.
            for text, segment_codes in parts or [(body.strip(), [])]:
                recommendations.append(ParsedRecommendation(
                    paragraph=paragraph, text=repair.clean_text(text), recommending_states=segment_codes,
                    response=response, source_of_position=source, **labels,
                ))
    if not recommendations:
        raise DocumentError("the thematic list has no recommendations")
    return ParsedDocument(
        symbol=f"OHCHR thematic list {sur} WG{session}", kind="thematic_list", state_under_review=sur,
        session=session, dates={}, recommendations=recommendations, title="Thematic list of recommendations",
    )


def _list_labels(themes_cell: str, sdg_cell: str) -> dict[str, list[str]]:
    """Themes, affected persons and SDGs from the list's cells (all three layouts since 2013)."""
    themes: list[str] = []
    persons: list[str] = []
    sdgs: list[str] = []
    target = themes
    for raw in (themes_cell + "\n" + sdg_cell).split("\n"):
        line = raw.strip().lstrip("-•").strip()
        low = line.lower()
        if not line:
            continue
        if low.startswith(("affected persons", "groups of persons", "persons")):
            target = persons
            continue
        if low.startswith("sdgs") or low.startswith("relevant sdg"):
            target = sdgs
            continue
        if sdg := re.match(r"S(\d{1,2})\s+SDG\s+\d{1,2}\s*-\s*(.*)", line):
            sdgs.append(f"SDG {int(sdg.group(1))}")
            continue
        if target is sdgs or re.match(r"\d{1,2}\s*-\s*[A-Z ,&]+$", line):
            if m := re.match(r"(\d{1,2})\s*-", line):
                sdgs.append(f"SDG {int(m.group(1))}")
            continue
        target.append(line)
    return {
        "themes": list(dict.fromkeys(themes)),
        "affected_persons": list(dict.fromkeys(persons)),
        "sdgs": list(dict.fromkeys(sdgs)),
    }
