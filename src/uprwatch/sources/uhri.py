"""Read OHCHR's Universal Human Rights Index (UHRI) full export: JSON or XLSX, as a stream.

``read_export(path)`` yields ``merge.UprRecord`` (UPR recommendations) and ``merge.MechanismRecord``
(treaty bodies, special procedures) one at a time; ``reader.report`` counts what it skipped (reason →
count) and what it did not understand (``unrecognised``: column or value → count), so a change of the
format is seen rather than swallowed. The format is decided by the file's content, not its name; the
360 MB JSON is parsed with ijson (never held whole) and the XLSX with openpyxl in read-only mode.

What the export is known to do (``../shared/sources/README.md`` §1) and how each is handled:

- headers matched by normalised name ("Reccomending Body" and "Recommending Body" alike);
- cells carry a leading ``"- "``; a list puts one item per line: lists are split on line breaks only,
  never on "-" (Timor-Leste, Guinea-Bissau);
- ``Text`` is HTML: tags stripped, entities decoded (``&nbsp;`` ``&rsquo;`` ``&#8209;``);
- UPR texts open with a paragraph reference in several forms (``137.197 …``, ``Recommendation No. 41,
  para. 81: 41. …``, ``Recommendations contained in para. 79(a): …``, ``para. 28: …``, ``67. …``): it
  becomes the paragraph and leaves the text;
- ``Supported/Noted`` is a partial support; a stray ``Concerns/Observations`` position is ignored (counted);
- rows opening ``Response of …`` are the state's answers, not recommendations, and content-free rows
  exist: both skipped, counted by reason;
- observer asterisks (``State of Palestine*``) and ISO-2 codes (``PK``, ``CZ``) in country lists;
- committees under two names (``CRC`` / ``Committee on the Rights of the Child``) become one;
- A/HRC/22/3 is tagged Uzbekistan and Czechia (it is Czechia's); in A/HRC/18/16 recommendations addressed
  to Sudan and South Sudan jointly belong to both (one record for each);
- ``UPR Session`` (``- 28th Session - Cycle 2``) may give the Working Group's or the Council's session:
  the cycle is read, the number is checked against the document symbol (``A/HRC/NN/…``: the Council
  session) and the calendar (the state's Working Group session in that cycle); a contradiction is
  reported (skipped, with its reason) rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from uprwatch.errors import Invalid
from uprwatch.records.cycles import CYCLE_SESSIONS, cycle_of_session
from uprwatch.records.models import Response
from uprwatch.records.states import StateRecord, try_resolve_state
from uprwatch.sources.bodies import SPECIAL_PROCEDURE_PREFIXES as SPECIAL_PROCEDURE_PREFIXES
from uprwatch.sources.bodies import TREATY_BODIES as TREATY_BODIES
from uprwatch.sources.bodies import canonical_body as canonical_body
from uprwatch.sources.download import sniff
from uprwatch.sources.merge import MechanismRecord, UprRecord

SOURCE = "uhri"
DEFAULT_URL = "https://dataex.ohchr.org/uhri/export-results/export-full-en.json"


class ExportError(Invalid):
    """A file that is not a readable UHRI export; the message names the file and what is wrong."""


# --- columns ---------------------------------------------------------------------------------------

def normalise_header(name: str) -> str:
    """``"UPR Reccomending States"`` → ``"uprrecommendingstates"``: case, spaces, punctuation and the typo folded."""
    key = re.sub(r"[^a-z0-9]", "", str(name or "").casefold())
    return key.replace("reccomend", "recommend").replace("recomend", "recommend")


# normalised header (JSON key or XLSX column) -> field
COLUMNS = {
    "annotationid": "annotation_id", "ohchrannotationid": "annotation_id",
    "annotationtype": "type", "type": "type",
    "body": "body", "recommendingbody": "body",
    "countries": "countries", "countriesconcerned": "countries",
    "regions": "regions", "regionsconcerned": "regions",
    "documentid": "document_id",
    "symbol": "symbol", "documentsymbol": "symbol",
    "publicationdate": "published", "documentpublicationdate": "published",
    "publicationdateonuhri": "published_on_uhri", "dateofpublicationonuhri": "published_on_uhri",
    "themes": "themes",
    "affectedpersons": "affected_persons",
    "sdgs": "sdgs",
    "text": "text",
    "uprcycle": "cycle",
    "uprsession": "session",
    "uprpositions": "position", "uprposition": "position",
    "uprrecommendingcountry": "recommending_states", "uprrecommendingstates": "recommending_states",
    "uprrecommendingcountries": "recommending_states",
    "uprrecommendingregions": "recommending_regions", "recommendingregions": "recommending_regions",
}
REQUIRED = ("annotation_id", "text", "body", "countries")

# The bodies (treaty bodies, special procedures) and their names: sources.bodies, shared with the mechanism search.


# --- cells ---------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_BREAK_TAG = re.compile(r"<\s*(br|/p|/li|/div)\s*/?\s*>", re.I)
_DASHES = str.maketrans({"\u2011": "-", "\u2010": "-", "\u00a0": " ", "\u202f": " "})


def clean_text(value: object) -> str:
    """HTML text to plain text: tags out, entities decoded, non-breaking spaces and hyphens made plain."""
    text = "" if value is None else str(value)
    if "<" in text:
        text = _TAG.sub("", _BREAK_TAG.sub(" ", text))
    if "&" in text:  # most cells have no entity: skip the decoder (the reader's hottest line)
        text = html.unescape(text)
    if not text.isascii():
        text = text.translate(_DASHES)
    return " ".join(text.split())


def cell_items(value: object) -> list[str]:
    """A list cell's items: JSON lists as they are, strings split on line breaks only; "- " prefixes off."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else re.split(r"\r\n|\r|\n|<br\s*/?>", str(value))
    items = []
    for part in parts:
        if isinstance(part, dict):  # a labelled item {"Label": ...} in some JSON versions
            part = part.get("Label") or part.get("label") or part.get("Name") or part.get("name") or ""
        item = clean_text(part)
        if item.startswith("- "):  # clean_text left one space: "- Iraq" -> "Iraq"; "-5" stays
            item = item[2:]
        if item and item != "-":
            items.append(item)
    return items


