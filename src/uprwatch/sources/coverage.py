"""What the database holds, said plainly: per state and cycle, how many recommendations, from which
sources, last synced when — and, for a cycle with nothing, that it is not loaded and how to load it.

``state_coverage(state)`` → one row per cycle of the state's reviews (calendar): ``cycle``, ``session``,
``year``, ``status`` (``loaded`` / ``not loaded`` / ``not yet held``), ``recommendations``, ``sources``,
``last_sync``, ``message`` ("Cycle 4 (session 45, 2024): not loaded — run `uprwatch sync uhri`").
``coverage(state=None)`` → every state's rows; ``cycle_coverage()`` → per cycle, which states the
figures cover (the home page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max

from uprwatch.records.lookup import find_state
from uprwatch.records.models import Provenance, Recommendation, State
from uprwatch.records.states import try_resolve_state

LOAD_COMMAND = "uprwatch sync uhri"


def _schedule():
    from uprwatch.calendar.schedule import Schedule

    return Schedule()


def _today() -> dt.date:
    from uprwatch.calendar.schedule import today

    return today()


def _facts(state_ids: list[int] | None) -> tuple[dict, dict, dict]:
    """(state id, cycle) → recommendations; → {source names}; → last import."""
    recs = Recommendation.objects.all()
    provenance = Provenance.objects.all()
    if state_ids is not None:
        recs = recs.filter(review__state_id__in=state_ids)
        provenance = provenance.filter(recommendation__review__state_id__in=state_ids)
    counts = {(r["review__state_id"], r["review__session__cycle_id"]): r["n"] for r in
              recs.values("review__state_id", "review__session__cycle_id").annotate(n=Count("id"))}
    sources: dict[tuple[int, int], set[str]] = defaultdict(set)
    last: dict[tuple[int, int], dt.datetime] = {}
    for row in (provenance.values("recommendation__review__state_id", "recommendation__review__session__cycle_id",
                                  "dataset", "document__symbol").annotate(last=Max("batch__started_at"))):
        key = (row["recommendation__review__state_id"], row["recommendation__review__session__cycle_id"])
        sources[key].add(row["document__symbol"] or row["dataset"] or "unknown source")
        if row["last"] and (key not in last or row["last"] > last[key]):
            last[key] = row["last"]
    return counts, sources, last


def _rows(state: State, schedule, facts, today: dt.date) -> list[dict]:
    counts, sources, last = facts
    record = try_resolve_state(state.iso3)
    entries = schedule.reviews_of(record) if record is not None else []
    rows = []
    seen_cycles = set()
    for entry in entries:
        seen_cycles.add(entry.cycle)
        key = (state.pk, entry.cycle)
        n = counts.get(key, 0)
        when = f"Cycle {entry.cycle} (session {entry.session}, {entry.year})"
        if n:
            status = "loaded"
            message = f"{when}: {n:,} recommendations from {', '.join(sorted(sources.get(key, ())))}"
        elif entry.start_date > today:
            status = "not yet held"
            message = f"{when}: not yet held ({entry.status} date)"
        else:
            status = "not loaded"
            message = f"{when}: not loaded — run `{LOAD_COMMAND}`"
        rows.append({
            "cycle": entry.cycle, "session": entry.session, "year": entry.year, "status": status,
            "recommendations": n, "sources": sorted(sources.get(key, ())),
            "last_sync": last[key].isoformat() if key in last else None, "message": message,
        })
    for (state_id, cycle), n in sorted(counts.items()):  # data outside the calendar (observer states, ...)
        if state_id == state.pk and cycle not in seen_cycles:
            key = (state_id, cycle)
            rows.append({"cycle": cycle, "session": None, "year": None, "status": "loaded", "recommendations": n,
                         "sources": sorted(sources.get(key, ())),
                         "last_sync": last[key].isoformat() if key in last else None,
                         "message": f"Cycle {cycle}: {n:,} recommendations from {', '.join(sorted(sources.get(key, ())))}"})
    return sorted(rows, key=lambda r: r["cycle"])


def state_coverage(state: State | str) -> list[dict]:
    if isinstance(state, str):
        state = find_state(state)  # StateNotFound (a NotFound) names close matches
    return _rows(state, _schedule(), _facts([state.pk]), _today())


def coverage(state: str | None = None) -> dict:
    """``{"states": [{"state", "iso3", "cycles": [...]}, ...]}`` for one state or every member state."""
    if state:
        chosen = find_state(state)
        return {"states": [{"state": chosen.name, "iso3": chosen.iso3, "cycles": state_coverage(chosen)}]}
    schedule, facts, today = _schedule(), _facts(None), _today()
    return {"states": [{"state": s.name, "iso3": s.iso3, "cycles": _rows(s, schedule, facts, today)}
                       for s in State.objects.order_by("name")]}


def cycle_coverage() -> list[dict]:
    """Per cycle: recommendations, how many states they cover of the states reviewed so far, and which."""
    schedule, today = _schedule(), _today()
    reviewed: dict[int, set[str]] = defaultdict(set)
    for entry in schedule.all_reviews():
        if entry.start_date <= today:
            reviewed[entry.cycle].add(entry.iso3)
    loaded: dict[int, dict[str, str]] = defaultdict(dict)
    for iso3, name, cycle in (Recommendation.objects.values_list("review__state__iso3", "review__state__name",
                                                                 "review__session__cycle_id").distinct()):
        loaded[cycle][iso3] = name
    rows = []
    for cycle in sorted(set(reviewed) | set(loaded)):
        names = sorted(loaded[cycle].values())
        held = len(reviewed.get(cycle, ()))
        missing = sorted(reviewed.get(cycle, set()) - set(loaded[cycle]))
        if not names:
            text = f"not loaded — run `{LOAD_COMMAND}`"
        elif len(names) <= 6:
            text = f"{', '.join(names)} only ({len(names)} of {held} states reviewed so far)"
        else:
            text = f"{len(names)} of {held} states reviewed so far"
            if missing:
                text += f"; not loaded for {len(missing)}"
        rows.append({"cycle": cycle, "states": len(names), "reviewed": held, "state_names": names,
                     "missing": len(missing), "text": text})
    return rows
