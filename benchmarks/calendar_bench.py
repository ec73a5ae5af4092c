"""Calendar figures: how fast the schedule, a state's calendar and the feeds are built, and what the
derivation yields (official/derived/projected entries, agreement with the published lists of 52-54).

Run: ``UPRWATCH_HOME=... .venv/bin/python benchmarks/calendar_bench.py`` (after ``uprwatch init``); prints one
JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from uprwatch.calendar import derivation, ical
    from uprwatch.calendar.consistency import dates_check
    from uprwatch.calendar.schedule import Schedule, upcoming
    from uprwatch.calendar.sessions import session_dates
    from uprwatch.calendar.summary import state_summary
    from uprwatch.records.states import resolve_state

    def timed(function, repeat: int = 5) -> float:
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        return round((time.perf_counter() - start) / repeat * 1000, 1)

    on = dt.date.today()
    entries = Schedule().all_reviews()
    statuses = Counter(e.status for e in entries)
    dates = Counter(e.dates.status for e in entries)
    check = derivation.check_against_cycle4_lists()
    listed = sum(len(r["listed"]) for r in check.values())
    agree = sum(len(r["agree"]) for r in check.values())
    sessions = session_dates()
    session_statuses = Counter(d.status for d in sessions.values())
    check_dates = dates_check()
    figures = {
        "sessions_official_dates": session_statuses["official"],
        "sessions_reported_dates": session_statuses["reported"],
        "sessions_estimated_dates": session_statuses["estimated"],
        "sessions_projected_dates": session_statuses["projected"],
        "evidence_table_compared": check_dates["evidence_table"]["compared"],
        "evidence_table_agree": check_dates["evidence_table"]["agree"],
        "date_disagreements": len(check_dates["disagreements"]),
        "china_session_59_start": sessions[59].start.isoformat(),
        "review_entries": len(entries),
        "entries_official": statuses["official"],
        "entries_derived": statuses["derived"],
        "entries_projected": statuses["projected"],
        "entries_with_official_dates": dates["official"],
        "sessions_52_54_listed": listed,
        "sessions_52_54_derived_agree": agree,
        "sessions_52_54_agreement": round(agree / listed, 3),
        "ms_schedule_all_reviews": timed(lambda: Schedule().all_reviews()),
        "ms_state_summary_json": timed(lambda: state_summary("China")),
        "ms_upcoming_365_days_all_states": timed(lambda: upcoming(365, on=on)),
        "ms_state_ics": timed(lambda: ical.state_calendar(resolve_state("China"), on)),
        "ms_sessions_ics": timed(lambda: ical.sessions_calendar(on)),
        "ms_session_dates": timed(lambda: session_dates()),
        "ms_dates_check": timed(lambda: dates_check()),
        "bytes_sessions_ics": len(ical.sessions_calendar(on).encode()),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
