"""UPR Info's database (on Uwazi) as uprwatch records: issues, action categories, sessions, responses.

``map_entity`` turns one Uwazi entity of the recommendation template into a plain dict, counting in
``unrecognised`` everything it did not understand (a metadata field it does not know, a response, a
session label, a state name) instead of guessing or failing: a format change shows up in the report.

UPR Info answers ``Supported``, ``Noted`` or ``Not Supported``. The third is kept as its own response
value (``not supported``) wherever UPR Info says it; analyses that count supported/noted count it as
noted (the UN's own vocabulary has only "supports" and "notes").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from uprwatch.records.cycles import CYCLE_SESSIONS, cycle_of_session
from uprwatch.records.states import try_resolve_state

RECOMMENDATION_TEMPLATE = "5d8ce04361cde0408222e9a8"
STATE_TEMPLATE = "5d8cdec361cde0408222d3ec"
REVIEW_DOCUMENT_TEMPLATE = "5e57cdd6f54e0a1304c0d50d"
DATASET = "UPR Info database (live)"
SOURCE = "upr-info"

KNOWN_FIELDS = frozenset({
    "recommendation", "state_under_review", "recommending_state", "response", "issues", "cycle", "session",
    "action_category", "state_under_review___regional_group", "recommending_state___regional_group",
})
RESPONSES = {
    "supported": "supported",
    "noted": "noted",
    "not supported": "not supported",
    "supported/noted": "partially supported",
    "partially supported": "partially supported",
}
_SESSION = re.compile(r"^\s*(\d{1,3})\s*[-–]\s*\S")
_CYCLE = re.compile(r"^\s*cycle\s*(\d)\s*$", re.I)
_ACTION = re.compile(r"^\s*([1-5])\s*[-–]\s*\S")
_MARKDOWN = re.compile(r"(\*\*|__|`|^#+\s*|^>\s*)", re.M)


@dataclass
class Mapping:
    """What a pass made of the entities: records keyed by ``sharedId`` and what was not understood."""

    records: dict[str, dict] = field(default_factory=dict)
    unrecognised: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    vocabulary: dict[str, str] = field(default_factory=dict)  # thesaurus value id -> label


def read_schema(templates: list[dict], thesauri: list[dict], mapping: Mapping) -> None:
    """Check the recommendation template against what the mapping knows (a new property is reported,
    not ignored) and learn the thesauri's labels, for values an entity gives without their label."""
    template = next((t for t in templates if t.get("_id") == RECOMMENDATION_TEMPLATE), None)
    if template is None:
        mapping.unrecognised[f"template {RECOMMENDATION_TEMPLATE} (recommendation) is not listed"] += 1
    else:
        for prop in template.get("properties") or []:
            name = prop.get("name") if isinstance(prop, dict) else None
            if name and name not in KNOWN_FIELDS:
                mapping.unrecognised[f"template property: {name}"] += 1

    def learn(values) -> None:
        for value in values or []:
            if isinstance(value, dict):
                if value.get("id") and isinstance(value.get("label"), str):
                    mapping.vocabulary[str(value["id"])] = value["label"]
                learn(value.get("values"))

    for thesaurus in thesauri:
        if isinstance(thesaurus, dict):
            learn(thesaurus.get("values"))


def entity_url(base_url: str, shared_id: str) -> str:
    return f"{base_url.rstrip('/')}/entity/{shared_id}"


def _values(metadata: dict, key: str) -> list[dict]:
    value = metadata.get(key) or []
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _labels(metadata: dict, key: str, vocabulary: dict[str, str] | None = None) -> list[str]:
    labels = []
    for item in _values(metadata, key):
        label = item.get("label") or (vocabulary or {}).get(str(item.get("value"))) or item.get("value")
        if isinstance(label, str) and label.strip():
            labels.append(" ".join(label.split()))
    return labels


def plain_text(markdown: str) -> str:
    """UPR Info's recommendation text is markdown; uprwatch keeps plain text."""
    return " ".join(_MARKDOWN.sub("", markdown).split())


def session_number(label: str, cycle: int | None, sur_iso3: str) -> int | None:
    """``44 - November 2023`` -> 44; ``Unknown session`` -> the state's session in that cycle, by the calendar."""
    match = _SESSION.match(label)
    if match:
        return int(match.group(1))
    if label.casefold() == "unknown session" and cycle in CYCLE_SESSIONS:
        from uprwatch.calendar.schedule import reviews_of

        for entry in reviews_of(sur_iso3):
            if entry.cycle == cycle:
                return entry.session
    return None


