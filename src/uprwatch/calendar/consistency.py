"""``uprwatch calendar --check`` for dates: every session date the calendar holds against the evidence.

Compares what the calendar keeps for each session (``calendar.sessions.held_dates``: bundled documents,
the evidence table, the planning sheet, dates stored in the database by an ingested report) with every
claim it knows, the evidence table first, and reports:

- ``disagreements``: a claim whose first or last day differs from the kept one, with which was kept and
  why (session 40: 4 February 2022 in the session documents, 3 February in a press release);
- ``outside_pattern``: kept dates that do not run Monday to Friday of the following week, as every session
  since 2013 dated by a UN document does (dates from a planning sheet, say);
- ``unused_slots``: the slots the dated sessions leave unused, and why (between cycles, a moved session, or
  unexplained — the last would mean a date or the rhythm is wrong);
- ``years``: sessions whose year in ``session-years.csv`` differs from their dates.
"""

from __future__ import annotations

from uprwatch.calendar.evidence import Claim, all_claims, disagreements, evidence_table, fits_pattern
from uprwatch.calendar.sessions import (
    DATABASE_EVIDENCE,
    PATTERN_FROM,
    database_session_dates,
    held_dates,
    observe_practice,
    session_dates,
)
from uprwatch.records.cycles import session_years


def dates_check(include_database: bool = True) -> dict:
    """The report described in the module docstring, as JSON-ready data."""
    kept, _notes = held_dates(include_database)
    claims = all_claims()
    if include_database:
        claims += [Claim(n, start, end, DATABASE_EVIDENCE, f"Working Group session {n} in the database")
                   for n, (start, end) in sorted(database_session_dates().items()) if n in kept]
    table = evidence_table()
    agree = [c.session for c in table if c.session in kept and (kept[c.session].start, kept[c.session].end) == (c.start, c.end)]
    dates = session_dates(include_database)
    practice = observe_practice(kept)
    return {
        "evidence_table": {
            "sessions": f"{table[0].session}-{table[-1].session}" if table else "",
            "compared": len(table), "agree": len(agree),
            "differ": sorted({c.session for c in table} - set(agree)),
        },
        "disagreements": disagreements(kept, claims),
        "outside_pattern": [
            {"session": n, "start": c.start.isoformat(), "end": c.end.isoformat(), "evidence": c.evidence,
             "source": c.source, "problem": f"{c.start:%A} to {c.end:%A}, {(c.end - c.start).days + 1} days"}
            for n, c in sorted(kept.items()) if n >= PATTERN_FROM and not fits_pattern(c.start, c.end)
        ],
        "unused_slots": [gap.as_dict() for gap in practice.gaps],
        "years": [
            {"session": n, "session_years_csv": year, "from_dates": dates[n].year, "dates_status": dates[n].status}
            for n, year in sorted(session_years().items()) if n in dates and dates[n].year != year
        ],
        "practice": practice.as_dict(),
    }
