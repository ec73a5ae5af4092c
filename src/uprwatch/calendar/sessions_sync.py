"""Keep ``records.Session`` rows 1-68 in step with the calendar: the year everywhere, dates from UN documents.

Dates are written only where a UN document states them (``official``: never a press release, an estimate or
a projection) and only where the row has none, so a date that an ingested Working Group report stored is
never overwritten. The year of a row without dates is the calendar's (real, estimated or projected) and is
corrected when the calendar's changes — an older release projected cycle 5 a slot too early. A row with
dates keeps the year of its dates. Idempotent, one transaction.
"""

from __future__ import annotations

from django.db import transaction

from uprwatch.calendar.sessions import LAST_SESSION, session_dates
from uprwatch.records.cycles import cycle_of_session
from uprwatch.records.models import Cycle, Session


@transaction.atomic
def sync_sessions() -> dict[str, int]:
    """Create missing sessions 1-68, set or correct years, fill in missing official dates; returns counts."""
    dates = session_dates(include_database=False)
    existing_cycles = set(Cycle.objects.values_list("number", flat=True))
    created = years_set = dates_set = 0
    sessions = {s.number: s for s in Session.objects.filter(number__lte=LAST_SESSION)}
    for number in range(1, LAST_SESSION + 1):
        if cycle_of_session(number) not in existing_cycles:
            continue  # cycles are created by the dataset step; without them there is nothing to attach to
        held = dates[number]
        session = sessions.get(number)
        if session is None:
            session = Session.objects.create(number=number, cycle_id=cycle_of_session(number), year=held.year)
            created += 1
        changed = []
        if session.start_date is None and held.status == "official":
            session.start_date, session.end_date = held.start, held.end
            changed += ["start_date", "end_date"]
            dates_set += 1
        year = session.start_date.year if session.start_date else held.year
        if session.year != year:
            session.year = year
            changed.append("year")
            years_set += 1
        if changed:
            session.save(update_fields=changed)
    return {"created": created, "years_set": years_set, "dates_set": dates_set}


def calendar_step(console, options) -> None:
    """``uprwatch init`` step "calendar": session years 1-68 and session dates from UN documents."""
    counts = sync_sessions()
    console.print(
        f"calendar: {counts['created']} sessions created, {counts['years_set']} years set or corrected and "
        f"{counts['dates_set']} session dates from UN documents filled in"
    )
