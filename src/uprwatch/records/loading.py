"""Load the reference tables and the bundled UPR Info dataset into the database.

Everything happens in one transaction; a dataset already loaded (same content hash) is skipped, so
running ``uprwatch init`` twice changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from uprwatch.records import bulk, cycles, upr_info
from uprwatch.records.models import (
    Bloc,
    Cycle,
    ImportBatch,
    Label,
    Origin,
    Provenance,
    Recommendation,
    Review,
    Session,
    State,
    Term,
    VoluntaryPledge,
)
from uprwatch.records.states import load_states

UPR_INFO_DATASET = "UPR Info database"
Progress = Callable[[int], None]


@dataclass
class LoadReport:
    recommendations: int = 0
    pledges: int = 0
    skipped: list[str] = field(default_factory=list)


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise upr_info.DataFileError(path, None, f"cannot open: {exc.strerror}") from exc
    return digest.hexdigest()


def load_reference_tables() -> None:
    """States, cycles and sessions: upserted, so a newer states table updates names and aliases."""
    existing = {s.iso3: s for s in State.objects.all()}
    for record in load_states():
        values = {
            "iso2": record.iso2,
            "name": record.name,
            "regional_group": record.regional_group,
            "is_member": record.is_member,
            "aliases": list(record.aliases),
        }
        state = existing.get(record.iso3)
        if state is None:
            State(iso3=record.iso3, **values).save()
        elif any(getattr(state, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(state, key, value)
            state.save()
    years = cycles.session_years()
    for number, (first, last) in cycles.CYCLE_SESSIONS.items():
        Cycle.objects.update_or_create(number=number, defaults={"first_session": first, "last_session": last})
        known = set(Session.objects.filter(number__range=(first, last)).values_list("number", flat=True))
        Session.objects.bulk_create(
            Session(number=n, cycle_id=number, year=years.get(n)) for n in range(first, last + 1) if n not in known
        )


def _reviews_for(rows: list[dict], states: dict[str, State]) -> dict[tuple[str, int], int]:
    wanted = {(row["sur"], row["session"]) for row in rows}
    reviews = {(r.state.iso3, r.session_id): r.pk for r in Review.objects.select_related("state")}
    missing = [Review(state=states[iso3], session_id=session) for iso3, session in wanted - reviews.keys()]
    for review in Review.objects.bulk_create(missing):
        reviews[(review.state.iso3, review.session_id)] = review.pk
    return reviews


def _issue_terms(names: set[str]) -> dict[str, Term]:
    terms = {t.code: t for t in Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE)}
    new = [Term(taxonomy=Term.Taxonomy.ISSUE, code=n, name=n) for n in sorted(names - terms.keys())]
    for term in Term.objects.bulk_create(new):
        terms[term.code] = term
    return terms


def _assign_blocs(rows: list[dict], states: dict[str, State]) -> None:
    """Each state's memberships as UPR Info gave them in the latest session it appears in."""
    latest: dict[str, tuple[int, list[str]]] = {}
    for row in rows:
        pairs = [(row["sur"], row.get("sur_blocs", []))]
        pairs += [(iso3, row.get("by_blocs", [])) for iso3 in row["by"]]
        for iso3, blocs in pairs:
            if iso3 not in latest or latest[iso3][0] <= row["session"]:
                latest[iso3] = (row["session"], blocs)
    codes = {code for _, blocs in latest.values() for code in blocs}
    existing = {b.code: b for b in Bloc.objects.all()}
    for bloc in Bloc.objects.bulk_create([Bloc(code=c) for c in sorted(codes - existing.keys())]):
        existing[bloc.code] = bloc
    through = State.blocs.through
    through.objects.filter(state__iso3__in=list(latest)).delete()
    through.objects.bulk_create(
        through(state_id=states[iso3].pk, bloc_id=existing[code].pk)
        for iso3, (_, blocs) in latest.items()
        for code in dict.fromkeys(blocs)
    )


