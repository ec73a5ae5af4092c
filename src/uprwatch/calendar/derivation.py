"""Derive every state's Working Group session in cycles 1-5 from the bundled calendar data.

Pure functions over the files in ``uprwatch/data/calendar/`` (built by ``tools/build_calendar_data.py``);
no database. The rule (HRC decision 17/119: the order of the first cycle is kept in later cycles, 14 states
a session): from cycle 2 on, each state keeps its place in the order of review, so its session in cycle
``c`` is its cycle-2 session plus ``14 * (c - 2)``. Cycle 2 (sessions 13-26) follows the cycle-1 order (sessions 1-12) in 14 sessions
instead of 12.

The data give cycle 1 and cycle-2 sessions 13-20. Sessions 21-26 are derived:

1. the states of cycle 1 not placed in sessions 13-20, in cycle-1 order (by cycle-1 session);
2. split by the year of their cycle-2 review (``review-years.csv``: 2015 → sessions 21-23,
   2016 → 24-26, by ``session-years.csv``);
3. states without a cycle-1 review (South Sudan, a UN member since July 2011) join the end of
   the order, as new members do;
4. each year's states fill its sessions in order, 14 per session (cycle 2 has 14 sessions for 193
   states).

Within one cycle-1 session the data do not say in which order states were reviewed; where a session
boundary cuts a cycle-1 session, ties are broken by the published lists of sessions 52-54 (cycle 4
keeps cycle 2's order, so these lists are cycle-2 sessions 24-26 + 28), then alphabetically by ISO3
code, and the entry's note says so. ``check_against_cycle4_lists`` then compares the derived sessions
24-26 with the lists: the states it reports as "only listed" were rescheduled in cycle 4.

A state the data show reviewed after its place in cycle 2 (in an over-full session, its place left
under-full: Israel, 15 → 17) keeps its place, not the postponed session, in cycles 3-5
(``postponed_in_cycle2``).

Postponed reviews: a review held outside its slot (``review-moves.csv``: Sudan's cycle-3 review, slot 39,
held at the end of session 40; the published lists of sessions 52-54: Ukraine, left out of session 42) is
shown where it happened. No source says what a postponed state's next slot is; decision 17/119 implies it
keeps its place, so its next review follows the fixed order, with a plain note that the slot may move.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from uprwatch.records.cycles import CYCLE_SESSIONS, session_years
from uprwatch.records.states import load_states

DATA = Path(__file__).resolve().parent.parent / "data" / "calendar"
SESSIONS_PER_CYCLE = 14
STATES_PER_SESSION = 14
UPR_INFO_SOURCE = "UPR Info database, states by session 1-20 (data/calendar/states-by-session-1-20.csv)"
LISTS_SOURCE = "published list of session {session} (sessions-52-54-and-2025-26-events.xlsx, sheet sessions_info)"


@dataclass(frozen=True)
class Placement:
    """One state in one cycle: where the derivation puts it, and why."""

    iso3: str
    cycle: int
    session: int
    status: str  # official | derived | projected
    source: str
    note: str = ""


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.lru_cache(maxsize=1)
def sessions_1_to_20() -> dict[int, list[str]]:
    """Session → ISO3 codes of the states reviewed there (sessions 1-20, from UPR Info)."""
    by_session: dict[int, list[str]] = defaultdict(list)
    for row in _read("states-by-session-1-20.csv"):
        by_session[int(row["session"])].append(row["iso3"])
    return dict(by_session)


@functools.lru_cache(maxsize=1)
def review_years() -> dict[str, tuple[int | None, int | None]]:
    """ISO3 → (year of the cycle-1 review, year of the cycle-2 review); None where unknown."""
    return {
        row["iso3"]: (int(row["review1"]) if row["review1"] else None, int(row["review2"]) if row["review2"] else None)
        for row in _read("review-years.csv")
    }


@functools.lru_cache(maxsize=1)
def cycle4_lists() -> dict[int, list[str]]:
    """Session (52, 53, 54) → ISO3 codes of the published list."""
    lists: dict[int, list[str]] = defaultdict(list)
    for row in _read("sessions-52-54.csv"):
        lists[int(row["session"])].append(row["iso3"])
    return dict(lists)


@functools.lru_cache(maxsize=1)
def document_reviews() -> dict[tuple[str, int], str]:
    """(ISO3, session) → the UN document that shows the state was reviewed at that session."""
    return {(row["iso3"], int(row["session"])): row["source"] for row in _read("document-reviews.csv")}


@dataclass(frozen=True)
class ReviewMove:
    """A review held outside its place in the order (``data/calendar/review-moves.csv``)."""

    iso3: str
    cycle: int
    place: int  # the session the fixed order gives
    held: int  # the session where it was (or will be) held
    held_on: str  # ISO date of the review, when known
    source: str


@functools.lru_cache(maxsize=1)
def review_moves() -> dict[tuple[str, int], ReviewMove]:
    """(ISO3, cycle) → the move of that review."""
    return {
        (row["iso3"], int(row["cycle"])): ReviewMove(row["iso3"], int(row["cycle"]), int(row["place"]),
                                                     int(row["held"]), row["held_on"], row["source"])
        for row in _read("review-moves.csv")
    }


def may_move_note(state_cycle: int, place: int, held: int) -> str:
    """The plain note on a review that follows a postponed one."""
    return (f"its cycle-{state_cycle} review was held outside its slot (session {held} instead of {place}); this "
            f"review follows the fixed order (HRC decision 17/119), but no source confirms it: the slot may move")


@functools.lru_cache(maxsize=1)
def review_days() -> dict[tuple[str, int], tuple[str, str]]:
    """(ISO3, session) → (ISO date, source): the day of the review, as its Working Group report states."""
    days = {(row["iso3"], int(row["session"])): (row["date"], row["source"]) for row in _read("review-days.csv")}
    for move in review_moves().values():
        if move.held_on:
            days.setdefault((move.iso3, move.held), (move.held_on, move.source))
    return days


def member_states() -> list[str]:
    return [state.iso3 for state in load_states() if state.is_member]


def cycle1_sessions() -> dict[str, int]:
    first, last = CYCLE_SESSIONS[1]
    return {iso3: n for n, states in sessions_1_to_20().items() if first <= n <= last for iso3 in states}


def new_members() -> set[str]:
    """States the data list in cycle 1 but that had no cycle-1 review (review year missing)."""
    return {iso3 for iso3, (first, _second) in review_years().items() if first is None}


@functools.lru_cache(maxsize=1)
def cycle2_places() -> dict[str, tuple[int, str, str]]:
    """ISO3 → (cycle-2 session, status, note): sessions 13-20 from data, 21-26 derived."""
    first, last = CYCLE_SESSIONS[2]
    places: dict[str, tuple[int, str, str]] = {}
    for n, states in sessions_1_to_20().items():
        if first <= n <= last:
            for iso3 in states:
                places[iso3] = (n, "official", "")

    cycle1 = cycle1_sessions()
    newcomers = new_members()
    listed = {iso3: n for n, states in cycle4_lists().items() for iso3 in states}
    remaining = [iso3 for iso3 in cycle1 if iso3 not in places and iso3 not in newcomers]
    remaining.sort(key=lambda iso3: (cycle1[iso3], review_years()[iso3][1] or 0, listed.get(iso3, 99), iso3))
    # New members go to the end of the order, in the year the data give for their first review.
    remaining += sorted(iso3 for iso3 in member_states() if iso3 in newcomers and iso3 not in places)

    derived_sessions = [n for n in range(first, last + 1) if n not in sessions_1_to_20()]
    years = session_years()
    by_year: dict[int, list[str]] = defaultdict(list)
    for iso3 in remaining:
        year = review_years()[iso3][1]
        if year is None:
            raise ValueError(f"no cycle-2 review year for {iso3}: cannot place it in sessions 21-26")
        by_year[year].append(iso3)
    for year, states in sorted(by_year.items()):
        sessions = [n for n in derived_sessions if years.get(n) == year]
        if not sessions or len(states) > STATES_PER_SESSION * len(sessions):
            raise ValueError(f"{len(states)} states reviewed in {year} do not fit sessions {sessions}")
        for index, iso3 in enumerate(states):
            session = sessions[index // STATES_PER_SESSION]
            note = _tie_note(iso3, states, cycle1, newcomers)
            if listed.get(iso3) == session + 2 * SESSIONS_PER_CYCLE and note.startswith("cycle-1 session"):
                note = f"confirmed by the published list of session {listed[iso3]} (cycle 4 keeps this place)"
            places[iso3] = (session, "derived", note)
    return places


def _tie_note(iso3: str, states: list[str], cycle1: dict[str, int], newcomers: set[str]) -> str:
    """Say when a session boundary cut this state's cycle-1 session (order within it unknown)."""
    if iso3 in newcomers:
        return "no cycle-1 review (new UN member): placed at the end of the cycle-2 order"
    group = [i for i, other in enumerate(states) if other not in newcomers and cycle1.get(other) == cycle1.get(iso3)]
    if len({i // STATES_PER_SESSION for i in group}) > 1:
        return (f"cycle-1 session {cycle1[iso3]} is split between two cycle-2 sessions; the order within it is not "
                f"in the data (placed by the session 52-54 lists, then alphabetically): this session may be "
                f"off by one")
    return ""


@functools.lru_cache(maxsize=1)
def postponed_in_cycle2() -> dict[str, int]:
    """ISO3 → place in the order, for states the data show reviewed after their place in cycle 2.

    Such a state sits in an over-full session (more than 14) among states of later cycle-1 sessions,
    while a session holding the rest of its cycle-1 session is under-full: that gap is its place
    (Israel: cycle-1 session 3, reviewed in session 17 in 2013, its place is 15). Later cycles keep
    the place, not the postponed session.
    """
    first, last = CYCLE_SESSIONS[2]
    cycle1 = cycle1_sessions()
    by_session = {n: states for n, states in sessions_1_to_20().items() if first <= n <= last}
    session_of = {iso3: n for n, states in by_session.items() for iso3 in states}
    sizes = {n: len(states) for n, states in by_session.items()}
    moved: dict[str, int] = {}
    for n, states in by_session.items():
        if sizes[n] <= STATES_PER_SESSION:
            continue
        for iso3 in states:
            others = [cycle1[o] for o in states if o != iso3 and o in cycle1]
            if iso3 not in cycle1 or not others or cycle1[iso3] >= min(others):
                continue
            group = sorted({session_of[o] for o, c in cycle1.items() if c == cycle1[iso3] and o in session_of} - {n})
            gaps = [m for m in group if sizes[m] < STATES_PER_SESSION]
            if gaps:
                moved[iso3] = gaps[0]
    return moved


def placements() -> list[Placement]:
    """Every member state's session in cycles 1-5 (the data and derivation, before the database)."""
    result: list[Placement] = []
    cycle1 = cycle1_sessions()
    newcomers = new_members()
    for iso3, session in cycle1.items():
        note = ""
        if iso3 in newcomers:
            note = ("the UPR Info data file this cycle-1 session under this state, but the state had no cycle-1 review "
                    "(review-years-cycles-1-2.csv): these are recommendations from another state's review")
        result.append(Placement(iso3, 1, session, "official", UPR_INFO_SOURCE, note))

    listed = {iso3: n for n, states in cycle4_lists().items() for iso3 in states}
    postponed = postponed_in_cycle2()
    moves = review_moves()
    for iso3, (session, status, note) in cycle2_places().items():
        source = UPR_INFO_SOURCE if status == "official" else "derived from the cycle-1 order (see calendar.derivation)"
        moved_from: tuple[int, int, int] | None = None  # (cycle, place, held) of the last postponed review
        if iso3 in postponed:
            note = f"reviewed after its place in the order (session {postponed[iso3]}); later cycles keep that place"
            moved_from = (2, postponed[iso3], session)
        result.append(Placement(iso3, 2, session, status, source, note))
        session = postponed.get(iso3, session)  # the place in the order, which cycles 3-5 keep
        for cycle in (3, 4, 5):
            place = session + SESSIONS_PER_CYCLE * (cycle - 2)
            later = place
            later_status = "projected" if cycle == 5 else "derived"
            later_source = (f"derived from the order of review: session {session} in cycle 2, and {SESSIONS_PER_CYCLE} "
                            "sessions later in each following cycle (each state keeps its place)")
            # A cycle-2 session that may be off by one carries that doubt into every later cycle.
            later_note = note if status == "derived" else ""
            move = moves.get((iso3, cycle))
            if cycle == 4 and iso3 in listed:
                if listed[iso3] != place:
                    later_note = f"rescheduled: its place in the order is session {place}"
                later, later_status = listed[iso3], "official"
                later_source = LISTS_SOURCE.format(session=listed[iso3])
            elif move is not None:
                later, later_status, later_source = move.held, "official", move.source
                later_note = f"postponed: its place in the order is session {place}"
            elif cycle == 4 and later in cycle4_lists():
                later_note = f"not on the published list of session {later}"
            if later == place and moved_from is not None and later_status != "official":
                later_note = _joined(later_note, may_move_note(*moved_from))
            elif later == place and moved_from is not None and later_status == "official":
                later_note = _joined(later_note, f"back in its place after the cycle-{moved_from[0]} review was held "
                                                 f"outside its slot")
            document = document_reviews().get((iso3, later))
            if document and later_status != "official":
                later_status, later_source = "official", document
            result.append(Placement(iso3, cycle, later, later_status, later_source, later_note))
            moved_from = (cycle, place, later) if later != place else None
    return result


def _joined(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def check_against_cycle4_lists() -> dict[int, dict[str, list[str]]]:
    """Compare derived cycle-2 sessions 24-26 (+28) with the published lists of sessions 52-54.

    Returns ``{52: {"listed": [...], "derived": [...], "agree": [...], "only_listed": [...],
    "only_derived": [...]}, ...}`` (ISO3 codes, sorted).
    """
    places = cycle2_places()
    report = {}
    for session, listed in sorted(cycle4_lists().items()):
        derived = {iso3 for iso3, (n, _s, _note) in places.items() if n + 28 == session}
        listed_set = set(listed)
        report[session] = {
            "listed": sorted(listed_set),
            "derived": sorted(derived),
            "agree": sorted(listed_set & derived),
            "only_listed": sorted(listed_set - derived),
            "only_derived": sorted(derived - listed_set),
        }
    return report


@functools.cache
def _sessions() -> dict[int, tuple[str, ...]]:
    found: dict[int, set[str]] = defaultdict(set)
    for placement in placements():
        found[placement.session].add(placement.iso3)
    return {session: tuple(sorted(states)) for session, states in found.items()}


def states_in_session(session: int) -> list[str]:
    """ISO3 codes of the states the calendar puts in one Working Group session (official or derived).

    The document parsers take this to find the state of an OHCHR list that does not name it.
    """
    return list(_sessions().get(session, ()))