def map_entity(entity: dict, mapping: Mapping, base_url: str) -> dict | None:
    """One Uwazi entity -> a record dict (or None, with the reason counted)."""
    template = entity.get("template")
    if template != RECOMMENDATION_TEMPLATE:
        if template in (STATE_TEMPLATE, REVIEW_DOCUMENT_TEMPLATE):
            mapping.skipped["not a recommendation"] += 1
        else:
            mapping.unrecognised[f"template: {template}"] += 1
        return None
    shared_id = entity.get("sharedId")
    metadata = entity.get("metadata")
    if not isinstance(shared_id, str) or not shared_id or not isinstance(metadata, dict):
        mapping.unrecognised["entity without sharedId or metadata"] += 1
        return None
    for key in metadata:
        if key not in KNOWN_FIELDS:
            mapping.unrecognised[f"field: {key}"] += 1

    def labels(key: str) -> list[str]:
        return _labels(metadata, key, mapping.vocabulary)

    text_values = _values(metadata, "recommendation")
    text = plain_text(str(text_values[0].get("value") or "")) if text_values else ""
    text = text or " ".join(str(entity.get("title") or "").split())
    if not text:
        mapping.skipped["no recommendation text"] += 1
        return None

    sur_labels = labels("state_under_review")
    sur = try_resolve_state(sur_labels[0]) if sur_labels else None
    if sur is None:
        mapping.unrecognised[f"state under review: {sur_labels[0] if sur_labels else '(none)'}"] += 1
        return None

    cycle = None
    for label in labels("cycle"):
        match = _CYCLE.match(label)
        if match:
            cycle = int(match.group(1))
        else:
            mapping.unrecognised[f"cycle: {label}"] += 1
    session_labels = labels("session")
    session = session_number(session_labels[0], cycle, sur.iso3) if session_labels else None
    if session is None or not CYCLE_SESSIONS[1][0] <= session <= CYCLE_SESSIONS[5][1]:
        mapping.unrecognised[f"session: {session_labels[0] if session_labels else '(none)'}"] += 1
        return None
    if cycle is not None and cycle_of_session(session) != cycle:
        mapping.unrecognised[f"session {session} is not in cycle {cycle}"] += 1

    recommending = []
    for name in labels("recommending_state"):
        state = try_resolve_state(name)
        if state is None:
            mapping.unrecognised[f"recommending state: {name}"] += 1
        elif state.iso3 not in recommending:
            recommending.append(state.iso3)

    response_labels = labels("response")
    if not response_labels:
        response = "pending"  # the review is held, the state has not answered yet
    else:
        response = RESPONSES.get(response_labels[0].casefold())
        if response is None:
            mapping.unrecognised[f"response: {response_labels[0]}"] += 1
            response = "unknown"

    action = None
    for label in labels("action_category"):
        match = _ACTION.match(label)
        if match:
            action = int(match.group(1))
        else:
            mapping.unrecognised[f"action category: {label}"] += 1

    return {
        "record_id": shared_id,
        "sur": sur.iso3,
        "session": session,
        "by": recommending,
        "text": text,
        "response": response,
        "action": action,
        "issues": labels("issues"),
        "url": entity_url(base_url, shared_id),
        "edited_ms": entity.get("editDate") if isinstance(entity.get("editDate"), (int, float)) else None,
        "original": {
            "response": response_labels[0] if response_labels else "",
            "session": session_labels[0] if session_labels else "",
            "state_under_review": sur_labels[0],
            "recommending_state": labels("recommending_state"),
            "action_category": labels("action_category"),
        },
    }


def map_entities(entities, base_url: str, mapping: Mapping | None = None) -> Mapping:
    mapping = mapping or Mapping()
    for entity in entities:
        if not isinstance(entity, dict):
            mapping.unrecognised["entity that is not an object"] += 1
            continue
        record = map_entity(entity, mapping, base_url)
        if record is not None:
            # a later page holds the later edit when an entity moved between pages during the pass
            mapping.records[record["record_id"]] = record
    return mapping


# --- the sync -------------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What ``uprwatch sync upr-info --json`` prints (``added`` … ``unrecognised`` are the interface)."""

    source: str = SOURCE
    status: str = "synced"  # synced | unchanged
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    pages: int = 0
    unrecognised: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    entities: int = 0
    resumed_from: int | None = None
    requests: int = 0
    seconds: float = 0.0
    seconds_per_page_own: float | None = None  # our own work per page (decode, check, write), not the host's
    since: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _since_ms(since) -> int | None:
    if since is None:
        return None
    import datetime as dt

    moment = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _fingerprint(data: dict | None) -> list | None:
    if not data:
        return None
    rows = data.get("rows") or [{}]
    newest = rows[0] if isinstance(rows[0], dict) else {}
    return [data.get("totalRows"), newest.get("sharedId"), newest.get("editDate")]


def to_upr_record(record: dict):
    import datetime as dt

    from uprwatch.sources.merge import UprRecord

    edited = record.get("edited_ms")
    return UprRecord(
        source=SOURCE, record_id=record["record_id"], state_under_review=record["sur"], session=record["session"],
        text=record["text"], recommending_states=record["by"], response=record["response"],
        published=dt.datetime.fromtimestamp(edited / 1000, dt.UTC).date() if edited else None,
        url=record["url"], issues=record["issues"], action_category=record["action"], data=record["original"],
    )