def load_upr_info(path: Path | str, progress: Progress | None = None) -> int:
    """Load UPR Info recommendations (raw CSV or bundle). Returns how many were added (0 if loaded before)."""
    digest = file_sha256(path)
    if ImportBatch.objects.filter(kind="upr_info", summary__sha256=digest).exists():
        return 0
    rows = list(upr_info.read_any(path))  # validate the whole file before writing anything
    pledges = [r for r in rows if r["response"] == "pledge"]
    if pledges:
        raise upr_info.DataFileError(path, pledges[0]["row"], "voluntary pledge in a recommendations file")
    states = {s.iso3: s for s in State.objects.all()}
    batch = ImportBatch.objects.create(
        kind="upr_info", source=str(Path(path).name), summary={"sha256": digest, "rows": len(rows)}
    )
    reviews = _reviews_for(rows, states)
    terms = _issue_terms({issue for row in rows for issue in row["issues"]})
    _assign_blocs(rows, states)

    first_id = bulk.next_id(Recommendation)
    ids = list(range(first_id, first_id + len(rows)))
    first_seen: dict[tuple, int] = {}
    duplicate_of: dict[int, int] = {}
    for row, rec_id in zip(rows, ids, strict=True):
        key = (row["sur"], row["session"], tuple(row["by"]), row["text"], row["response"], row["action"])
        if key in first_seen:
            duplicate_of[rec_id] = first_seen[key]
        else:
            first_seen[key] = rec_id
    bulk.insert_rows(
        Recommendation,
        (
            {
                "id": rec_id,
                "review_id": reviews[(row["sur"], row["session"])],
                "text": row["text"],
                "response": row["response"],
                "response_source": UPR_INFO_DATASET,
                "action_category": row["action"],
                "action_origin": Origin.HUMAN if row["action"] else "",
                "duplicate_of_id": duplicate_of.get(rec_id),
            }
            for row, rec_id in zip(rows, ids, strict=True)
        ),
        explicit_ids=True,
    )
    if progress:
        progress(len(rows) // 2)
    bulk.insert_rows(
        Recommendation.recommending_states.through,
        (
            {"recommendation_id": rec_id, "state_id": states[iso3].pk}
            for row, rec_id in zip(rows, ids, strict=True)
            for iso3 in row["by"]
        ),
    )
    bulk.insert_rows(
        Label,
        (
            {"recommendation_id": rec_id, "term_id": terms[issue].pk, "origin": Origin.HUMAN}
            for row, rec_id in zip(rows, ids, strict=True)
            for issue in dict.fromkeys(row["issues"])
        ),
    )
    bulk.insert_rows(
        Provenance,
        (
            {
                "recommendation_id": rec_id,
                "batch_id": batch.pk,
                "dataset": UPR_INFO_DATASET,
                "locator": f"row {row['row']}",
                "original": row.get("original", {}),
            }
            for row, rec_id in zip(rows, ids, strict=True)
        ),
    )
    if progress:
        progress(len(rows) - len(rows) // 2)
    return len(rows)


def load_pledges(path: Path | str, progress: Progress | None = None) -> int:
    digest = file_sha256(path)
    if ImportBatch.objects.filter(kind="upr_info_pledges", summary__sha256=digest).exists():
        return 0
    rows = list(upr_info.read_any(path))
    wrong = [r for r in rows if r["response"] != "pledge"]
    if wrong:
        raise upr_info.DataFileError(path, wrong[0]["row"], "not a voluntary pledge (Response column)")
    states = {s.iso3: s for s in State.objects.all()}
    batch = ImportBatch.objects.create(
        kind="upr_info_pledges", source=str(Path(path).name), summary={"sha256": digest, "rows": len(rows)}
    )
    reviews = _reviews_for(rows, states)
    terms = _issue_terms({issue for row in rows for issue in row["issues"]})
    pledges = VoluntaryPledge.objects.bulk_create(
        VoluntaryPledge(
            review_id=reviews[(row["sur"], row["session"])],
            text=row["text"],
            action_category=row["action"],
            batch=batch,
            locator=f"row {row['row']}",
        )
        for row in rows
    )
    VoluntaryPledge.issues.through.objects.bulk_create(
        VoluntaryPledge.issues.through(voluntarypledge_id=p.pk, term_id=terms[issue].pk)
        for row, p in zip(rows, pledges, strict=True)
        for issue in dict.fromkeys(row["issues"])
    )
    if progress:
        progress(len(rows))
    return len(rows)


def load_bundled_dataset(
    recommendations: Path | str = upr_info.RECOMMENDATIONS_BUNDLE,
    pledges: Path | str = upr_info.PLEDGES_BUNDLE,
    progress: Progress | None = None,
) -> LoadReport:
    """Reference tables, recommendations and pledges, all in one transaction."""
    report = LoadReport()
    with transaction.atomic():
        load_reference_tables()
        report.recommendations = load_upr_info(recommendations, progress)
        report.pledges = load_pledges(pledges, progress)
    if not report.recommendations:
        report.skipped.append("recommendations (already loaded)")
    if not report.pledges:
        report.skipped.append("pledges (already loaded)")
    return report
