"""What the sources say about when each Working Group session met, and which claim the calendar keeps.

Two bundled files, both written by ``tools/build_calendar_data.py``:

- ``data/calendar/wg-session-dates.csv`` — the evidence table (../shared/data/calendar/wg-session-dates-*.csv):
  first and last day of a session, the kind of evidence and one source address per row;
- ``data/calendar/session-date-claims.csv`` — every other dated claim: UN documents read by the builder
  (Working Group reports, national reports), the 2025-26 planning sheet, known dissenting press releases.

Same columns in both: ``session, start, end, evidence, source``. A session may have several claims; the
calendar keeps the one with the strongest evidence (a UN document, then a secondary source such as a press
release or a UPR Info page, then the planning sheet; the first listed among equals) and ``uprwatch calendar
--check`` reports every claim that disagrees with it. Pure functions, no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "calendar"
EVIDENCE_TABLE = "wg-session-dates.csv"
CLAIMS = "session-date-claims.csv"
COLUMNS = ("session", "start", "end", "evidence", "source")
SESSION_LENGTH_DAYS = 11  # Monday of week one to Friday of week two


class EvidenceError(ValueError):
    """A dates file that cannot be read (bad date, end before start, missing column)."""


@dataclass(frozen=True)
class Claim:
    session: int
    start: dt.date
    end: dt.date
    evidence: str  # document | secondary | secondary (start inferred) | planning sheet | database | ...
    source: str

    @property
    def rank(self) -> int:
        return evidence_rank(self.evidence)

    @property
    def status(self) -> str:
        """``official`` when a UN document states the dates, else ``reported``."""
        return "official" if self.rank >= 3 else "reported"

    def as_dict(self) -> dict:
        return {"session": self.session, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "evidence": self.evidence, "source": self.source}


def evidence_rank(evidence: str) -> int:
    """3 for a UN document (read here or stored in the database), 2 a secondary source, 1 a planning sheet."""
    label = evidence.strip().lower()
    if label.startswith(("document", "database")):
        return 3
    if label.startswith("secondary"):
        return 2
    return 1


def fits_pattern(start: dt.date, end: dt.date) -> bool:
    """Every confirmed session runs from a Monday to the Friday of the following week."""
    return start.weekday() == 0 and end - start == dt.timedelta(days=SESSION_LENGTH_DAYS)


def read_claims(path: Path) -> list[Claim]:
    """The claims of one dates file, in file order.

    :raises EvidenceError: naming the file and row of a bad date or a missing column
    """
    claims = []
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    claim = Claim(int(row["session"]), dt.date.fromisoformat(row["start"].strip()),
                                  dt.date.fromisoformat(row["end"].strip()), row["evidence"].strip(),
                                  row["source"].strip())
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise EvidenceError(f"{path.name}, line {line}: {exc}") from exc
                if claim.end < claim.start:
                    raise EvidenceError(f"{path.name}, line {line}: session {claim.session} ends before it starts")
                claims.append(claim)
    except OSError as exc:
        raise EvidenceError(f"cannot read {path}: {exc}") from exc
    return claims


@functools.lru_cache(maxsize=1)
def evidence_table() -> tuple[Claim, ...]:
    return tuple(read_claims(DATA / EVIDENCE_TABLE))


@functools.lru_cache(maxsize=1)
def other_claims() -> tuple[Claim, ...]:
    return tuple(read_claims(DATA / CLAIMS))


def all_claims() -> list[Claim]:
    """Documents read by the builder first, then the evidence table: among equal evidence the first wins."""
    return list(other_claims()) + list(evidence_table())


def choose(claims: list[Claim]) -> dict[int, Claim]:
    """Session → the claim with the strongest evidence (the first listed among equals)."""
    chosen: dict[int, Claim] = {}
    for claim in claims:
        kept = chosen.get(claim.session)
        if kept is None or claim.rank > kept.rank:
            chosen[claim.session] = claim
    return chosen


@functools.lru_cache(maxsize=1)
def bundled_dates() -> dict[int, Claim]:
    return choose(all_claims())


def disagreements(chosen: dict[int, Claim], claims: list[Claim]) -> list[dict]:
    """Every claim whose first or last day differs from the one the calendar keeps, with why it lost."""
    found = []
    for claim in claims:
        kept = chosen.get(claim.session)
        if kept is None or (kept.start, kept.end) == (claim.start, claim.end):
            continue
        fields = [name for name in ("start", "end") if getattr(kept, name) != getattr(claim, name)]
        if kept.rank > claim.rank:
            reason = f"kept: {kept.evidence} outranks {claim.evidence}"
        else:
            reason = (f"kept: the calendar's own claim; the other carries evidence of the same weight "
                      f"({claim.evidence}): check both sources")
        found.append({
            "session": claim.session, "fields": fields,
            "kept": kept.as_dict(), "other": claim.as_dict(), "reason": reason,
        })
    return sorted(found, key=lambda d: (d["session"], d["other"]["source"]))
