"""Tracking pages: thin views over the service modules; every permission check is in the services.

Errors: the services' errors reach ``web.user_errors`` (not allowed → 403, anonymous → the login page;
somebody else's private data → 404, its existence not revealed). The forms catch bad input and stale
saves themselves, to show the form again with the message and the person's own text kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from uprwatch.analysis import recurrence
from uprwatch.records import browse
from uprwatch.records.models import State
from uprwatch.tracking import alerts, assessments, audit, campaigns, deadlines, events, organisations
from uprwatch.tracking.errors import Conflict, Invalid, NotAllowed
from uprwatch.tracking.models import (
    ApiToken,
    Assessment,
    Confidence,
    Event,
    EvidenceItem,
    ImplementationStatus,
    Organisation,
    Role,
    Visibility,
    Watchlist,
)
from uprwatch.tracking.permissions import can_view, has_role, require_role, require_view, role_in
from uprwatch.ui.security import next_url


def _visible(model, user, pk):
    obj = get_object_or_404(model.objects.select_related("organisation"), pk=pk)
    require_view(user, obj)
    return obj


def _publish(request, model, pk: int, label: str):
    """Publish a draft (editors). The form's version, when sent, guards against publishing a draft that
    someone changed since it was read: that is a message, not an error page."""
    item = _visible(model, request.user, pk)
    try:
        assessments.publish(request.user, item, version=request.POST.get("version") or None)
        messages.success(request, f"{label} published.")
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect(item)


def _writable_orgs(user, role: str = Role.CONTRIBUTOR) -> list[Organisation]:
    return [org for org in organisations.organisations_of(user) if has_role(user, org, role)]


def _org_from_post(request, role: str = Role.CONTRIBUTOR) -> Organisation:
    raw = request.POST.get("organisation", "")
    # a number or nothing: a filter on pk="abc" raises ValueError (a 500), it does not match nothing
    org = Organisation.objects.filter(pk=int(raw)).first() if raw.isdecimal() else None
    if org is None:
        raise Invalid("choose an organisation")
    require_role(request.user, org, role)
    return org


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _ids(text: str) -> list[int]:
    try:
        return [int(x) for x in _lines(text)]
    except ValueError:
        raise Invalid("recommendation ids must be numbers") from None


def profile(request):
    return redirect("tracking:dashboard")


def dashboard(request):
    user = request.user
    return render(request, "tracking/dashboard.html", {
        "memberships": user.memberships.select_related("organisation") if user.is_authenticated else [],
        "campaigns": campaigns.visible_campaigns(user)[:50],
        "events": events.visible_events(user)[:10],
        "unread": alerts.unread_count(user),
        "notifications": user.notifications.all()[:5] if user.is_authenticated else [],
    })


# --- organisations, invitations, audit ---------------------------------------------------------

def organisation(request, slug: str):
    org = get_object_or_404(Organisation, slug=slug)
    role = role_in(request.user, org)
    if request.method == "POST":
        organisations.invite(org, request.POST.get("email", ""), request.POST.get("role", Role.VIEWER),
                             actor=request.user, base_url=request.build_absolute_uri("/").rstrip("/"))
        messages.success(request, f"Invitation sent to {request.POST.get('email')}.")
        return redirect("tracking:organisation", slug=org.slug)
    return render(request, "tracking/organisation.html", {
        "org": org, "role": role, "is_admin": role == Role.ADMIN,
        "members": org.memberships.select_related("user") if role else [],
        "invitations": org.invitations.filter(accepted_at__isnull=True) if role == Role.ADMIN else [],
        "campaigns": campaigns.visible_campaigns(request.user).filter(organisation=org),
        "roles": Role.values,
    })


def audit_log(request, slug: str):
    org = get_object_or_404(Organisation, slug=slug)
    require_role(request.user, org, Role.ADMIN)
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        response = HttpResponse(audit.export(org, fmt), content_type="text/csv" if fmt == "csv" else "application/json")
        response["Content-Disposition"] = f'attachment; filename="audit-{org.slug}.{fmt}"'
        return response
    page = Paginator(audit.entries_for(org), 100).get_page(request.GET.get("page"))
    return render(request, "tracking/audit.html", {"org": org, "page": page})


def invitation(request, token: str):
    invite = organisations.open_invitation(token)
    if request.method == "POST":
        user = request.user
        if not user.is_authenticated:
            if request.POST.get("password") != request.POST.get("password2"):
                raise Invalid("the two passwords differ")
            user = organisations.create_user(request.POST.get("username", ""), invite.email, request.POST.get("password", ""))
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        organisations.accept_invitation(token, user)
        messages.success(request, f"You joined {invite.organisation.name} as {invite.role}.")
        return redirect("tracking:organisation", slug=invite.organisation.slug)
    return render(request, "tracking/invitation.html", {"invitation": invite})


# --- notifications, preferences, tokens --------------------------------------------------------

def notifications(request):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdecimal()] or None
        alerts.mark_read(request.user, ids)
        return redirect("tracking:notifications")
    page = Paginator(request.user.notifications.all(), 50).get_page(request.GET.get("page"))
    return render(request, "tracking/notifications.html", {"page": page})


def preferences(request):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    prefs = alerts.preferences(request.user)
    if request.method == "POST":
        alerts.update_preferences(
            request.user, **{f: f in request.POST for f in ("in_app", "email", "watchlist_matches", "deadlines")},
            deadline_days=request.POST.get("deadline_days", prefs.deadline_days),
        )
        messages.success(request, "Preferences saved.")
        return redirect("tracking:preferences")
    return render(request, "tracking/preferences.html", {"prefs": prefs})


def tokens(request):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    new_key = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            organisations.revoke_token(request.POST["revoke"], user=request.user)
            messages.success(request, "Token revoked.")
            return redirect("tracking:tokens")
        _, new_key = organisations.create_token(request.user, request.POST.get("name", "")[:100])
    return render(request, "tracking/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"), "new_key": new_key,
    })


# --- campaigns -----------------------------------------------------------------------------------

def campaign_list(request):
    return render(request, "tracking/campaign_list.html", {"campaigns": campaigns.visible_campaigns(request.user)})


def campaign_form(request, pk: int | None = None):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    watchlist = _visible(Watchlist, request.user, pk) if pk else None
    if watchlist:
        require_role(request.user, watchlist.organisation, Role.CONTRIBUTOR)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to make campaigns")
    values, error, status, current = {}, None, 200, None
    if request.method == "POST":
        values = request.POST
        fields = {"name": values.get("name", ""), "description": values.get("description", ""),
                  "query": values.get("query", ""), "states": _lines(values.get("states", ""))}
        try:
            if watchlist is None:
                watchlist = campaigns.create_campaign(
                    request.user, _org_from_post(request), pinned=_ids(values.get("pinned", "")), **fields,
                    visibility=values.get("visibility", Visibility.PRIVATE),
                )
            else:
                watchlist = campaigns.update_campaign(
                    request.user, watchlist.pk, version=values.get("version"),
                    pinned=_ids(values.get("pinned", "")), visibility=values.get("visibility"), **fields,
                )
            messages.success(request, "Campaign saved.")
            return redirect(watchlist)
        except Conflict as exc:
            # Keep what the person typed; offer the current version so a second save is deliberate.
            error, status, current = str(exc), exc.status, exc.current
            values = {**values.dict(), "version": exc.current_version}
            watchlist.refresh_from_db()
        except Invalid as exc:
            error, status = str(exc), exc.status
    elif watchlist:
        values = {"name": watchlist.name, "description": watchlist.description, "query": watchlist.query,
                  "states": "\n".join(s.name for s in watchlist.states.all()),
                  "pinned": "\n".join(str(i) for i in watchlist.pinned.values_list("pk", flat=True)),
                  "visibility": watchlist.visibility, "version": watchlist.version}
    return render(request, "tracking/campaign_form.html", {
        "watchlist": watchlist, "orgs": orgs, "values": values, "error": error,
        "can_publish": any(has_role(request.user, o, Role.EDITOR) for o in orgs),
        "current": current,
    }, status=status)


def campaign(request, pk: int):
    watchlist = _visible(Watchlist, request.user, pk)
    rec_ids = campaigns.recommendation_ids(watchlist)
    recs = campaigns.recommendations(watchlist)
    page = Paginator(recs, 50).get_page(request.GET.get("page"))
    on_page = [r.pk for r in page]
    assessed = assessments.assessments_of(request.user, on_page)
    repeats = recurrence.earlier_links(on_page)
    rows = [
        {"rec": r, "claim": assessments.state_claim(r), "assessments": assessed.get(r.pk, []), "repeats": repeats.get(r.pk, [])}
        for r in page
    ]
    today = timezone.localdate()
    states = campaigns.watched_states(watchlist)
    schedule = [{"state": s, "deadlines": deadlines.upcoming_deadlines(s, today)[:3]} for s in states[:30]]
    by_cycle: dict[int, int] = {}
    for cycle in recs.values_list("review__session__cycle_id", flat=True):
        by_cycle[cycle] = by_cycle.get(cycle, 0) + 1
    return render(request, "tracking/campaign.html", {
        "watchlist": watchlist, "page": page, "rows": rows, "total": len(rec_ids), "by_cycle": sorted(by_cycle.items()),
        "timeline": events.campaign_timeline(request.user, watchlist, rec_ids)[:100],
        "schedule": schedule, "firsts_query": watchlist.query, "pinned": set(watchlist.pinned.values_list("pk", flat=True)),
        "can_edit": has_role(request.user, watchlist.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, watchlist.organisation, Role.EDITOR),
        "excluded": watchlist.excluded.all()[:100] if has_role(request.user, watchlist.organisation, Role.VIEWER) else [],
    })


@require_POST
def campaign_pin(request, pk: int):
    watchlist = _visible(Watchlist, request.user, pk)
    rec_id = request.POST.get("recommendation", "")
    if not rec_id.isdecimal():
        raise Invalid("give a recommendation id")
    campaigns.pin(request.user, watchlist, int(rec_id), exclude=request.POST.get("action") in ("exclude", "unexclude"),
                  undo=request.POST.get("action") in ("unpin", "unexclude"))
    return redirect(next_url(request, watchlist.get_absolute_url()))


@require_POST
def campaign_publish(request, pk: int):
    return _publish(request, Watchlist, pk, "Campaign")


@require_POST
def campaign_delete(request, pk: int):
    watchlist = _visible(Watchlist, request.user, pk)
    campaigns.delete_campaign(request.user, watchlist)
    messages.success(request, "Campaign deleted.")
    return redirect("tracking:campaigns")


# --- assessments and evidence --------------------------------------------------------------------

def assess(request, pk: int):
    rec = browse.recommendation_detail(pk)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to assess")
    org = next((o for o in orgs if str(o.pk) == request.POST.get("organisation", request.GET.get("organisation", ""))), orgs[0])
    current = Assessment.objects.filter(recommendation=rec, organisation=org).first()
    error, status = None, 200
    values = request.POST if request.method == "POST" else (
        {"status": current.status, "rationale": current.rationale, "assessed_on": current.assessed_on.isoformat(),
         "version": current.version} if current else {"status": ImplementationStatus.UNKNOWN}
    )
    if request.method == "POST":
        try:
            saved = assessments.save_assessment(
                request.user, _org_from_post(request), rec.pk, status=values.get("status", ""),
                rationale=values.get("rationale", ""), assessed_on=values.get("assessed_on"),
                version=values.get("version") or None, publish="publish" in values,
            )
            messages.success(request, "Assessment published." if saved.visibility == Visibility.PUBLISHED
                             else "Draft saved (visible to your organisation only).")
            return redirect(saved)
        except Conflict as exc:
            error, status = str(exc), exc.status
            values = {**values.dict(), "version": exc.current_version}
            current = Assessment.objects.filter(recommendation=rec, organisation=org).first()
        except Invalid as exc:
            error, status = str(exc), exc.status
    return render(request, "tracking/assess.html", {
        "rec": rec, "orgs": orgs, "org": org, "current": current, "values": values, "error": error,
        "statuses": ImplementationStatus.choices, "claim": assessments.state_claim(rec),
        "can_publish": has_role(request.user, org, Role.EDITOR),
    }, status=status)


def assessment(request, pk: int):
    item = _visible(Assessment, request.user, pk)
    member = has_role(request.user, item.organisation, Role.VIEWER)
    rec = browse.recommendation_detail(item.recommendation_id)
    # Outsiders see only the published versions of the history.
    versions = item.versions.select_related("saved_by")
    if not member:
        versions = versions.filter(visibility=Visibility.PUBLISHED)
    return render(request, "tracking/assessment.html", {
        "item": item, "rec": rec, "versions": versions, "evidence": item.evidence.all(),
        "claim": assessments.state_claim(rec),
        "can_edit": has_role(request.user, item.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, item.organisation, Role.EDITOR),
    })


@require_POST
def assessment_publish(request, pk: int):
    return _publish(request, Assessment, pk, "Assessment")


def _evidence_post(request, parent):
    assessments.add_evidence(
        request.user, parent, citation=request.POST.get("citation", ""), url=request.POST.get("url", ""),
        date=request.POST.get("date"), quote=request.POST.get("quote", ""), upload=request.FILES.get("file"),
    )
    messages.success(request, "Evidence added.")
    return redirect(parent)


@require_POST
def assessment_evidence(request, pk: int):
    return _evidence_post(request, _visible(Assessment, request.user, pk))


def evidence_file(request, pk: int):
    item = get_object_or_404(EvidenceItem.objects.select_related("assessment", "event", "organisation"), pk=pk)
    if not item.file or not can_view(request.user, assessments.evidence_parent(item)):
        raise Http404("not found")
    # Always an attachment, with the type checked at upload and no sniffing: never rendered from our origin.
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name,
                            content_type=item.file_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def evidence_delete(request, pk: int):
    item = get_object_or_404(EvidenceItem.objects.select_related("assessment", "event", "organisation"), pk=pk)
    parent = assessments.evidence_parent(item)
    require_view(request.user, parent)
    assessments.delete_evidence(request.user, item)
    messages.success(request, "Evidence deleted.")
    return redirect(parent)


# --- events and timelines ------------------------------------------------------------------------

def event_list(request):
    page = Paginator(events.visible_events(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "tracking/event_list.html", {"page": page})


EVENT_FIELDS = ("title", "description", "occurred_on", "occurred_until", "people_count", "count_note", "places",
                "sources", "confidence")


def event_form(request, pk: int | None = None):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    item = _visible(Event, request.user, pk) if pk else None
    if item:
        require_role(request.user, item.organisation, Role.CONTRIBUTOR)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to record events")
    error, status, current = None, 200, None
    if request.method == "POST":
        values = request.POST
        fields = {f: values.get(f, "") for f in EVENT_FIELDS}
        fields["occurred_until"] = fields["occurred_until"] or None
        try:
            if item is None:
                # The event and its first evidence item are saved together or not at all.
                with transaction.atomic():
                    item = events.create_event(
                        request.user, _org_from_post(request), states=_lines(values.get("states", "")),
                        recommendations=_ids(values.get("recommendations", "")),
                        visibility=values.get("visibility", Visibility.PRIVATE), **fields,
                    )
                    if values.get("citation") or request.FILES.get("file"):
                        _evidence_post(request, item)
            else:
                item = events.update_event(
                    request.user, item.pk, version=values.get("version"), states=_lines(values.get("states", "")),
                    recommendations=_ids(values.get("recommendations", "")), **fields,
                )
            messages.success(request, "Event saved.")
            return redirect(item)
        except Conflict as exc:
            error, status, current = str(exc), exc.status, exc.current
            values = {**values.dict(), "version": exc.current_version}
            item.refresh_from_db()
        except Invalid as exc:
            error, status = str(exc), exc.status
            if pk is None:
                item = None  # the create was rolled back
    elif item:
        values = {f: getattr(item, f) or "" for f in EVENT_FIELDS}
        values["people_count"] = "" if item.people_count is None else item.people_count
        values.update(states="\n".join(s.name for s in item.states.all()), version=item.version,
                      recommendations="\n".join(str(i) for i in item.recommendations.values_list("pk", flat=True)))
    else:
        values = {"confidence": Confidence.MEDIUM, "recommendations": request.GET.get("recommendation", ""),
                  "states": request.GET.get("state", "")}
    return render(request, "tracking/event_form.html", {
        "item": item, "orgs": orgs, "values": values, "error": error, "confidences": Confidence.values,
        "current": current,
        "can_publish": any(has_role(request.user, o, Role.EDITOR) for o in orgs),
    }, status=status)


def event(request, pk: int):
    item = _visible(Event, request.user, pk)
    return render(request, "tracking/event.html", {
        "item": item, "evidence": item.evidence.all(),
        "recommendations": item.recommendations.with_related(),
        "can_edit": has_role(request.user, item.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, item.organisation, Role.EDITOR),
    })


@require_POST
def event_publish(request, pk: int):
    return _publish(request, Event, pk, "Event")


@require_POST
def event_evidence(request, pk: int):
    return _evidence_post(request, _visible(Event, request.user, pk))


@require_POST
def event_delete(request, pk: int):
    item = _visible(Event, request.user, pk)
    events.delete_event(request.user, item)
    messages.success(request, "Event deleted.")
    return redirect("tracking:events")


def state_timeline(request, slug: str):
    state = get_object_or_404(State, slug=slug)
    return render(request, "tracking/state_timeline.html", {
        "state": state, "timeline": events.state_timeline(request.user, state),
    })
