"""Events (dated incidents and developments) and the timelines built from events and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from uprwatch.records.models import State
from uprwatch.tracking import audit
from uprwatch.tracking.assessments import forget_evidence, parse_date, visible_assessments
from uprwatch.tracking.campaigns import _recommendations, _states
from uprwatch.tracking.errors import Conflict, Invalid
from uprwatch.tracking.limits import parse_version
from uprwatch.tracking.models import (
    Campaign,
    Confidence,
    Event,
    EvidenceItem,
    Organisation,
    Role,
    Visibility,
)
from uprwatch.tracking.permissions import require_role, visible_evidence_filter, visible_filter

FIELDS = ("title", "description", "occurred_on", "occurred_until", "people_count", "count_note", "places",
          "sources", "confidence")


def visible_events(user):
    return Event.objects.filter(visible_filter(user)).select_related("organisation").prefetch_related("states")


def _clean(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if key not in FIELDS:
            raise Invalid(f"unknown field {key!r}")
        if key in ("occurred_on", "occurred_until"):
            value = parse_date(value, key)
        elif key == "people_count":
            if value in (None, ""):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise Invalid("people_count must be a whole number") from None
                if value < 0:
                    raise Invalid("people_count cannot be negative")
                if value > 2_147_483_647:  # the column's limit on PostgreSQL (SQLite would store it)
                    raise Invalid("people_count is too large (at most 2,147,483,647)")
        elif key == "confidence":
            if value not in Confidence.values:
                raise Invalid(f"confidence must be one of {', '.join(Confidence.values)}")
        else:
            value = (value or "").strip()
        out[key] = value
    return out


def _validate(event: Event) -> None:
    if not event.title:
        raise Invalid("an event needs a title")
    if event.occurred_on is None:
        raise Invalid("an event needs a date (occurred_on)")
    if event.occurred_until and event.occurred_until < event.occurred_on:
        raise Invalid("occurred_until is before occurred_on")


@transaction.atomic
def create_event(user, organisation: Organisation, *, states: list[str] | None = None, recommendations=None,
                 visibility: str = Visibility.PRIVATE, **fields) -> Event:
    require_role(user, organisation, Role.CONTRIBUTOR)
    if visibility == Visibility.PUBLISHED:
        require_role(user, organisation, Role.EDITOR)
    elif visibility != Visibility.PRIVATE:
        raise Invalid(f"visibility must be private or published, not {visibility!r}")
    event = Event(organisation=organisation, created_by=user, visibility=visibility, **_clean(fields))
    _validate(event)
    event.save()
    event.states.set(_states(states or []))
    event.recommendations.set(_recommendations(recommendations))
    audit.record(user, "publish" if visibility == Visibility.PUBLISHED else "create", event, after=audit.snapshot(event))
    return event


@transaction.atomic
def update_event(user, event_id: int, *, version: int | None, states: list[str] | None = None,
                 recommendations=None, **fields) -> Event:
    event = Event.objects.select_for_update().get(pk=event_id)
    require_role(user, event.organisation, Role.CONTRIBUTOR)
    version = parse_version(version)
    if version is None:
        raise Invalid("the version you edited is required (optimistic locking)")
    if version != event.version:
        raise Conflict(
            f"this event was changed by someone else (now version {event.version}, you edited version {version}); "
            "nothing was saved — your changes are kept below, review and save again",
            event.version, audit.snapshot(event),
        )
    if event.visibility == Visibility.PUBLISHED:
        require_role(user, event.organisation, Role.EDITOR)
    before = audit.snapshot(event)
    for key, value in _clean(fields).items():
        setattr(event, key, value)
    _validate(event)
    event.version += 1
    event.save()
    if states is not None:
        event.states.set(_states(states))
    if recommendations is not None:
        event.recommendations.set(_recommendations(recommendations))
    audit.record(user, "update", event, before=before, after=audit.snapshot(event))
    return event


@transaction.atomic
def delete_event(user, event: Event) -> None:
    require_role(user, event.organisation, Role.EDITOR)
    # its evidence goes with it: none of that evidence's text or files may outlive it
    forget_evidence(user, event.evidence.all())
    audit.record(user, "delete", event, before=audit.snapshot(event))
    event.delete()


@dataclass
class TimelineItem:
    date: date | None
    kind: str  # "event", "evidence", "assessment"
    title: str
    organisation: str
    url: str
    detail: str = ""


def _timeline(events, evidence, assessments) -> list[TimelineItem]:
    items = [
        TimelineItem(e.occurred_on, "event", e.title, e.organisation.name, e.get_absolute_url(),
                     (f"{e.count_note} {e.people_count} people".strip() if e.people_count is not None else "")
                     + (f" · {e.places}" if e.places else "") + f" · confidence {e.confidence}")
        for e in events
    ]
    items += [
        TimelineItem(i.date, "evidence", i.citation, i.organisation.name,
                     (i.event or i.assessment).get_absolute_url(), i.quote[:200])
        for i in evidence
    ]
    items += [
        TimelineItem(a.assessed_on, "assessment", f"{a.get_status_display()} — recommendation {a.recommendation_id}",
                     a.organisation.name, a.get_absolute_url(), a.rationale[:200])
        for a in assessments
    ]
    # Newest first; undated evidence last.
    return sorted(items, key=lambda i: (i.date is not None, i.date or date.min), reverse=True)


def _visible_evidence(user):
    return EvidenceItem.objects.filter(visible_evidence_filter(user)).select_related("organisation", "event", "assessment")


def campaign_timeline(user, campaign: Campaign, rec_ids: set[int]) -> list[TimelineItem]:
    states = list(campaign.states.all())
    events = visible_events(user).filter(Q(recommendations__in=rec_ids) | Q(states__in=states)).distinct()
    evidence = _visible_evidence(user).filter(
        Q(event__in=events) | Q(assessment__recommendation_id__in=rec_ids)
    ).distinct()
    assessments = visible_assessments(user).filter(recommendation_id__in=rec_ids)
    return _timeline(events, evidence, assessments)


def state_timeline(user, state: State) -> list[TimelineItem]:
    events = visible_events(user).filter(Q(states=state) | Q(recommendations__review__state=state)).distinct()
    evidence = _visible_evidence(user).filter(
        Q(event__in=events) | Q(assessment__recommendation__review__state=state)
    ).distinct()
    assessments = visible_assessments(user).filter(recommendation__review__state=state)
    return _timeline(events, evidence, assessments)
