"""The fixed shape of the UPR: which Working Group sessions make up each cycle."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

SESSION_YEARS_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "session-years.csv"

# cycle -> (first session, last session). Cycle 1 had 12 sessions, later cycles 14.
CYCLE_SESSIONS: dict[int, tuple[int, int]] = {1: (1, 12), 2: (13, 26), 3: (27, 40), 4: (41, 54), 5: (55, 68)}


def cycle_of_session(session: int) -> int:
    for cycle, (first, last) in CYCLE_SESSIONS.items():
        if first <= session <= last:
            return cycle
    raise ValueError(f"session {session} is outside cycles 1-5")


@functools.lru_cache(maxsize=1)
def session_years() -> dict[int, int]:
    """Year of each Working Group session known from data (sessions 1-53)."""
    with open(SESSION_YEARS_FILE, encoding="utf-8", newline="") as handle:
        return {int(row["session"]): int(row["year"]) for row in csv.DictReader(handle)}
