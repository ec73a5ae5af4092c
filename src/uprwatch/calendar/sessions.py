"""When each Working Group session (1-68) meets: real dates where a source gives them, else a labelled guess.

Every session gets one of four statuses:

- ``official``: a UN document states the dates (read by ``tools/build_calendar_data.py``, the evidence
  table's ``document`` rows, or a Working Group report ingested into the database);
- ``reported``: a secondary source does (press releases, UPR Info pages, the 2025-26 planning sheet);
- ``estimated``: no source, but dated sessions on both sides fix its slot (session 51);
- ``projected``: after the last dated session, from the Working Group's observed practice (cycle 5).

The practice, observed in the dated sessions (see ``Practice``), not assumed:

1. three sessions a year, in slots of January-February, April-May and October-November;
2. a session runs from a Monday to the Friday of the following week, opening on the first Monday on or
   after a day fitted to the dated sessions of that slot since 2013;
3. at every change of cycle so far one slot went unused (January 2012, January 2017, May 2022): a projected
   cycle opens one slot later; this is practice seen every time, not a written rule;
4. a session moved out of its slot (COVID-19 moved session 36 from May to November 2020:
   ``data/calendar/session-moves.csv``) moves every later one along — the dated sessions already show it.

Each estimated or projected session carries the rule that produced it (``rule``) and how sure it is
(``confidence``: ``confirmed``, ``reported``, ``likely`` or ``uncertain``).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass

from uprwatch.calendar.evidence import DATA, SESSION_LENGTH_DAYS, Claim, bundled_dates, fits_pattern
from uprwatch.records.cycles import CYCLE_SESSIONS, cycle_of_session

LAST_SESSION = CYCLE_SESSIONS[5][1]
SESSIONS_PER_YEAR = 3
SLOT_NAMES = ("Jan–Feb", "Apr–May", "Oct–Nov")
SLOT_MONTHS = (1, 4, 10)  # the month from which a slot's opening day is counted
# Sessions 1 and 2 (April and May 2008) opened the UPR in one spring; the three-a-year rhythm starts with
# session 3 (December 2008), and the current session length with cycle 2: the practice is read from there.
RHYTHM_FROM = 3
PATTERN_FROM = 15
DATABASE_EVIDENCE = "database"


@dataclass(frozen=True)
class SessionDates:
    number: int
    cycle: int
    year: int
    start: dt.date
    end: dt.date
    status: str  # official | reported | estimated | projected
    source: str
    evidence: str = ""  # for dated sessions: document | secondary | planning sheet | database | ...
    rule: str = ""  # for estimated and projected sessions: the rule that produced the dates
    confidence: str = "confirmed"  # confirmed | reported | likely | uncertain
    note: str = ""  # a dispute, a move, the unused slot before it

    @property
    def slot(self) -> int:
        return slot_of(self.start)

    def as_dict(self) -> dict:
        """The session's dates under the keys the API and CLI use (``dates_*``)."""
        return {
            "start_date": self.start.isoformat(), "end_date": self.end.isoformat(),
            "dates_status": self.status, "dates_source": self.source, "dates_evidence": self.evidence,
            "dates_rule": self.rule, "dates_confidence": self.confidence, "dates_note": self.note,
        }


def slot_of(day: dt.date) -> int:
    """A session's slot as one number: three per year (Jan-Feb 0, Apr-May 1, Oct-Nov 2; December is Oct-Nov)."""
    return day.year * SESSIONS_PER_YEAR + (0 if day.month <= 3 else 1 if day.month <= 7 else 2)


def slot_label(slot: int) -> str:
    return f"{SLOT_NAMES[slot % SESSIONS_PER_YEAR]} {slot // SESSIONS_PER_YEAR}"


def first_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@functools.lru_cache(maxsize=1)
def session_moves() -> dict[int, tuple[dt.date, dt.date, str, str]]:
    """Session → (planned start, planned end, reason, source) for sessions moved out of their slot."""
    with open(DATA / "session-moves.csv", encoding="utf-8", newline="") as handle:
        return {
            int(row["session"]): (dt.date.fromisoformat(row["planned_start"]), dt.date.fromisoformat(row["planned_end"]),
                                  row["reason"], row["source"])
            for row in csv.DictReader(handle)
        }


def first_of_cycle(number: int) -> bool:
    return any(first == number for first, _last in CYCLE_SESSIONS.values())


# --- the observed practice ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """Slots left unused between two consecutive dated sessions."""

    before: int  # the session after the gap
    slots: list[int]
    reason: str  # between cycles | moved | unexplained
    why: str = ""  # for a moved session: what moved it, and the source

    def as_dict(self) -> dict:
        return {"before_session": self.before, "unused_slots": [slot_label(s) for s in self.slots],
                "reason": self.reason, "why": self.why}


