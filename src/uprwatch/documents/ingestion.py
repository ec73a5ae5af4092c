"""Load parsed UN documents into the database: one transaction, idempotent, merging UPR Info rows.

``ingest_paths(paths)`` parses every file first (nothing is written if any file is bad), then in one
transaction:

- a Working Group report or thematic list adds its recommendations to the review (State under
  Review x session), or updates the ones already ingested from another document of the same review
  (matched by paragraph), or *merges* UPR Info rows: UPR Info splits a joint recommendation into one
  row per state, so every row of the same review whose state is among the recommending states and
  whose text is similar (``MERGE_SIMILARITY``) becomes part of the one official record; all their
  provenance rows and labels are kept on it;
- a responses addendum sets the responses (and explanations, "already implemented" flags) of the
  report it answers, which must be ingested before or in the same run;
- a file already ingested (same sha256) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.parsing import ParsedDocument, ParsedRecommendation, parse_document
from uprwatch.documents.similarity import text_similarity
from uprwatch.records.loading import UPR_INFO_DATASET, file_sha256, load_reference_tables
from uprwatch.records.models import (
    Document,
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

MERGE_SIMILARITY = 0.85
KIND_ORDER = {"working_group_report": 0, "thematic_list": 1, "responses_addendum": 2}


@dataclass
class DocumentOutcome:
    symbol: str
    kind: str
    filename: str
    status: str  # "ingested" or "unchanged"
    added: int = 0
    updated: int = 0
    merged: int = 0
    review: str = ""
    document_id: int | None = None
    state_source: str = ""  # how the State under Review was found when the document does not name it


@dataclass
class IngestReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    changed_ids: set[int] = field(default_factory=set)

    @property
    def added(self) -> int:
        return sum(d.added for d in self.documents)

    @property
    def updated(self) -> int:
        return sum(d.updated for d in self.documents)

    @property
    def merged(self) -> int:
        return sum(d.merged for d in self.documents)

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "merged": self.merged,
            "documents": [d.__dict__ for d in self.documents],
        }


@dataclass
class Source:
    """One document to ingest: what the parser made of it and the identity of the original file."""

    parsed: ParsedDocument
    sha256: str
    filename: str


def read_sources(paths: list[Path | str], state: str | None = None,
                 session_states: Callable[[int], list[str]] | None = None) -> list[Source]:
    """Parse every file (raising ``DocumentError`` naming the file) before anything is written.

    ``state`` and ``session_states`` are ``parse_document``'s: the State under Review of a document that
    does not name it, and the calendar's states of a session.
    """
    sources = []
    for path in paths:
        path = Path(path)
        try:
            parsed = parse_document(path, state=state, session_states=session_states)
        except DocumentError as exc:
            raise DocumentError(f"{path.name}: {exc}") from exc
        sources.append(Source(parsed, file_sha256(path), path.name))
    return sources


def ingest_paths(paths: list[Path | str], user=None, state: str | None = None,
                 session_states: Callable[[int], list[str]] | None = None) -> IngestReport:
    return ingest_sources(read_sources(paths, state=state, session_states=session_states), user=user)


def ingest_sources(sources: list[Source], user=None, kind: str = "document_ingest") -> IngestReport:
    """Ingest parsed documents in one transaction (reports before lists before addenda)."""
    report = IngestReport()
    ordered = sorted(sources, key=lambda s: KIND_ORDER[s.parsed.kind])
    with transaction.atomic():
        if not State.objects.exists():
            load_reference_tables()
        batch = None
        for source in ordered:
            existing = Document.objects.filter(sha256=source.sha256).first()
            if existing is not None:
                report.documents.append(DocumentOutcome(
                    existing.symbol, existing.kind, source.filename, "unchanged", document_id=existing.pk,
                    review=str(existing.review or ""),
                ))
                continue
            if batch is None:
                batch = ImportBatch.objects.create(
                    kind=kind, source=", ".join(s.filename for s in ordered)[:300], user=user,
                )
            outcome = _ingest_one(source, batch, report.changed_ids)
            report.documents.append(outcome)
        if batch is not None:
            batch.summary = report.to_json()
            batch.save(update_fields=["summary"])
        # What an ingest triggers, inside this transaction, in INSTALLED_APPS order (each receiver is
        # connected in its app's apps.py; docs/architecture.md "What an ingest triggers"): the text index
        # and the data stamp (search), machine labels for the new texts (classify), lineage links and the
        # profile facts (analysis), campaign-match alert jobs (tracking).
        announce_recommendations_changed(sorted(report.changed_ids), "ingest")
    return report


def _ingest_one(source: Source, batch: ImportBatch, changed: set[int]) -> DocumentOutcome:
    parsed = source.parsed
    if parsed.kind == "responses_addendum":
        report_doc = (
            Document.objects.filter(symbol=parsed.report_symbol, kind=Document.Kind.WORKING_GROUP_REPORT)
            .select_related("review").first()
        ) or _draft_answered(parsed)
        if report_doc is None or report_doc.review is None:
            raise DocumentError(
                f"{source.filename}: {parsed.symbol} answers the report {parsed.report_symbol}, which is not "
                "ingested: ingest the report first (or both in the same command)"
            )
        review = report_doc.review
        if review.state.iso3 != parsed.state_under_review:
            raise DocumentError(f"{source.filename}: the addendum's State under Review does not match {review}")
    else:
        review = _review_for(parsed, source.filename)
    document = Document.objects.create(
        symbol=parsed.symbol, kind=parsed.kind, title=parsed.title, review=review, sha256=source.sha256,
        filename=source.filename[:300], batch=batch,
        metadata={"dates": parsed.dates, "report_symbol": parsed.report_symbol, "recommendations": len(parsed.recommendations),
                  **({"state_under_review_source": parsed.state_source} if parsed.state_source else {})},
    )
    outcome = DocumentOutcome(parsed.symbol, parsed.kind, source.filename, "ingested", review=str(review),
                              document_id=document.pk, state_source=parsed.state_source)
    if parsed.kind == "responses_addendum":
        _apply_responses(parsed, review, document, batch, outcome, changed)
    else:
        _upsert_recommendations(parsed, review, document, batch, outcome, changed)
    return outcome


def _draft_answered(parsed: ParsedDocument) -> Document | None:
    """The draft report (A/HRC/WG.6/<session>/L.<n>) an addendum answers when its final report was not
    ingested: the state's latest draft whose review has no final report yet. The draft is the earliest
    source (positions pending); its addendum fills the positions in."""
    drafts = (Document.objects.filter(kind=Document.Kind.WORKING_GROUP_REPORT, symbol__startswith="A/HRC/WG.6/",
                                      review__state__iso3=parsed.state_under_review)
              .select_related("review").order_by("-review__session__number"))
    for draft in drafts:
        finals = Document.objects.filter(kind=Document.Kind.WORKING_GROUP_REPORT, review=draft.review).exclude(
            symbol__startswith="A/HRC/WG.6/")
        if not finals.exists():
            return draft
    return None


def _review_for(parsed: ParsedDocument, filename: str) -> Review:
    if parsed.session is None:
        raise DocumentError(f"{filename}: the Working Group session is not stated in the document (an OHCHR list "
                            "without its header and without 'Source of position' symbols): it cannot be placed in a review")
    session = Session.objects.filter(number=parsed.session).first()
    if session is None:
        raise DocumentError(f"{filename}: Working Group session {parsed.session} is outside the known cycles")
    if parsed.dates:
        start = dt.date.fromisoformat(parsed.dates["start"])
        end = dt.date.fromisoformat(parsed.dates["end"])
        if (session.start_date, session.end_date) != (start, end):
            # The report states the official dates: they win over the calendar's year-only entry.
            session.start_date, session.end_date, session.year = start, end, end.year
            session.save(update_fields=["start_date", "end_date", "year"])
    state = State.objects.get(iso3=parsed.state_under_review)
    review, _ = Review.objects.get_or_create(state=state, session=session)
    return review


def _terms(parsed: ParsedDocument) -> dict[tuple[str, str], Term]:
    wanted = set()
    for rec in parsed.recommendations:
        wanted |= {(Term.Taxonomy.THEME, t) for t in rec.themes}
        wanted |= {(Term.Taxonomy.AFFECTED_PERSONS, t) for t in rec.affected_persons}
        wanted |= {(Term.Taxonomy.SDG, t) for t in rec.sdgs}
    existing = {(t.taxonomy, t.code): t for t in Term.objects.filter(taxonomy__in={t for t, _ in wanted})}
    missing = {(taxonomy, name[:120]): Term(taxonomy=taxonomy, code=name[:120], name=name[:200])
               for taxonomy, name in sorted(wanted) if (taxonomy, name[:120]) not in existing}
    if missing:
        Term.objects.bulk_create(list(missing.values()), ignore_conflicts=True)
        existing = {(t.taxonomy, t.code): t for t in Term.objects.filter(taxonomy__in={t for t, _ in wanted})}
    return {(taxonomy, name): existing[(taxonomy, name[:120])] for taxonomy, name in wanted}


def _save_fields(records, fields: list[str]) -> None:
    """Write changed fields with one UPDATE per distinct set of values (far cheaper than
    ``bulk_update``'s CASE expressions when hundreds of records get the same response)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for record in records:
        groups[tuple(getattr(record, f) for f in fields)].append(record.pk)
    now = timezone.now()
    for values, ids in groups.items():
        Recommendation.objects.filter(pk__in=ids).update(**dict(zip(fields, values, strict=True)), updated_at=now)


def _upsert_recommendations(parsed, review, document, batch, outcome, changed) -> None:
    """Match each parsed recommendation to a record (official, merged UPR Info rows, or new), then
    write everything in bulk: a report has hundreds of recommendations and init must stay fast."""
    states = {s.iso3: s.pk for s in State.objects.all()}
    terms = _terms(parsed)
    recs = list(Recommendation.objects.filter(review=review).prefetch_related("recommending_states", "provenance"))
    official = defaultdict(list)  # paragraph -> records that came from documents
    upr_rows = []  # UPR Info rows not yet merged into an official record
    preexisting = {id(rec) for rec in recs if rec.paragraph}
    for rec in recs:
        if rec.paragraph:
            official[rec.paragraph].append(rec)
        elif any(p.dataset == UPR_INFO_DATASET for p in rec.provenance.all()):
            upr_rows.append(rec)
    by_state = defaultdict(list)
    for rec in upr_rows:
        for state in rec.recommending_states.all():
            by_state[state.iso3].append(rec)
    taken: set[int] = set()  # UPR Info rows already merged by this document
    used: set[int] = set()  # id() of records this document already matched
    ordinal: dict[str, int] = defaultdict(int)
    created: list[Recommendation] = []
    updated: dict[int, Recommendation] = {}
    merges: list[tuple[Recommendation, list[Recommendation]]] = []
    links: list[tuple[Recommendation, ParsedRecommendation, str]] = []  # (record, item, locator)
    for item in parsed.recommendations:
        ordinal[item.paragraph] += 1
        locator = item.paragraph + (f"#{ordinal[item.paragraph]}" if ordinal[item.paragraph] > 1 else "")
        candidates = [r for r in official.get(item.paragraph, []) if id(r) not in used]
        found = _same_official(candidates, item)
        if found is not None:
            targets = [found]
        elif parsed.kind == "thematic_list":
            # The list words the paragraph differently from the report already ingested: its
            # position and labels apply to that report's records of the paragraph.
            targets = [r for r in candidates if id(r) in preexisting]
        else:
            targets = []
        for target in targets:
            if _set_response(target, item, document):
                outcome.updated += 1
                if target.pk:
                    updated[target.pk] = target
        if not targets:
            matches = _matching_rows(item, by_state, upr_rows, taken)
            if matches:
                target = matches[0]
                taken.update(m.pk for m in matches)
                merges.append((target, matches[1:]))
                target.paragraph = item.paragraph
                target.text = item.text
                _set_response(target, item, document)
                updated[target.pk] = target
                outcome.merged += len(matches)
            else:
                target = Recommendation(
                    review=review, paragraph=item.paragraph, text=item.text,
                    response=item.response or Response.UNKNOWN,
                    response_source=document.symbol if item.response else "",
                    already_implemented=item.already_implemented,
                    response_explanation=item.explanation,
                )
                created.append(target)
                outcome.added += 1
            official[item.paragraph].append(target)
            targets = [target]
        for target in targets:
            used.add(id(target))
            links.append((target, item, locator))

    Recommendation.objects.bulk_create(created)
    if updated:
        _save_fields(
            updated.values(),
            ["paragraph", "text", "response", "response_source", "already_implemented", "response_explanation"],
        )
    for target, others in merges:
        _merge_rows(target, others)
    through = Recommendation.recommending_states.through
    through.objects.bulk_create(
        [through(recommendation_id=target.pk, state_id=states[code])
         for target, item, _ in links for code in item.recommending_states if code in states],
        ignore_conflicts=True,
    )
    Provenance.objects.bulk_create(
        Provenance(
            recommendation_id=target.pk, batch=batch, document=document, locator=locator,
            original={"text": item.text, "recommending_states": item.recommending_states,
                      "response": item.response, "source_of_position": item.source_of_position},
        )
        for target, item, locator in links
    )
    Label.objects.bulk_create(
        [Label(recommendation_id=target.pk, term=terms[(taxonomy, name)], origin=Origin.HUMAN)
         for target, item, _ in links
         for taxonomy, names in ((Term.Taxonomy.THEME, item.themes),
                                 (Term.Taxonomy.AFFECTED_PERSONS, item.affected_persons),
                                 (Term.Taxonomy.SDG, item.sdgs))
         for name in names],
        ignore_conflicts=True,
    )
    changed.update(target.pk for target, _, _ in links)


def _same_official(candidates: list[Recommendation], item: ParsedRecommendation) -> Recommendation | None:
    """The record of the same paragraph already ingested from another document of this review."""
    scored = [(text_similarity(c.text, item.text), c) for c in candidates]
    scored = [s for s in scored if s[0] >= 0.6]
    return max(scored, key=lambda s: s[0])[1] if scored else None


def _matching_rows(item, by_state, upr_rows, taken) -> list[Recommendation]:
    """UPR Info rows of this recommendation: one per recommending state (best text match each)."""
    found = []
    pools = [by_state.get(code, []) for code in item.recommending_states] or [upr_rows]
    for pool in pools:
        best, best_score = None, MERGE_SIMILARITY
        for rec in pool:
            if rec.pk in taken or rec in found:
                continue
            score = text_similarity(rec.text, item.text)
            if score >= best_score:
                best, best_score = rec, score
        if best is not None:
            found.append(best)
    return found


def _merge_rows(target: Recommendation, others: list[Recommendation]) -> None:
    """Fold the other UPR Info rows of a joint recommendation into ``target``, keeping provenance."""
    if not others:
        return
    ids = [o.pk for o in others]
    Provenance.objects.filter(recommendation_id__in=ids).update(recommendation=target)
    through = Recommendation.recommending_states.through
    through.objects.bulk_create(
        [through(recommendation_id=target.pk, state_id=s.pk) for o in others for s in o.recommending_states.all()],
        ignore_conflicts=True,
    )
    Label.objects.bulk_create(
        [Label(recommendation_id=target.pk, term_id=label.term_id, origin=label.origin, confidence=label.confidence,
               model_version=label.model_version, decided_by_id=label.decided_by_id, decided_at=label.decided_at)
         for label in Label.objects.filter(recommendation_id__in=ids)],
        ignore_conflicts=True,
    )
    _delete_merged(others, target)


def _delete_merged(others: list[Recommendation], target: Recommendation | None = None) -> None:
    """Delete merged rows in one go; a row another feature protects is kept, marked ``duplicate_of``."""
    try:
        with transaction.atomic():
            Recommendation.objects.filter(pk__in=[o.pk for o in others]).delete()
    except (ProtectedError, IntegrityError):
        for other in others:
            try:
                with transaction.atomic():
                    other.delete()
            except (ProtectedError, IntegrityError):
                other.duplicate_of = target or other.duplicate_of
                other.save(update_fields=["duplicate_of"])


def _set_response(target: Recommendation, item: ParsedRecommendation, document: Document) -> bool:
    if not item.response:
        if item.explanation and item.explanation != target.response_explanation:
            target.response_explanation = item.explanation
            return True
        return False
    if item.response == Response.PENDING and target.response in (Response.SUPPORTED, Response.NOTED,
                                                                Response.PARTIALLY_SUPPORTED):
        return False  # a later addendum (or UPR Info) already answered what the report left pending
    changed = (target.response != item.response
               or target.already_implemented != (target.already_implemented or item.already_implemented))
    target.response = item.response
    target.response_source = document.symbol
    target.already_implemented = target.already_implemented or item.already_implemented
    if item.explanation:
        target.response_explanation = item.explanation
    return changed


def _apply_responses(parsed, review, document, batch, outcome, changed) -> None:
    recs = list(Recommendation.objects.filter(review=review).exclude(paragraph=""))
    by_paragraph = defaultdict(list)
    for rec in recs:
        by_paragraph[rec.paragraph].append(rec)
    parents = {p.split(".")[0] for p in by_paragraph if "." in p}
    updated: dict[int, Recommendation] = {}
    provenance: list[Provenance] = []
    for item in parsed.recommendations:
        targets = by_paragraph.get(item.paragraph, [])
        if not targets and "." not in item.paragraph:
            # Bare numbers ("recommendations 1-5") refer to the items of the report's list.
            options = [f"{parent}.{item.paragraph}" for parent in sorted(parents)]
            options = [o for o in options if o in by_paragraph]
            pending = [o for o in options if any(r.response == Response.PENDING for r in by_paragraph[o])]
            chosen = pending or options
            targets = by_paragraph[chosen[0]] if len(chosen) == 1 else []
        for target in targets:
            if _set_response(target, item, document):
                if target.pk not in updated:
                    outcome.updated += 1
                updated[target.pk] = target
                changed.add(target.pk)
            provenance.append(Provenance(
                recommendation_id=target.pk, batch=batch, document=document, locator=item.paragraph,
                original={"response": item.response, "already_implemented": item.already_implemented,
                          "explanation": item.explanation[:2000]},
            ))
    _save_fields(updated.values(), ["response", "response_source", "already_implemented", "response_explanation"])
    Provenance.objects.bulk_create(provenance)