def sync_upr_info(*, since=None, base_url: str | None = None, pause: float | None = None,
                  backoff: float | None = None, page_size: int | None = None, user=None,
                  sleep=None, on_progress=None) -> SyncReport:
    """Page through UPR Info's API (resuming an interrupted pass) and merge it in one transaction.

    :param since: a date: only entities edited on or after it (newest first; stops at the first older one)
    :param on_progress: called with the pass report after every page (the Data sources page shows it)
    :raises SourceAnswerError: the source answered something that is not its API (database unchanged)
    :raises SourceUnreachable: the source could not be reached after the retries (database unchanged)
    """
    import time

    from django.conf import settings
    from django.db import transaction

    from uprwatch.records.models import ImportBatch
    from uprwatch.sources import status as source_status
    from uprwatch.sources import uwazi
    from uprwatch.sources.fetching import fetcher
    from uprwatch.sources.merge import Merger

    started = time.perf_counter()
    base_url = (base_url or settings.UPRWATCH_UPR_INFO_URL).rstrip("/")
    pause = settings.UPRWATCH_UPR_INFO_PAUSE_SECONDS if pause is None else pause
    backoff = settings.UPRWATCH_SOURCES_BACKOFF_SECONDS if backoff is None else backoff
    home = source_status.source_home(SOURCE)
    options = {"backoff": backoff, **({"sleep": sleep} if sleep else {})}
    client = uwazi.UwaziClient(base_url, fetcher(home / "http", **options), pause=pause)
    query = uwazi.Query(types=[RECOMMENDATION_TEMPLATE], language=client.language)
    if since is not None:
        query = uwazi.Query(types=query.types, sort="editDate", order="desc", since_ms=_since_ms(since),
                            language=client.language)
    report = SyncReport(since=since.isoformat() if since else None)
    run_dir = home / "run"
    source_status.write_status(SOURCE, state="running", pages=0, entities=0, base_url=base_url)
    try:
        # One conditional request first: an unchanged source costs nothing more.
        probe_fetch = fetcher(home / "http", conditional=True, name=lambda url: "newest.json", **options)
        answer, newest = client.probe(query, probe_fetch)
        report.requests += 1
        last = source_status.last_sync(SOURCE)
        last_probe = (last.summary or {}).get("probe", {}) if last and last.source == base_url else {}
        validators = {k: v for k, v in answer.headers.items() if v}
        in_progress = (run_dir / uwazi.CURSOR_FILE).exists()
        same = bool(last_probe) and (
            (answer.status == 304 and validators and validators == last_probe.get("validators"))
            or (newest is not None and _fingerprint(newest) == last_probe.get("fingerprint"))
        )
        if same and not in_progress and since is None:
            report.status = "unchanged"
            report.seconds = round(time.perf_counter() - started, 3)
            source_status.write_status(SOURCE, state="unchanged", report=report.to_json(), base_url=base_url)
            return report
        if newest is None and answer.body:
            newest = uwazi.decode_json(uwazi.Answer(200, {}, answer.body, answer.url), "the newest entity")

        passed = uwazi.PassReport()

        def progress(current: uwazi.PassReport) -> None:
            source_status.write_status(SOURCE, state="running", pages=current.pages_total,
                                       entities=current.entities, base_url=base_url)
            if on_progress is not None:
                on_progress(current)

        files = client.pages(query, run_dir, passed, page_size=page_size or settings.UPRWATCH_UPR_INFO_PAGE_SIZE,
                             on_page=progress)
        report.pages, report.resumed_from = passed.pages_total, passed.resumed_from
        report.requests += passed.pages
        if passed.page_times:
            report.seconds_per_page_own = round(sum(passed.page_times) / len(passed.page_times), 5)
        mapping = Mapping()
        read_schema(client.templates(), client.thesauri(), mapping)
        report.requests += 2
        mapping = map_entities(uwazi.read_pages(files), base_url, mapping)
        report.entities = sum(1 for _ in uwazi.read_pages(files))
        report.unrecognised = dict(sorted(mapping.unrecognised.items()))
        report.skipped = dict(sorted(mapping.skipped.items()))
        with transaction.atomic():
            batch = ImportBatch.objects.create(kind=source_status.BATCH_KINDS[SOURCE], source=base_url[:300],
                                               user=user)
            merger = Merger(batch)
            try:
                for record in mapping.records.values():
                    merger.add(to_upr_record(record))
                merged = merger.finish()
            except ValueError as exc:
                raise uwazi.SourceAnswerError(f"UPR Info: {exc}") from None
            counts = merged.upr
            report.added, report.updated, report.unchanged, report.merged = (
                counts.added, counts.updated, counts.unchanged, counts.merged)
            report.seconds = round(time.perf_counter() - started, 3)
            batch.summary = {**report.to_json(), "probe": {"validators": validators,
                                                           "fingerprint": _fingerprint(newest)}}
            batch.save(update_fields=["summary"])
    except Exception as exc:
        source_status.write_status(SOURCE, state="failed", error=str(exc).splitlines()[0] if str(exc) else
                                   type(exc).__name__, base_url=base_url)
        raise
    uwazi.clear_run(run_dir)
    source_status.write_status(SOURCE, state="synced", report=report.to_json(), base_url=base_url)
    return report