@dataclass(frozen=True)
class Practice:
    """What the dated sessions show: opening day per slot, and the slots left unused between cycles."""

    opening_days: tuple[tuple[int, int], ...]  # per slot: (month, day) — the first Monday on or after it
    fits: tuple[tuple[int, int], ...]  # per slot: (dated sessions that match, dated sessions)
    gaps: tuple[Gap, ...]

    @property
    def cycle_gaps(self) -> list[Gap]:
        return [g for g in self.gaps if g.reason == "between cycles"]

    @property
    def cycle_gap(self) -> int:
        """How many slots a projected cycle leaves unused before it: the most frequent observation (1)."""
        counts = Counter(len(g.slots) for g in self.cycle_gaps)
        return counts.most_common(1)[0][0] if counts else 0

    @property
    def cycle_gap_always(self) -> bool:
        return len({len(g.slots) for g in self.cycle_gaps}) == 1

    def cycle_gap_years(self) -> str:
        years = [str(g.slots[0] // SESSIONS_PER_YEAR) for g in self.cycle_gaps if g.slots]
        return ", ".join(years[:-1]) + " and " + years[-1] if len(years) > 1 else "".join(years)

    def opening(self, slot: int) -> dt.date:
        month, day = self.opening_days[slot % SESSIONS_PER_YEAR]
        return first_monday(dt.date(slot // SESSIONS_PER_YEAR, month, day))

    def days_rule(self, slot: int) -> str:
        index = slot % SESSIONS_PER_YEAR
        month, day = self.opening_days[index]
        hits, total = self.fits[index]
        return (f"days: the first Monday on or after {day} {dt.date(2000, month, 1):%B} to the Friday of the following "
                f"week, as {hits} of {total} dated {SLOT_NAMES[index]} sessions since 2013 ran; they may differ by a week")

    def as_dict(self) -> dict:
        return {
            "opening_days": {SLOT_NAMES[i]: {"first_monday_on_or_after": f"{d} {dt.date(2000, m, 1):%B}",
                                             "fits": self.fits[i][0], "of": self.fits[i][1]}
                             for i, (m, d) in enumerate(self.opening_days)},
            "unused_slots": [g.as_dict() for g in self.gaps],
            "cycle_gap": self.cycle_gap, "cycle_gap_always": self.cycle_gap_always,
        }


def observe_practice(dated: dict[int, Claim]) -> Practice:
    """Fit the opening day of each slot and find the unused slots, from the dated sessions."""
    opening_days, fits = [], []
    for index, month in enumerate(SLOT_MONTHS):
        starts = [c.start for n, c in dated.items()
                  if n >= PATTERN_FROM and fits_pattern(c.start, c.end) and slot_of(c.start) % SESSIONS_PER_YEAR == index]
        best = (-1, 0, (month, 1))
        for offset in range(0, 62):  # candidate days from the 1st of the slot's month, two months on
            anchor = dt.date(2001, month, 1) + dt.timedelta(days=offset)
            hits = sum(first_monday(dt.date(s.year, anchor.month, anchor.day)) == s for s in starts)
            if hits > best[0]:
                best = (hits, offset, (anchor.month, anchor.day))
        opening_days.append(best[2])
        fits.append((max(best[0], 0), len(starts)))
    gaps = []
    numbers = sorted(n for n in dated if n >= RHYTHM_FROM)
    for previous, number in zip(numbers, numbers[1:], strict=False):
        if number != previous + 1:
            continue  # an undated session in between: nothing observed
        unused = list(range(slot_of(dated[previous].start) + 1, slot_of(dated[number].start)))
        if not unused:
            continue
        moves = [move for moved, move in session_moves().items() if previous < moved <= number]
        reason = "between cycles" if first_of_cycle(number) else "moved" if moves else "unexplained"
        why = f"{moves[0][2]} ({moves[0][3]})" if moves and reason == "moved" else ""
        gaps.append(Gap(number, unused, reason, why))
    return Practice(tuple(opening_days), tuple(fits), tuple(gaps))


# --- the dates held for each session -----------------------------------------------------------------------

def database_session_dates() -> dict[int, tuple[dt.date, dt.date]]:
    """Dates stored on records.Session (an ingested Working Group report sets them; ``init`` copies the
    bundled UN-document dates)."""
    from uprwatch.records.models import Session

    return {
        number: (start, end or start + dt.timedelta(days=SESSION_LENGTH_DAYS))
        for number, start, end in Session.objects.filter(start_date__isnull=False).values_list(
            "number", "start_date", "end_date"
        )
    }


def held_dates(include_database: bool = True) -> tuple[dict[int, Claim], dict[int, str]]:
    """Session → the claim the calendar keeps, and session → a note (a dispute, a replaced claim).

    A database date equal to the bundled one adds nothing. A different one came from an ingested report:
    it replaces a secondary source or the planning sheet, but not another UN document (that is reported
    as a dispute by ``uprwatch calendar --check``).
    """
    chosen = dict(bundled_dates())
    notes: dict[int, str] = {}
    if not include_database:
        return chosen, notes
    for number, (start, end) in database_session_dates().items():
        if number > LAST_SESSION:
            continue
        kept = chosen.get(number)
        stored = Claim(number, start, end, DATABASE_EVIDENCE,
                       f"Working Group session {number} in the database (dates from an ingested report)")
        if kept is not None and (kept.start, kept.end) == (start, end):
            continue
        if kept is not None and kept.rank >= stored.rank:
            notes[number] = (f"the database holds {_span(start, end)}; kept {_span(kept.start, kept.end)} from "
                             f"{kept.source} (see uprwatch calendar --check)")
            continue
        if kept is not None:
            notes[number] = f"replaces {_span(kept.start, kept.end)} ({kept.evidence}: {kept.source})"
        chosen[number] = stored
    return chosen, notes


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start:%-d %b %Y}–{end:%-d %b %Y}"


def session_dates(include_database: bool = True) -> dict[int, SessionDates]:
    """Every session 1-68 with its dates and where they come from (see the module docstring)."""
    dated, notes = held_dates(include_database)
    practice = observe_practice(dated)
    last_dated = max(dated)
    result: dict[int, SessionDates] = {}
    for number in range(1, LAST_SESSION + 1):
        note = notes.get(number, "")
        claim = dated.get(number)
        if claim is not None:
            note = _join(note, _dated_note(number, claim, practice))
            result[number] = SessionDates(
                number, cycle_of_session(number), claim.start.year, claim.start, claim.end, claim.status,
                claim.source, claim.evidence, "", "confirmed" if claim.status == "official" else "reported", note,
            )
            continue
        result[number] = _guess(number, result[number - 1], number < last_dated, practice, dated)
    return result


def _dated_note(number: int, claim: Claim, practice: Practice) -> str:
    parts = []
    move = session_moves().get(number)
    if move:
        parts.append(f"{move[2]} (planned {_span(move[0], move[1])})")
    for gap in practice.gaps:
        if gap.before == number and gap.reason == "between cycles":
            parts.append(f"one slot unused before it, between cycles ({', '.join(slot_label(s) for s in gap.slots)})")
    if claim.rank < 3 and number >= PATTERN_FROM and not fits_pattern(claim.start, claim.end):
        parts.append(f"the days may be off: {claim.evidence} gives {claim.start:%a %-d %b}–{claim.end:%a %-d %b %Y}, "
                     "while every session dated since 2013 ran Monday to Friday of the following week")
    return "; ".join(parts)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _guess(number: int, previous: SessionDates, between: bool, practice: Practice,
           dated: dict[int, Claim]) -> SessionDates:
    """Estimate (between dated sessions) or project (after the last) one session from the one before it."""
    opens_cycle = first_of_cycle(number)
    step = 1 + (practice.cycle_gap if opens_cycle else 0)
    slot = previous.slot + step
    start = practice.opening(slot)
    end = start + dt.timedelta(days=SESSION_LENGTH_DAYS)
    cycle = cycle_of_session(number)
    if between:
        later = min(n for n in dated if n > number)
        gap = (f", after one slot unused between cycles as in {practice.cycle_gap_years()}"
               if opens_cycle and practice.cycle_gap else "")
        rule = (f"estimated: no source dates session {number}; with three sessions a year it falls between session "
                f"{previous.number} ({slot_label(previous.slot)}) and session {later} "
                f"({slot_label(slot_of(dated[later].start))}), in {slot_label(slot)}{gap}; {practice.days_rule(slot)}")
        return SessionDates(number, cycle, start.year, start, end, "estimated",
                            "estimated from the dated sessions around it", "", rule, "likely")
    sure = "likely" if practice.cycle_gap_always and practice.cycle_gaps else "uncertain"
    if opens_cycle and practice.cycle_gap:
        seen = len(practice.cycle_gaps)
        rule = (f"projected: cycle {cycle} opens about {slot_label(slot)} if the Working Group again leaves one slot "
                f"unused between cycles, as in {practice.cycle_gap_years()} (seen at {seen} of {seen} changes of "
                f"cycle; practice, not a written rule); {practice.days_rule(slot)}")
    else:
        opening = CYCLE_SESSIONS[cycle][0]
        basis = ""
        if max(dated) < opening < number:
            basis = (f", counted from session {opening}, the projected opening of cycle {cycle} (one slot unused "
                     f"between cycles, as in {practice.cycle_gap_years()})")
        rule = (f"projected: three sessions a year, the next slot after session {previous.number} "
                f"({slot_label(previous.slot)}): {slot_label(slot)}{basis}; {practice.days_rule(slot)}")
    return SessionDates(number, cycle, start.year, start, end, "projected",
                        "projected from the Working Group's practice (three sessions a year)", "", rule, sure)


def practice(include_database: bool = True) -> Practice:
    return observe_practice(held_dates(include_database)[0])
