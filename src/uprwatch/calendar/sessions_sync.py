"""Keep ``records.Session`` rows 1-68 in step with the calendar: year everywhere, official dates.

Only years and *official* dates are written (never estimates), and only where the row has none, so a
date that an ingested Working Group report stored is never overwritten. Idempotent, one transaction.
"""

from __future__ import annotations

from django.db import transaction

from uprwatch.calendar.sessions import LAST_SESSION, all_session_years, bundled_session_dates
from uprwatch.records.cycles import cycle_of_session
from uprwatch.records.models import Cycle, Session


@transaction.atomic
def sync_sessions() -> dict[str, int]:
    """Create missing sessions 1-68 and fill in missing years and official dates; returns counts."""
    years = all_session_years()
    official = bundled_session_dates()
    existing_cycles = set(Cycle.objects.values_list("number", flat=True))
    created = years_set = dates_set = 0
    sessions = {s.number: s for s in Session.objects.filter(number__lte=LAST_SESSION)}
    for number in range(1, LAST_SESSION + 1):
        if cycle_of_session(number) not in existing_cycles:
            continue  # cycles are created by the dataset step; without them there is nothing to attach to
        session = sessions.get(number)
        if session is None:
            session = Session.objects.create(number=number, cycle_id=cycle_of_session(number), year=years[number])
            created += 1
        changed = []
        if session.year is None:
            session.year = years[number]
            changed.append("year")
            years_set += 1
        if session.start_date is None and number in official:
            session.start_date, session.end_date = official[number][0], official[number][1]
            changed += ["start_date", "end_date"]
            dates_set += 1
        if changed:
            session.save(update_fields=changed)
    return {"created": created, "years_set": years_set, "dates_set": dates_set}


def calendar_step(console, options) -> None:
    """``uprwatch init`` step "calendar": session years 54-68 and official session dates."""
    counts = sync_sessions()
    console.print(
        f"calendar: {counts['created']} sessions created, {counts['years_set']} years and "
        f"{counts['dates_set']} official session dates filled in"
    )