def cell_one(value: object) -> str:
    items = cell_items(value)
    return items[0] if items else ""


def parse_date(value: object) -> dt.date | None:
    """``2025-02-12T00:00:00``, an Excel serial (``46125.4996``) or a datetime → a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = cell_one(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        try:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))
        except ValueError:
            return None


# --- UPR specifics --------------------------------------------------------------------------------------

_PARAGRAPH_FORMS = (
    # "Recommendation No. 41, para. 81: 41. Text" -> 81.41
    (re.compile(r"^Recommendations?\s+No\.?\s*(\d+)\s*,\s*para(?:graph)?s?\.?\s*(\d+)\s*:\s*(?:\1\s*\.\s*)?", re.I),
     lambda m: f"{m.group(2)}.{m.group(1)}"),
    # "Recommendations contained in para. 79(a): Text" -> 79(a)
    (re.compile(r"^Recommendations?\s+contained\s+in\s+para(?:graph)?s?\.?\s*(\d+(?:\.\d+)*(?:\s*\([a-z0-9]+\))?)\s*:\s*",
                re.I), lambda m: m.group(1).replace(" ", "")),
    # "para. 28: Text" -> 28
    (re.compile(r"^para(?:graph)?s?\.?\s*(\d+(?:\.\d+)*(?:\([a-z0-9]+\))?)\s*:\s*", re.I), lambda m: m.group(1)),
    # "137.197 Text", "137.197. Text", "67. Text"
    (re.compile(r"^(\d{1,3}\.\d{1,3})\.?\s+(?=\S)"), lambda m: m.group(1)),
    (re.compile(r"^(\d{1,3})\.\s+(?=\S)"), lambda m: m.group(1)),
)


def split_paragraph(text: str) -> tuple[str, str]:
    """(paragraph, text without it); ``""`` when the text names none."""
    for pattern, paragraph in _PARAGRAPH_FORMS:
        match = pattern.match(text)
        if match:
            rest = text[match.end():].strip()
            # "Recommendation No. 41, para. 81: 41. Text": the inner "41." may remain after the colon
            rest = re.sub(r"^\d{1,3}\.\s+", "", rest) if pattern is _PARAGRAPH_FORMS[0][0] else rest
            return paragraph(match)[:20], rest
    return "", text


POSITIONS = {"supported": Response.SUPPORTED, "noted": Response.NOTED,
             "supported/noted": Response.PARTIALLY_SUPPORTED, "supported / noted": Response.PARTIALLY_SUPPORTED,
             "partially supported": Response.PARTIALLY_SUPPORTED}
IGNORED_POSITIONS = {"concerns/observations"}

_SESSION = re.compile(r"(\d+)\s*(?:st|nd|rd|th)?\s+session", re.I)
_CYCLE = re.compile(r"cycle\s*(\d)", re.I)
_COUNCIL_SYMBOL = re.compile(r"^A/HRC/(\d+)/")
_WG_SYMBOL = re.compile(r"^A/HRC/WG\.6/(\d+)/")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TRAILING_STATES = re.compile(r"\s*\(([^()]{2,300})\)\s*[;.,]?\s*$")

# Documents the export tags wrongly (sources note §1): symbol -> the States under Review it is about.
KNOWN_DOCUMENT_STATES = {
    "A/HRC/22/3": ("CZE",),  # tagged Uzbekistan and Czechia; the report is Czechia's
    "A/HRC/18/16": ("SDN", "SSD"),  # Sudan's review: recommendations to Sudan and South Sudan jointly
}


def council_session_year(number: int) -> int:
    """The year a Human Rights Council session meets: sessions 1-3 in 2006, then three a year (4-6 in 2007, ...)."""
    return 2006 if number <= 3 else 2007 + (number - 4) // 3


# --- the reader ------------------------------------------------------------------------------------------

@dataclass
class ReadReport:
    records: int = 0
    upr: int = 0
    other: int = 0
    skipped: Counter = field(default_factory=Counter)
    unrecognised: Counter = field(default_factory=Counter)
    format: str = ""
    # every annotation id the export holds, read or skipped: what a previous sync loaded and this export no
    # longer holds is reported (``sync.missing_from_source``), not taken for a row that was merely skipped
    annotation_ids: set[str] = field(default_factory=set, repr=False)


class ExportReader:
    """Iterate over a UHRI export; ``report`` fills as it goes. ``schedule`` is the calendar (tests pass one)."""

    def __init__(self, path: Path | str, schedule=None):
        self.path = Path(path)
        self.report = ReadReport()
        self._schedule = schedule
        self._sessions: dict[tuple[str, int], int] | None = None

    # --- the two formats -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[UprRecord | MechanismRecord]:
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise ExportError(f"{self.path}: cannot open ({exc.strerror})") from exc
        kind = sniff(head)
        self.report.format = kind
        if kind == "json":
            rows = self._json_rows()
        elif kind in ("xlsx", "zip"):
            rows = self._xlsx_rows()
        elif kind == "html":
            raise ExportError(f"{self.path.name}: an HTML page, not a UHRI export (JSON or XLSX)")
        else:
            raise ExportError(f"{self.path.name}: not a UHRI export (expected JSON or XLSX, found "
                              f"{'an empty file' if not head else kind.upper() + ' content'})")
        for row in rows:
            self.report.records += 1
            yield from self._records(row)

    def _map_columns(self, names: list[str]) -> dict[str, str]:
        mapping = {}
        for name in names:
            target = COLUMNS.get(normalise_header(name))
            if target:
                mapping[name] = target
        missing = [f for f in REQUIRED if f not in mapping.values()]
        if missing:
            raise ExportError(f"{self.path.name}: missing column(s) {', '.join(missing)} "
                              f"(found: {', '.join(str(n) for n in names)[:300]})")
        return mapping

    def _json_rows(self) -> Iterator[dict]:
        import ijson

        mapping: dict[str, str] | None = None
        try:
            with open(self.path, "rb") as handle:
                for item in ijson.items(handle, "item", use_float=True):
                    if not isinstance(item, dict):
                        raise ExportError(f"{self.path.name}: record {self.report.records + 1} is not an object")
                    if mapping is None:
                        mapping = self._map_columns(list(item))
                    row = {}
                    for key, value in item.items():
                        target = mapping.get(key) or COLUMNS.get(normalise_header(key))
                        if target:
                            row[target] = value
                        elif value not in (None, "", []):
                            self.report.unrecognised[f"column: {key}"] += 1
                    yield row
        except ijson.JSONError as exc:
            raise ExportError(f"{self.path.name}: not valid JSON after {self.report.records:,} records "
                              f"(truncated or damaged file: {str(exc).splitlines()[0][:120]})") from exc
        if mapping is None:
            raise ExportError(f"{self.path.name}: no records (expected a JSON array of UHRI records)")

    def _xlsx_rows(self) -> Iterator[dict]:
        import openpyxl

        # A file object, not the path: openpyxl refuses a name without an Excel extension (the content decides).
        handle = open(self.path, "rb")  # noqa: SIM115 (read-only workbooks read it until closed)
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            handle.close()
            raise ExportError(f"{self.path.name}: not a readable XLSX file (truncated or damaged: {exc})") from exc
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            try:
                header = [str(c).strip() if c is not None else "" for c in next(rows)]
            except StopIteration:
                raise ExportError(f"{self.path.name}: the sheet is empty") from None
            mapping = self._map_columns(header)
            for name in header:
                if name and name not in mapping:
                    self.report.unrecognised[f"column: {name}"] += 1
            columns = [(i, mapping[name]) for i, name in enumerate(header) if name in mapping]
            try:
                for values in rows:
                    if values is None or all(v is None for v in values):
                        continue
                    yield {target: values[i] if i < len(values) else None for i, target in columns}
            except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as exc:
                raise ExportError(f"{self.path.name}: the XLSX file is truncated or damaged after "
                                  f"{self.report.records:,} rows ({exc})") from exc
        finally:
            workbook.close()
            handle.close()

    # --- one row -------------------------------------------------------------------------------------

    def _skip(self, reason: str) -> list:
        self.report.skipped[reason] += 1
        return []

    def _records(self, row: dict) -> list[UprRecord | MechanismRecord]:
        record_id = cell_one(row.get("annotation_id"))
        if not record_id:
            return self._skip("no annotation id")
        self.report.annotation_ids.add(record_id)
        text = clean_text(row.get("text"))
        if not text or not re.search(r"[A-Za-z]{3}", text):
            return self._skip("no text")
        if re.match(r"^Response of\b", text, re.I):
            return self._skip("response of the state, not a recommendation")
        body_value = cell_one(row.get("body"))
        if not body_value:
            return self._skip("no recommending body")
        body, body_kind = canonical_body(body_value)
        if body_kind == "other":
            self.report.unrecognised[f"body: {body_value}"] += 1
        symbol = cell_one(row.get("symbol"))
        published = parse_date(row.get("published"))
        countries = self._states(row.get("countries"), "country")
        data = {"symbol": symbol, "body": body_value, "countries": cell_items(row.get("countries")),
                "published_on_uhri": str(parse_date(row.get("published_on_uhri")) or "")}
        themes = cell_items(row.get("themes"))
        affected = cell_items(row.get("affected_persons"))
        sdgs = cell_items(row.get("sdgs"))
        url = f"https://docs.un.org/en/{symbol}" if symbol else ""
        if body_kind != "upr":
            self.report.other += 1
            return [MechanismRecord(
                source=SOURCE, record_id=record_id, body=body, body_kind=body_kind,
                kind=self._kind(row.get("type")), text=text, states=[s.iso3 for s in countries], symbol=symbol,
                published=published, url=url, themes=themes, affected_persons=affected, sdgs=sdgs, data=data,
            )]
        return self._upr(row, record_id, text, symbol, published, countries, themes, affected, sdgs, url, data)

    def _kind(self, value: object) -> str:
        label = cell_one(value).casefold()
        if label.startswith("recommendation"):
            return "recommendation"
        if label.startswith(("concern", "observation")):
            return "observation"
        if label:
            self.report.unrecognised["type: (a UUID)" if _UUID.match(label) else f"type: {cell_one(value)}"] += 1
        return "other"

    def _states(self, value: object, what: str) -> list[StateRecord]:
        found = []
        for item in cell_items(value):
            state = _resolve(item)
            if state is None:
                self.report.unrecognised[f"{what}: {item}"] += 1
            elif state not in found:
                found.append(state)
        return found

    def _upr(self, row, record_id, text, symbol, published, countries, themes, affected, sdgs, url, data):
        paragraph, text = split_paragraph(text)
        if not text:
            return self._skip("no text")
        recommending = self._states(row.get("recommending_states"), "recommending state")
        text = _strip_trailing_states(text, {s.iso3 for s in recommending})
        response = self._position(row.get("position"))
        if symbol in KNOWN_DOCUMENT_STATES:
            countries = [s for s in (_resolve(c) for c in KNOWN_DOCUMENT_STATES[symbol]) if s is not None]
        if not countries:
            return self._skip("no State under Review recognised")
        cycle, number = self._cycle_and_number(row)
        records = []
        joint = symbol in KNOWN_DOCUMENT_STATES and len(countries) > 1
        fitting = []
        reasons = []
        for state in countries:
            session, reason = self._session(state, cycle, number, symbol)
            if session is None:
                reasons.append(reason)
            else:
                fitting.append((state, session))
        if joint:
            # Addressed jointly: every state gets the recommendation, made at the review the report is of.
            anchor = next((s for _, s in fitting), None)
            fitting = [(state, anchor) for state in countries] if anchor else []
        elif len(fitting) > 1:
            return self._skip("several States under Review fit the document (ambiguous)")
        if not fitting:
            if not reasons:
                return self._skip("session unknown")
            # Reported, not guessed: the reason (same for every record of the document) says what disagrees.
            self.report.unrecognised[f"session contradiction: {reasons[0]}"] += 1
            return self._skip("session contradicts the document symbol or the calendar")
        for state, session in fitting:
            records.append(UprRecord(
                source=SOURCE, record_id=record_id if len(fitting) == 1 else f"{record_id}#{state.iso3}",
                state_under_review=state.iso3, session=session, text=text,
                recommending_states=[s.iso3 for s in recommending], response=response, paragraph=paragraph,
                published=published, url=url, document_symbol=symbol, themes=themes, affected_persons=affected,
                sdgs=sdgs, data=data | {"upr_session": cell_items(row.get("session")),
                                        "position": cell_items(row.get("position")),
                                        "recommending": cell_items(row.get("recommending_states"))},
            ))
        self.report.upr += len(records)
        return records

    def _position(self, value: object) -> str:
        answers = set()
        for item in cell_items(value):
            key = " ".join(item.casefold().split())
            if key in POSITIONS:
                answers.add(POSITIONS[key])
            elif key in IGNORED_POSITIONS:
                self.report.unrecognised[f"UPR position ignored: {item}"] += 1
            else:
                self.report.unrecognised[f"UPR position: {item}"] += 1
        if len(answers) > 1:  # supported in part, noted in part
            return Response.PARTIALLY_SUPPORTED
        return answers.pop() if answers else ""

    def _cycle_and_number(self, row: dict) -> tuple[int | None, int | None]:
        cycle = number = None
        for item in cell_items(row.get("session")):
            if (m := _CYCLE.search(item)) and cycle is None:
                cycle = int(m.group(1))
            if (m := _SESSION.search(item)) and number is None:
                number = int(m.group(1))
            if not _CYCLE.search(item) and not _SESSION.search(item):
                self.report.unrecognised[f"UPR session: {item}"] += 1
        cycle_value = row.get("cycle")
        if cycle_value not in (None, ""):
            m = re.search(r"(\d+)", str(cycle_value))
            if m and cycle is None:
                cycle = int(m.group(1))
            elif not m:
                self.report.unrecognised[f"UPR cycle: {cycle_value}"] += 1
        return cycle, number

    def _session(self, state: StateRecord, cycle: int | None, number: int | None,
                 symbol: str) -> tuple[int | None, str]:
        """The Working Group session of this state's review, or (None, why not)."""
        if m := _WG_SYMBOL.match(symbol):
            session = int(m.group(1))
            if cycle and cycle_of_session(session) != cycle:
                return None, f"{symbol} is cycle {cycle_of_session(session)}, the record says cycle {cycle}"
            return session, ""
        council = int(m.group(1)) if (m := _COUNCIL_SYMBOL.match(symbol)) else None
        if cycle is None and number is not None and number in range(1, CYCLE_SESSIONS[5][1] + 1):
            if council is None or number != council:
                cycle = cycle_of_session(number)
        if cycle is None and council is not None:
            cycle = self._cycle_of_council_session(state, council)
        if cycle is None:
            return None, "no cycle"
        expected = self.sessions().get((state.iso3, cycle))
        if expected is None:
            return None, f"{state.name} has no review in cycle {cycle}"
        if number is not None and number not in (expected, council):
            return None, f"session {number}, but {state.name}'s cycle-{cycle} review is session {expected}" + (
                f" and {symbol} is of Council session {council}" if council else "")
        if council is not None:
            gap = council_session_year(council) - self.session_year(expected)
            if gap not in (0, 1):
                return None, f"{symbol} (Council session {council}) does not fit {state.name}'s review in " \
                             f"session {expected} ({self.session_year(expected)})"
        return expected, ""

    def _cycle_of_council_session(self, state: StateRecord, council: int) -> int | None:
        for (iso3, cycle), session in self.sessions().items():
            if iso3 == state.iso3 and council_session_year(council) - self.session_year(session) in (0, 1):
                return cycle
        return None

    # --- the calendar ---------------------------------------------------------------------------------

    def sessions(self) -> dict[tuple[str, int], int]:
        """(ISO3, cycle) → Working Group session of that review (the calendar, with reviews in the database)."""
        if self._sessions is None:
            from uprwatch.calendar.schedule import Schedule

            schedule = self._schedule or Schedule()
            self._schedule = schedule
            self._sessions = {(e.iso3, e.cycle): e.session for e in schedule.all_reviews()}
        return self._sessions

    def session_year(self, session: int) -> int:
        self.sessions()
        return self._schedule.sessions[session].year


@functools.lru_cache(maxsize=4096)
def _resolve(name: str) -> StateRecord | None:
    """A state by name or ISO code; the observer asterisk (``State of Palestine*``) is not part of the name."""
    return try_resolve_state(name.rstrip("* ").strip())


def _strip_trailing_states(text: str, recommending: set[str]) -> str:
    """``… non-refoulement (Republic of Korea);`` → the text alone, when the parentheses name the recommenders."""
    match = _TRAILING_STATES.search(text)
    if not match:
        return text
    names = [n for n in re.split(r"\s*[,;]\s*|\s+and\s+", match.group(1)) if n]
    resolved = [_resolve(n) for n in names]
    if names and all(r is not None for r in resolved) and (not recommending or
                                                           {r.iso3 for r in resolved} <= recommending):
        return text[:match.start()].rstrip(" ;,")
    return text


def read_export(path: Path | str, schedule=None) -> ExportReader:
    """An iterable reader over the export; its ``report`` is complete once the iteration ends."""
    return ExportReader(path, schedule)
