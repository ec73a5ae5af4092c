"""What the parsers return: a document and its recommendations, and the JSON shape ``uprwatch parse`` prints."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field

from uprwatch.documents.extraction import DocumentError
from uprwatch.records.states import load_states

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
    state_source: str = ""  # how the State under Review was found, when the document does not say it plainly

    def to_json(self) -> dict:
        """The shape ``uprwatch parse --format json`` prints (and the bundled files store).

        States are ISO3 codes (``"KOR"``), each with its name beside it (``"Republic of Korea"``): codes
        for programs, names for people reading the output (``from_json`` reads the codes only, so bundled
        files written before the names were added read the same).
        """
        names = state_names()
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
                "state_under_review_source": self.state_source,
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
            state_source=doc.get("state_under_review_source", ""),
        )


@functools.cache
def state_names() -> dict[str, str]:
    return {state.iso3: state.name for state in load_states()}


def as_dict(rec: ParsedRecommendation) -> dict:
    return asdict(rec)


@dataclass
class DocumentIdentity:
    """What a document is, read from its first pages: enough to store it and link it to its review even
    when it holds no recommendations (a national report, a compilation, a Council decision)."""

    kind: str  # working_group_report, draft_report, responses_addendum, national_report, compilation,
    # stakeholder_summary, council_decision, council_session_report, advance_questions, unknown
    symbol: str = ""
    state_under_review: str = ""  # ISO3 when the document names it
    session: int | None = None  # Working Group session when the document names it
    title: str = ""

    def to_json(self) -> dict:
        return asdict(self)


class NotRecommendationsError(DocumentError):
    """A readable UN document that holds no recommendations to parse: ``identity`` says what it is, so a
    caller can still store it and link it to its review; the message says what to read instead."""

    def __init__(self, message: str, identity: DocumentIdentity):
        super().__init__(message)
        self.identity = identity
