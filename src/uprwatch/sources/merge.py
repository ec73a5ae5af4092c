"""The one merge service every live source goes through (UHRI, UPR Info's API, UN documents).

A source maps its records to one of two shapes and hands them to a ``Merger``:

- ``UprRecord``: a UPR recommendation (State under Review, Working Group session, text, recommending
  states, response, labels). The merger finds the recommendation uprwatch already holds — a record of the
  same source seen before (by the source's own id), a recommendation parsed from a UN document (same
  paragraph, similar text), or UPR Info rows (UPR Info splits a joint recommendation into one row per
  recommending state: the best-matching row of each state is folded into one record, as
  ``documents.ingestion`` does) — and merges into it, or adds a new one;
- ``MechanismRecord``: a treaty body's or special procedure's recommendation or observation, stored
  beside the UPR's (``sources.models.MechanismRecommendation``).

Every source record is kept (``SourceRecord``: source, record id, date, the response *as that source
states it*, address, the source's values), so provenance is never lost and a disagreement (UPR Info
"Accepted", UHRI "Noted") stays visible: the recommendation's own ``response`` is only filled where it
was unknown or pending, never overwritten by another source (``positions`` and ``disagreements`` read
them all back). A source record already seen with the same content changes nothing (re-runs are
idempotent); one whose content changed updates its ``SourceRecord``, and the recommendation itself when
this source is the only one behind it.

The caller owns the transaction (``with transaction.atomic(): ...``) so a whole sync commits or not at
all; ``Merger.finish()`` announces the changed recommendations (search index, vectors, lineage, labels
and alerts follow through their ``recommendations_changed`` receivers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from uprwatch.documents.ingestion import MERGE_SIMILARITY
from uprwatch.documents.similarity import normalise_text, text_similarity
from uprwatch.errors import Invalid
from uprwatch.records import bulk
from uprwatch.records.models import (
    ImportBatch,
    Label,
    Origin,
    Provenance,
    Recommendation,
    Response,
    Review,
    Session,
    State,
    Term,
)
from uprwatch.records.signals import announce_recommendations_changed
from uprwatch.sources.models import MechanismRecommendation, SourceRecord

# UPR Info copies the official text with light edits: the same threshold as documents' ingestion.
PARAGRAPH_SIMILARITY = 0.6
CHUNK = 2000  # records merged per round: bounded memory, a few queries per round
ANNOUNCE_CHUNK = 5000  # ids per recommendations_changed announcement (SQL parameter limits)
ANSWERED = (Response.SUPPORTED, Response.NOTED, Response.PARTIALLY_SUPPORTED, Response.NOT_SUPPORTED)

SOURCE_NAMES = {
    "uhri": "OHCHR Universal Human Rights Index",
    "upr-info": "UPR Info database",
}


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


@dataclass
class UprRecord:
    """One source's record of a UPR recommendation, in the shape every source maps to.

    States are ISO3 codes (``records.states.resolve_state`` first); ``response`` is a ``Response`` value
    or ``""`` when the source gives none; labels are the source's own names.
    """

    source: str
    record_id: str
    state_under_review: str
    session: int
    text: str
    recommending_states: list[str] = field(default_factory=list)
    response: str = ""
    paragraph: str = ""
    published: dt.date | None = None
    url: str = ""
    document_symbol: str = ""
    themes: list[str] = field(default_factory=list)
    affected_persons: list[str] = field(default_factory=list)
    sdgs: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    action_category: int | None = None
    data: dict = field(default_factory=dict)

    def digest(self) -> str:
        # the raw values (``data``) carry export-only noise such as the date of publication on the index
        return _digest({f: getattr(self, f) for f in _UPR_FIELDS})


@dataclass
class MechanismRecord:
    """A treaty body's or special procedure's recommendation or observation."""

    source: str
    record_id: str
    body: str
    body_kind: str
    kind: str
    text: str
    states: list[str] = field(default_factory=list)
    symbol: str = ""
    published: dt.date | None = None
    url: str = ""
    themes: list[str] = field(default_factory=list)
    affected_persons: list[str] = field(default_factory=list)
    sdgs: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def digest(self) -> str:
        return _digest({f: getattr(self, f) for f in _MECHANISM_FIELDS})


_UPR_FIELDS = [f for f in UprRecord.__dataclass_fields__ if f != "data"]
_MECHANISM_FIELDS = [f for f in MechanismRecord.__dataclass_fields__ if f != "data"]


def _digest(content: dict) -> str:
    return hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0


@dataclass
class MergeReport:
    upr: Counts = field(default_factory=Counts)
    other: Counts = field(default_factory=Counts)
    changed_ids: set[int] = field(default_factory=set)  # new or changed text
    merged_ids: set[int] = field(default_factory=set)  # text kept; provenance, states, labels added
    removed_ids: set[int] = field(default_factory=set)  # UPR Info rows folded into another record

    def to_json(self) -> dict:
        return {
            "upr": asdict(self.upr),
            "other_mechanisms": {k: v for k, v in asdict(self.other).items() if k != "merged"},
        }


class Merger:
    """Merge source records into the database, a chunk at a time. Use inside one transaction.

    ``dry_run=True`` matches everything the same way and counts what would happen, writing nothing
    (the caller rolls the transaction back to be sure nothing a receiver wrote survives).
    """

    def __init__(self, batch: ImportBatch | None, *, dry_run: bool = False):
        self.batch = batch
        self.dry_run = dry_run
        self.report = MergeReport()
        self._upr: list[UprRecord] = []
        self._other: list[MechanismRecord] = []
        self._states = dict(State.objects.values_list("iso3", "pk"))
        self._sessions = set(Session.objects.values_list("number", flat=True))
        self._terms: dict[tuple[str, str], int] = {}
        # Records of this run merged into recommendations (a source's two records must not share one).
        self._claimed: set[int] = set()

    # --- feeding -----------------------------------------------------------------------------------

    def add(self, record: UprRecord | MechanismRecord) -> None:
        if isinstance(record, UprRecord):
            self._upr.append(record)
            if len(self._upr) >= CHUNK:
                self._flush_upr()
        else:
            self._other.append(record)
            if len(self._other) >= CHUNK:
                self._flush_other()

    def add_all(self, records: Iterable[UprRecord | MechanismRecord]) -> MergeReport:
        for record in records:
            self.add(record)
        return self.finish()

    def finish(self) -> MergeReport:
        self._flush_upr()
        self._flush_other()
        if not self.dry_run:
            merged = self.report.merged_ids - self.report.changed_ids
            for ids, reason in ((self.report.changed_ids | self.report.removed_ids, "ingest"), (merged, "merge")):
                ids = sorted(ids)
                for start in range(0, len(ids), ANNOUNCE_CHUNK):
                    announce_recommendations_changed(ids[start:start + ANNOUNCE_CHUNK], reason)
        return self.report

    # --- UPR recommendations ---------------------------------------------------------------------

    def _flush_upr(self) -> None:
        records, self._upr = self._upr, []
        if not records:
            return
        for record in records:
            if record.session not in self._sessions:
                raise Invalid(f"{record.source} {record.record_id}: Working Group session {record.session} "
                                 "is outside the known cycles")
            if record.state_under_review not in self._states:
                raise Invalid(f"{record.source} {record.record_id}: unknown state {record.state_under_review}")
        known = {
            (sr.source, sr.record_id): sr
            for sr in SourceRecord.objects.filter(
                source__in={r.source for r in records}, record_id__in=[r.record_id for r in records]
            )
        }
        by_review: dict[tuple[str, int], list[UprRecord]] = defaultdict(list)
        for record in records:
            seen = known.get((record.source, record.record_id))
            if seen is not None:
                self._update_seen(seen, record)
            else:
                by_review[(record.state_under_review, record.session)].append(record)
        if by_review:
            self._match_new(by_review)

    def _update_seen(self, seen: SourceRecord, record: UprRecord) -> None:
        digest = record.digest()
        if seen.digest == digest:
            self.report.upr.unchanged += 1
            return
        self.report.upr.updated += 1
        if self.dry_run:
            return
        seen.digest, seen.response, seen.published = digest, record.response, record.published
        seen.url, seen.data, seen.batch = record.url[:500], record.data, self.batch
        seen.save()
        rec = Recommendation.objects.get(pk=seen.recommendation_id)
        others = SourceRecord.objects.filter(recommendation=rec).exclude(pk=seen.pk).exists() or (
            Provenance.objects.filter(recommendation=rec).exclude(dataset=source_name(record.source)).exists())
        text_changed = False
        if not others:
            # This source alone stands behind the recommendation: its later export is the truth.
            text_changed = rec.text != record.text
            rec.text, rec.paragraph = record.text, record.paragraph[:20]
            if record.response:
                rec.response, rec.response_source = record.response, source_name(record.source)
            rec.save(update_fields=["text", "paragraph", "response", "response_source", "updated_at"])
        elif record.response and rec.response not in ANSWERED:
            rec.response, rec.response_source = record.response, source_name(record.source)
            rec.save(update_fields=["response", "response_source", "updated_at"])
        self._add_states_and_labels([(rec.pk, record)])
        (self.report.changed_ids if text_changed else self.report.merged_ids).add(rec.pk)

    def _match_new(self, by_review: dict[tuple[str, int], list[UprRecord]]) -> None:
        reviews = {
            (r.state.iso3, r.session_id): r
            for r in Review.objects.filter(
                state__iso3__in={k[0] for k in by_review}, session_id__in={k[1] for k in by_review}
            ).select_related("state")
        }
        existing: dict[int, list[Recommendation]] = defaultdict(list)
        review_ids = [r.pk for key, r in reviews.items() if key in by_review]
        for rec in (
            Recommendation.objects.filter(review_id__in=review_ids)
            .prefetch_related("recommending_states", Prefetch("source_records", to_attr="sources"))
        ):
            # what matching asks of every candidate, worked out once per round
            rec.state_codes = {s.iso3 for s in rec.recommending_states.all()}
            rec.source_keys = {s.source for s in rec.sources}
            rec.normalised = normalise_text(rec.text)
            existing[rec.review_id].append(rec)
        merges: list[tuple[Recommendation, list[Recommendation], UprRecord]] = []
        new: list[tuple[tuple[str, int], UprRecord]] = []
        for key, records in by_review.items():
            review = reviews.get(key)
            candidates = existing.get(review.pk, []) if review else []
            for record in records:
                matches = self._find(record, candidates)
                if matches:
                    merges.append((matches[0], matches[1:], record))
                    self._claimed.update(m.pk for m in matches)
                    self.report.upr.merged += 1
                else:
                    new.append((key, record))
                    self.report.upr.added += 1
        if self.dry_run:
            return
        self._write_merges(merges)
        self._write_new(new, reviews)

    def _find(self, record: UprRecord, candidates: list[Recommendation]) -> list[Recommendation]:
        """The recommendation(s) this record is: [target, other UPR Info rows to fold into it] or []."""
        free = [c for c in candidates if c.pk not in self._claimed and record.source not in c.source_keys]
        if not free:
            return []
        normalised = normalise_text(record.text)
        if record.paragraph:
            same = [(1.0 if c.normalised == normalised else text_similarity(c.text, record.text), c)
                    for c in free if c.paragraph == record.paragraph]
            same = [s for s in same if s[0] >= PARAGRAPH_SIMILARITY]
            if same:
                return [max(same, key=lambda s: s[0])[1]]
        # One best row per recommending state (UPR Info's one-row-per-state split), or any record.
        found: list[Recommendation] = []
        pools = [[c for c in free if code in c.state_codes] for code in record.recommending_states] or [free]
        for pool in pools:
            # The usual case — the same words — needs no fuzzy comparison at all.
            exact = next((c for c in pool if c.normalised == normalised and c not in found), None)
            if exact is not None:
                found.append(exact)
                continue
            best, best_score = None, MERGE_SIMILARITY
            for rec in pool:
                if rec in found:
                    continue
                score = text_similarity(rec.text, record.text)
                if score >= best_score:
                    best, best_score = rec, score
            if best is not None:
                found.append(best)
        # An official record (from a document) is the target; UPR Info rows fold into it.
        found.sort(key=lambda r: (not r.paragraph, r.pk))
        return found

    def _write_merges(self, merges: list[tuple[Recommendation, list[Recommendation], UprRecord]]) -> None:
        from uprwatch.documents.ingestion import _merge_rows

        changed = []
        for target, others, record in merges:
            if others:
                _merge_rows(target, others)
                self.report.removed_ids.update(o.pk for o in others)
                self.report.changed_ids.difference_update(o.pk for o in others)
                self.report.merged_ids.difference_update(o.pk for o in others)
            dirty = False
            if not target.paragraph and record.paragraph:
                target.paragraph, dirty = record.paragraph[:20], True
            # A source may correct its own earlier answer (UPR Info's live database after the 2014 export it
            # made): only another source's answer is never overwritten.
            own_answer = target.response_source == source_name(record.source)
            if record.response and (target.response not in ANSWERED or own_answer) and record.response != target.response:
                target.response, target.response_source, dirty = record.response, source_name(record.source), True
            if record.action_category and target.action_category is None:
                target.action_category, target.action_origin, dirty = record.action_category, Origin.HUMAN, True
            if dirty:
                changed.append(target)
            self.report.merged_ids.add(target.pk)
        if changed:
            # One statement for all of them (a save() per record cost more than the matching).
            now = timezone.now()
            table = Recommendation._meta.db_table
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET paragraph = %s, response = %s, response_source = %s, action_category = %s,"
                    " action_origin = %s, updated_at = %s WHERE id = %s",
                    [(t.paragraph, t.response, t.response_source, t.action_category, t.action_origin, now, t.pk)
                     for t in changed])
        self._write_provenance([(target.pk, record) for target, _, record in merges])

    def _write_new(self, new: list[tuple[tuple[str, int], UprRecord]], reviews: dict) -> None:
        if not new:
            return
        missing = {key for key, _ in new if key not in reviews}
        for iso3, session in sorted(missing):
            reviews[(iso3, session)], _ = Review.objects.get_or_create(
                state_id=self._states[iso3], session_id=session
            )
        # Explicit ids through executemany (records.bulk): bulk_create compiled SQL per object, most of the time.
        first = bulk.next_id(Recommendation)
        pairs = [(first + i, record) for i, (_, record) in enumerate(new)]
        bulk.insert_rows(Recommendation, (
            {"id": pk, "review_id": reviews[key].pk, "paragraph": record.paragraph[:20], "text": record.text,
             "response": record.response or Response.UNKNOWN,
             "response_source": source_name(record.source) if record.response else "",
             "action_category": record.action_category,
             "action_origin": Origin.HUMAN if record.action_category else ""}
            for (pk, record), (key, _) in zip(pairs, new, strict=True)
        ), explicit_ids=True)
        self.report.changed_ids.update(pk for pk, _ in pairs)
        self._write_provenance(pairs)

    def _write_provenance(self, pairs: list[tuple[int, UprRecord]]) -> None:
        if not pairs:
            return
        batch_id = self.batch.pk if self.batch else None
        bulk.insert_rows(Provenance, (
            {"recommendation_id": pk, "batch_id": batch_id, "dataset": source_name(record.source),
             "document_id": None, "locator": record.record_id[:80],
             "original": {"record_id": record.record_id, "symbol": record.document_symbol,
                          "published": record.published.isoformat() if record.published else ""}}
            for pk, record in pairs
        ))
        bulk.insert_rows(SourceRecord, (
            {"source": record.source, "record_id": record.record_id, "recommendation_id": pk,
             "published": record.published, "response": record.response, "url": record.url[:500],
             "digest": record.digest(), "data": record.data, "batch_id": batch_id}
            for pk, record in pairs
        ))
        self._add_states_and_labels(pairs)

    def _add_states_and_labels(self, pairs: list[tuple[int, UprRecord]]) -> None:
        """Recommending states and labels the records give, minus those the recommendations already have."""
        ids = sorted({pk for pk, _ in pairs})
        through = Recommendation.recommending_states.through
        have_states, have_labels = set(), set()
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            have_states.update(through.objects.filter(recommendation_id__in=chunk)
                               .values_list("recommendation_id", "state_id"))
            have_labels.update(Label.objects.filter(recommendation_id__in=chunk)
                               .values_list("recommendation_id", "term_id"))
        states = {(pk, self._states[code]) for pk, record in pairs for code in record.recommending_states
                  if code in self._states} - have_states
        bulk.insert_rows(through, ({"recommendation_id": pk, "state_id": state} for pk, state in sorted(states)))
        wanted = [(pk, taxonomy, name) for pk, record in pairs for taxonomy, names in (
            (Term.Taxonomy.THEME, record.themes), (Term.Taxonomy.AFFECTED_PERSONS, record.affected_persons),
            (Term.Taxonomy.SDG, record.sdgs), (Term.Taxonomy.ISSUE, record.issues)) for name in names]
        terms = self._term_ids({(taxonomy, name) for _, taxonomy, name in wanted})
        labels = {(pk, terms[(taxonomy, name)]) for pk, taxonomy, name in wanted} - have_labels
        bulk.insert_rows(Label, ({"recommendation_id": pk, "term_id": term, "origin": Origin.HUMAN}
                                 for pk, term in sorted(labels)))

    def _term_ids(self, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        missing = wanted - self._terms.keys()
        if missing:
            codes = {(taxonomy, term_code(taxonomy, name)): (taxonomy, name) for taxonomy, name in missing}
            found = {(t, c): pk for t, c, pk in Term.objects.filter(
                taxonomy__in={t for t, _ in codes}, code__in={c for _, c in codes}).values_list("taxonomy", "code", "pk")}
            new = [Term(taxonomy=t, code=c, name=codes[(t, c)][1][:200]) for (t, c) in codes if (t, c) not in found]
            for term in Term.objects.bulk_create(new):
                found[(term.taxonomy, term.code)] = term.pk
            for key, (taxonomy, name) in codes.items():
                self._terms[(taxonomy, name)] = found[key]
        return {key: self._terms[key] for key in wanted}

    # --- other mechanisms ------------------------------------------------------------------------

    def _flush_other(self) -> None:
        records, self._other = self._other, []
        if not records:
            return
        known = {(m.source, m.record_id): m for m in MechanismRecommendation.objects.filter(
            source__in={r.source for r in records}, record_id__in=[r.record_id for r in records])}
        new, changed = [], []
        for record in records:
            seen = known.get((record.source, record.record_id))
            digest = record.digest()
            if seen is None:
                self.report.other.added += 1
                new.append((digest, record))
            elif seen.digest == digest:
                self.report.other.unchanged += 1
            else:
                self.report.other.updated += 1
                for key, value in self._mechanism_fields(record).items():
                    setattr(seen, key, value)
                seen.digest = digest
                changed.append((seen, record))
        if self.dry_run:
            return
        first = bulk.next_id(MechanismRecommendation)
        created = [(first + i, record) for i, (_, record) in enumerate(new)]
        batch_id = self.batch.pk if self.batch else None
        bulk.insert_rows(MechanismRecommendation, (
            {**{k: v for k, v in self._mechanism_fields(record).items() if k != "batch"}, "id": pk,
             "digest": digest, "batch_id": batch_id}
            for (pk, record), (digest, _) in zip(created, new, strict=True)
        ), explicit_ids=True)
        for mechanism, _ in changed:
            mechanism.save()
        from uprwatch.sources.mechanisms import index_texts

        index_texts([(pk, record.text) for pk, record in created] + [(m.pk, m.text) for m, _ in changed])
        through = MechanismRecommendation.states.through
        through.objects.filter(mechanismrecommendation_id__in=[m.pk for m, _ in changed]).delete()
        bulk.insert_rows(through, (
            {"mechanismrecommendation_id": pk, "state_id": self._states[code]}
            for pk, record in [*created, *((m.pk, r) for m, r in changed)]
            for code in dict.fromkeys(record.states) if code in self._states
        ))

    def _mechanism_fields(self, record: MechanismRecord) -> dict:
        return {
            "source": record.source, "record_id": record.record_id, "body": record.body[:120],
            "body_kind": record.body_kind, "kind": record.kind, "symbol": record.symbol[:80],
            "published": record.published, "text": record.text, "themes": record.themes,
            "affected_persons": record.affected_persons, "sdgs": record.sdgs, "url": record.url[:500],
            "data": record.data, "batch": self.batch,
        }


def term_code(taxonomy: str, name: str) -> str:
    """The code a label is stored under: an SDG target's number ('16.2'), else the name itself."""
    if taxonomy == Term.Taxonomy.SDG:
        head = name.split(" ", 1)[0].strip(" -")
        if head.replace(".", "").isalnum() and "." in head:
            return head[:120]
    return name[:120]


# --- reading back ------------------------------------------------------------------------------------


@dataclass
class Position:
    source: str
    response: str
    record_id: str = ""
    date: str = ""
    url: str = ""


def positions(rec: Recommendation) -> list[Position]:
    """What every source says the State under Review answered (the record's own response first)."""
    records = [Position(source_name(sr.source), sr.response or "", sr.record_id,
                        sr.published.isoformat() if sr.published else "", sr.url)
               for sr in SourceRecord.objects.filter(recommendation=rec).order_by("source", "record_id")]
    own = []
    # The record's own response, unless it is one of the source records' (then it is listed once, with them)
    if (rec.response_source or rec.response not in (Response.UNKNOWN, "")) and \
            rec.response_source not in {p.source for p in records}:
        own.append(Position(rec.response_source or "uprwatch", rec.response))
    return own + records


def disagreements(rec: Recommendation) -> list[Position]:
    """The positions, when the sources give different answers (empty when they agree or say nothing)."""
    stated = positions(rec)
    answers = {p.response for p in stated if p.response in ANSWERED}
    return stated if len(answers) > 1 else []
