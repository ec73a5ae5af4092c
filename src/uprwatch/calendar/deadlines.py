"""Deadlines of one review: stakeholder submissions, national report, the session, HRC adoption, mid-term.

The rules are data: ``data/calendar/deadline-rules.csv`` (one row per deadline: an anchor — the
session's first day or the first day of its month —, an offset in months and days, an optional window
in months, and the reasoning). Point the ``UPRWATCH_CALENDAR_RULES`` setting or environment variable at
another CSV with the same columns to change them. A deadline is ``official`` when a data file gives its
date for that session (sessions 52-54, ``session-events.csv``), else ``estimated`` by its rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from uprwatch.calendar.derivation import DATA
from uprwatch.calendar.sessions import SessionDates
from uprwatch.errors import Invalid

RULES_FILE = DATA / "deadline-rules.csv"
ANCHORS = ("session_start", "month_start")


class DeadlineRulesError(Invalid):
    pass


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    label: str
    anchor: str
    months: int
    days: int
    window_months: int
    rule: str


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    date: dt.date
    end_date: dt.date | None  # last day of a window (the session, the mid-term window)
    status: str  # official | estimated (the Working Group deadline: its session's status, see calendar.sessions)
    source: str

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": self.label, "date": self.date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "status": self.status, "source": self.source,
        }


def rules_path() -> Path:
    from django.conf import settings

    configured = settings.UPRWATCH_CALENDAR_RULES
    return Path(configured) if configured else RULES_FILE


@functools.lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> tuple[DeadlineRule, ...]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        rules = tuple(
            DeadlineRule(
                row["key"], row["label"], row["anchor"], int(row["months"]), int(row["days"]),
                int(row["window_months"] or 0), row.get("rule", ""),
            )
            for row in rows
        )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise DeadlineRulesError(f"cannot read deadline rules from {path}: {exc}") from exc
    for rule in rules:
        if rule.anchor not in ANCHORS:
            raise DeadlineRulesError(f"{path}: rule {rule.key!r} has anchor {rule.anchor!r}, not one of {ANCHORS}")
    return rules


@functools.lru_cache(maxsize=1)
def official_events() -> dict[tuple[int, str], tuple[dt.date, str]]:
    """(session, deadline key) → (date, source), from the 2025-26 events sheet."""
    with open(DATA / "session-events.csv", encoding="utf-8", newline="") as handle:
        return {
            (int(row["session"]), row["event"]): (dt.date.fromisoformat(row["date"]), row["source"])
            for row in csv.DictReader(handle)
        }


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):  # clamp 31 January + 1 month to the end of February
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def deadlines_for_session(session: SessionDates) -> list[Deadline]:
    """Every deadline of a review at this Working Group session, earliest first."""
    result = []
    for rule in load_rules(rules_path()):
        if rule.key == "working_group":
            result.append(Deadline(rule.key, rule.label, session.start, session.end, session.status, session.source))
            continue
        official = official_events().get((session.number, rule.key))
        if official:
            result.append(Deadline(rule.key, rule.label, official[0], None, "official", official[1]))
            continue
        base = session.start if rule.anchor == "session_start" else session.start.replace(day=1)
        date = add_months(base, rule.months) + dt.timedelta(days=rule.days)
        end = add_months(date, rule.window_months) if rule.window_months else None
        # The deadline moves with the session: say which dates it was counted from.
        counted = f"; counted from session {session.number}'s {session.status} dates ({session.start:%-d %b %Y})"
        result.append(Deadline(rule.key, rule.label, date, end, "estimated", f"rule: {rule.rule}{counted}"))
    return sorted(result, key=lambda d: d.date)
