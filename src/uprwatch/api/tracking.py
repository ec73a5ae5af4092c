"""API for implementation tracking: campaigns, assessments, evidence, events, notifications, audit.

Authentication: ``Authorization: Bearer <token>`` (tokens from ``uprwatch tokens create`` or the
"API tokens" page). Every write needs a token (401 without, or with a revoked one) and the same role
as on the web (403). Reads without a token see published content only; with a token they also see
the private content of the user's organisations. Stale saves (``version`` not current) get 409 with
``current_version``; nothing is written.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from uprwatch.api.auth import bearer, caller
from uprwatch.records.models import Recommendation, State
from uprwatch.tracking import alerts, assessments, audit, campaigns, events
from uprwatch.tracking.errors import Invalid
from uprwatch.tracking.models import Assessment, Campaign, Event, EvidenceItem, Organisation, Role
from uprwatch.tracking.permissions import get_visible, has_role, require_role

router = Router(tags=["tracking"])


# The token (or session) checks are shared with every other API module: see api/auth.py.
reader = caller


def _visible(model, user, pk: int):
    return get_visible(model, user, pk)


def _organisation(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise Invalid(f"no organisation {slug!r}")
    return org


# --- JSON shapes ---------------------------------------------------------------------------------

def organisation_out(org: Organisation) -> dict:
    return {"slug": org.slug, "name": org.name, "coalition": org.coalition.slug if org.coalition else None}


def evidence_out(item: EvidenceItem) -> dict:
    return {
        "id": item.pk, "citation": item.citation, "url": item.url, "date": item.date, "quote": item.quote,
        "file": reverse("tracking:evidence_file", args=[item.pk]) if item.file else None,
        "file_name": item.file_name, "file_type": item.file_type, "file_size": item.file_size,
        "assessment": item.assessment_id, "event": item.event_id, "organisation": item.organisation.slug,
        "visibility": item.visibility, "version": item.version,
    }


def assessment_out(a: Assessment, *, full: bool = False, user=None) -> dict:
    out = {
        "id": a.pk, "recommendation": a.recommendation_id, "organisation": a.organisation.slug,
        "status": a.status, "assessed_on": a.assessed_on, "rationale": a.rationale, "visibility": a.visibility,
        "published_at": a.published_at, "version": a.version, "updated_at": a.updated_at,
    }
    if full:
        versions = a.versions.select_related("saved_by")
        if not has_role(user, a.organisation, Role.VIEWER):
            versions = versions.filter(visibility="published")
        out["evidence"] = [evidence_out(e) for e in assessments.visible_evidence(user, a)]
        out["history"] = [
            {"version": v.version, "status": v.status, "assessed_on": v.assessed_on, "rationale": v.rationale,
             "visibility": v.visibility, "saved_by": v.saved_by.username if v.saved_by else None, "saved_at": v.saved_at}
            for v in versions
        ]
    return out


def event_out(e: Event, *, full: bool = False, user=None) -> dict:
    out = {
        "id": e.pk, "organisation": e.organisation.slug, "title": e.title, "description": e.description,
        "occurred_on": e.occurred_on, "occurred_until": e.occurred_until, "people_count": e.people_count,
        "count_note": e.count_note, "places": e.places, "sources": e.sources, "confidence": e.confidence,
        "states": [s.name for s in e.states.all()],
        "recommendations": sorted(e.recommendations.values_list("pk", flat=True)),
        "visibility": e.visibility, "version": e.version,
    }
    if full:
        out["evidence"] = [evidence_out(i) for i in assessments.visible_evidence(user, e)]
    return out


def campaign_out(w: Campaign, *, full: bool = False, user=None) -> dict:
    out = {
        "id": w.pk, "organisation": w.organisation.slug, "name": w.name, "description": w.description,
        "query": w.query, "states": [s.name for s in w.states.all()],
        "pinned": sorted(w.pinned.values_list("pk", flat=True)),
        "excluded": sorted(w.excluded.values_list("pk", flat=True)),
        "visibility": w.visibility, "version": w.version, "updated_at": w.updated_at,
    }
    if full:
        ids = campaigns.recommendation_ids(w)
        out["recommendations"] = sorted(ids)
        out["assessments"] = [
            assessment_out(a) for rows in assessments.assessments_of(user, ids).values() for a in rows
        ]
    return out


def timeline_out(items) -> list[dict]:
    return [{"date": i.date, "kind": i.kind, "title": i.title, "organisation": i.organisation, "url": i.url,
             "detail": i.detail} for i in items]


# --- input shapes --------------------------------------------------------------------------------

class CampaignIn(Schema):
    organisation: str
    name: str
    description: str = ""
    query: str = ""
    states: list[str] = []
    pinned: list[int] = []
    excluded: list[int] = []
    visibility: str = "private"


class CampaignPatch(Schema):
    version: int
    name: str | None = None
    description: str | None = None
    query: str | None = None
    states: list[str] | None = None
    pinned: list[int] | None = None
    excluded: list[int] | None = None
    visibility: str | None = None


class AssessmentIn(Schema):
    organisation: str
    recommendation: int
    status: str
    rationale: str = ""
    assessed_on: datetime.date | None = None
    version: int | None = None
    publish: bool = False


class EventIn(Schema):
    organisation: str
    title: str
    occurred_on: datetime.date
    occurred_until: datetime.date | None = None
    description: str = ""
    people_count: int | None = None
    count_note: str = ""
    places: str = ""
    sources: str = ""
    confidence: str = "medium"
    states: list[str] = []
    recommendations: list[int] = []
    visibility: str = "private"


class EventPatch(Schema):
    version: int
    title: str | None = None
    occurred_on: datetime.date | None = None
    occurred_until: datetime.date | None = None
    description: str | None = None
    people_count: int | None = None
    count_note: str | None = None
    places: str | None = None
    sources: str | None = None
    confidence: str | None = None
    states: list[str] | None = None
    recommendations: list[int] | None = None


class PreferencesIn(Schema):
    in_app: bool | None = None
    email: bool | None = None
    watchlist_matches: bool | None = None
    deadlines: bool | None = None
    deadline_days: int | None = Field(None, json_schema_extra={"minimum": 1, "maximum": 365})  # checked by alerts


# --- organisations and audit ---------------------------------------------------------------------

@router.get("/tracking/organisations", summary="Organisations (public names only)")
def organisation_list(request):
    return [organisation_out(o) for o in Organisation.objects.select_related("coalition")]


@router.get("/tracking/organisations/{slug}/audit", summary="Audit log of an organisation (admins)")
def audit_log(request, slug: str, format: str = "json"):
    user = reader(request)
    org = get_object_or_404(Organisation, slug=slug)
    if not user.is_authenticated:
        raise HttpError(401, "a token is required")
    require_role(user, org, Role.ADMIN)
    if format == "csv":
        return HttpResponse(audit.export(org, "csv"), content_type="text/csv")
    if format != "json":
        raise Invalid("format must be csv or json")
    return [audit.entry_dict(e) for e in audit.entries_for(org)]


# --- campaigns -----------------------------------------------------------------------------------

@router.get("/tracking/campaigns", summary="Campaigns you may see")
def campaign_list(request):
    user = reader(request)
    return [campaign_out(w) for w in campaigns.visible_campaigns(user).prefetch_related("states")]


@router.post("/tracking/campaigns", auth=bearer, response={201: dict}, summary="Create a campaign")
def campaign_create(request, payload: CampaignIn):
    data = payload.dict()
    org = _organisation(data.pop("organisation"))
    campaign = campaigns.create_campaign(request.auth, org, **data)
    return Status(201, campaign_out(campaign))


@router.get("/tracking/campaigns/{int:pk}", summary="A campaign with its recommendations and assessments")
def campaign_detail(request, pk: int):
    user = reader(request)
    return campaign_out(_visible(Campaign, user, pk), full=True, user=user)


@router.patch("/tracking/campaigns/{int:pk}", auth=bearer, summary="Change a campaign (send the version you read)")
def campaign_update(request, pk: int, payload: CampaignPatch):
    _visible(Campaign, request.auth, pk)
    data = payload.dict()
    version = data.pop("version")
    return campaign_out(campaigns.update_campaign(request.auth, pk, version=version, **data))


@router.post("/tracking/campaigns/{int:pk}/publish", auth=bearer, summary="Publish a campaign (editors)")
def campaign_publish(request, pk: int, version: int | None = None):
    campaign = _visible(Campaign, request.auth, pk)
    return campaign_out(assessments.publish(request.auth, campaign, version=version))


@router.delete("/tracking/campaigns/{int:pk}", auth=bearer, response={204: None}, summary="Delete a campaign (editors)")
def campaign_delete(request, pk: int):
    campaigns.delete_campaign(request.auth, _visible(Campaign, request.auth, pk))
    return Status(204, None)


@router.get("/tracking/campaigns/{int:pk}/timeline", summary="Events, evidence and assessments of a campaign")
def campaign_timeline(request, pk: int):
    user = reader(request)
    campaign = _visible(Campaign, user, pk)
    return timeline_out(events.campaign_timeline(user, campaign, campaigns.recommendation_ids(campaign)))


# --- assessments and evidence --------------------------------------------------------------------

@router.get("/tracking/assessments", summary="Assessments you may see, with the state's own claim")
def assessment_list(request, recommendation: int | None = None, organisation: str | None = None):
    user = reader(request)
    found = assessments.visible_assessments(user)
    if recommendation is not None:
        found = found.filter(recommendation_id=recommendation)
    if organisation:
        found = found.filter(organisation__slug=organisation)
    out = {"assessments": [assessment_out(a) for a in found[:1000]]}
    if recommendation is not None:
        rec = Recommendation.objects.select_related("review__state").filter(pk=recommendation).first()
        if rec is None:
            raise HttpError(404, f"no recommendation {recommendation}")
        out["state_claim"] = assessments.state_claim(rec)
    return out


@router.post("/tracking/assessments", auth=bearer, response={200: dict, 201: dict},
             summary="Create an assessment, or a new version of it (send the version you read)")
def assessment_save(request, payload: AssessmentIn):
    data = payload.dict()
    org = _organisation(data.pop("organisation"))
    existed = Assessment.objects.filter(recommendation_id=data["recommendation"], organisation=org).exists()
    saved = assessments.save_assessment(request.auth, org, data.pop("recommendation"), **data)
    return Status(200 if existed else 201, assessment_out(saved, full=True, user=request.auth))


@router.get("/tracking/assessments/{int:pk}", summary="An assessment with its evidence and history")
def assessment_detail(request, pk: int):
    user = reader(request)
    return assessment_out(_visible(Assessment, user, pk), full=True, user=user)


@router.post("/tracking/assessments/{int:pk}/publish", auth=bearer, summary="Publish a draft (editors); ?version= guards against publishing a changed draft")
def assessment_publish(request, pk: int, version: int | None = None):
    item = _visible(Assessment, request.auth, pk)
    published = assessments.publish(request.auth, item, version=version)
    return assessment_out(published, full=True, user=request.auth)


def _evidence(request, parent, citation, url, date, quote, file):
    item = assessments.add_evidence(request.auth, parent, citation=citation, url=url, date=date, quote=quote,
                                    upload=file)
    return Status(201, evidence_out(item))


@router.post("/tracking/assessments/{int:pk}/evidence", auth=bearer, response={201: dict},
             summary="Add evidence (multipart form; optional file)")
def assessment_evidence(request, pk: int, citation: Form[str], url: Form[str] = "", date: Form[str] = "",
                        quote: Form[str] = "", file: File[UploadedFile] = None):
    return _evidence(request, _visible(Assessment, request.auth, pk), citation, url, date, quote, file)


@router.get("/tracking/evidence/{int:pk}", summary="One evidence item (drafts: the organisation's members only)")
def evidence_detail(request, pk: int):
    return evidence_out(_visible(EvidenceItem, reader(request), pk))


@router.post("/tracking/evidence/{int:pk}/publish", auth=bearer,
             summary="Publish draft evidence (editors); ?version= guards against publishing a changed draft")
def evidence_publish(request, pk: int, version: int | None = None):
    item = _visible(EvidenceItem, request.auth, pk)
    return evidence_out(assessments.publish(request.auth, item, version=version))


@router.delete("/tracking/evidence/{int:pk}", auth=bearer, response={204: None}, summary="Delete evidence (editors)")
def evidence_delete(request, pk: int):
    assessments.delete_evidence(request.auth, _visible(EvidenceItem, request.auth, pk))
    return Status(204, None)


# --- events and timelines ------------------------------------------------------------------------

@router.get("/tracking/events", summary="Events you may see")
def event_list(request, state: str | None = None, recommendation: int | None = None):
    user = reader(request)
    found = events.visible_events(user).prefetch_related("recommendations")
    if state:
        found = found.filter(states__slug=state)
    if recommendation is not None:
        found = found.filter(recommendations=recommendation)
    return [event_out(e) for e in found.distinct()[:1000]]


@router.post("/tracking/events", auth=bearer, response={201: dict}, summary="Record an event")
def event_create(request, payload: EventIn):
    data = payload.dict()
    org = _organisation(data.pop("organisation"))
    return Status(201, event_out(events.create_event(request.auth, org, **data), full=True, user=request.auth))


@router.get("/tracking/events/{int:pk}", summary="An event with its evidence")
def event_detail(request, pk: int):
    user = reader(request)
    return event_out(_visible(Event, user, pk), full=True, user=user)


@router.patch("/tracking/events/{int:pk}", auth=bearer, summary="Change an event (send the version you read)")
def event_update(request, pk: int, payload: EventPatch):
    item = _visible(Event, request.auth, pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    for key in ("title", "occurred_on", "confidence"):
        data.setdefault(key, getattr(item, key))
    return event_out(events.update_event(request.auth, pk, version=version, **data), full=True, user=request.auth)


@router.post("/tracking/events/{int:pk}/publish", auth=bearer, summary="Publish an event (editors)")
def event_publish(request, pk: int, version: int | None = None):
    item = _visible(Event, request.auth, pk)
    return event_out(assessments.publish(request.auth, item, version=version), full=True, user=request.auth)


@router.delete("/tracking/events/{int:pk}", auth=bearer, response={204: None}, summary="Delete an event (editors)")
def event_delete(request, pk: int):
    events.delete_event(request.auth, _visible(Event, request.auth, pk))
    return Status(204, None)


@router.post("/tracking/events/{int:pk}/evidence", auth=bearer, response={201: dict},
             summary="Add evidence to an event (multipart form; optional file)")
def event_evidence(request, pk: int, citation: Form[str], url: Form[str] = "", date: Form[str] = "",
                   quote: Form[str] = "", file: File[UploadedFile] = None):
    return _evidence(request, _visible(Event, request.auth, pk), citation, url, date, quote, file)


@router.get("/tracking/states/{slug}/timeline", summary="Timeline of a state (what you may see)")
def state_timeline(request, slug: str):
    user = reader(request)
    state = get_object_or_404(State, slug=slug)
    return timeline_out(events.state_timeline(user, state))


# --- notifications and preferences ---------------------------------------------------------------

@router.get("/tracking/notifications", auth=bearer, summary="Your notifications, newest first")
def notification_list(request, unread: bool = False):
    notes = request.auth.notifications.all()
    if unread:
        notes = notes.filter(read_at__isnull=True)
    return [{"id": n.pk, "kind": n.kind, "message": n.message, "url": n.url, "campaign": n.campaign_id,
             "recommendations": n.recommendation_ids, "created_at": n.created_at, "read_at": n.read_at,
             "emailed_at": n.emailed_at} for n in notes[:500]]


@router.post("/tracking/notifications/read", auth=bearer, summary="Mark notifications read (?id=1&id=2; all without ids)")
def notification_read(request, id: Query[list[int]] = None):
    return {"marked": alerts.mark_read(request.auth, id or None)}


def _preferences_out(prefs) -> dict:
    return {f: getattr(prefs, f) for f in alerts.PREFERENCE_FIELDS}


@router.get("/tracking/preferences", auth=bearer, summary="Your alert preferences")
def preferences_get(request):
    return _preferences_out(alerts.preferences(request.auth))


@router.put("/tracking/preferences", auth=bearer, summary="Change your alert preferences")
def preferences_put(request, payload: PreferencesIn):
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return _preferences_out(alerts.update_preferences(request.auth, **values))
