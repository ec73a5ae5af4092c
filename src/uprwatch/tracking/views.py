"""Tracking pages: thin views over the service modules; every permission check is in the services.

Errors: the services' errors reach ``web.user_errors`` (not allowed → 403, anonymous → the login page;
somebody else's private data → 404, its existence not revealed). The forms catch bad input and stale
saves themselves, to show the form again with the message and the person's own text kept.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from uprwatch.analysis import recurrence
from uprwatch.records import browse
from uprwatch.records.models import Recommendation, State
from uprwatch.tracking import (
    alerts,
    assessments,
    audit,
    campaigns,
    deadlines,
    events,
    forms,
    organisations,
    pins,
    selection,
)
from uprwatch.tracking.errors import Conflict, Invalid, NotAllowed
from uprwatch.tracking.models import (
    ApiToken,
    Assessment,
    Campaign,
    Confidence,
    Event,
    EvidenceItem,
    ImplementationStatus,
    Organisation,
    Role,
    Visibility,
)
from uprwatch.tracking.permissions import get_visible, has_role, require_role, role_in
from uprwatch.ui.security import next_url


def _visible(model, user, pk):
    return get_visible(model, user, pk)


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


def _refuse_other_organisation(request, orgs: list[Organisation]) -> None:
    """A posted organisation the person may not write to is refused (403), not offered as a form error:
    the form only lists the person's own, so any other id was not chosen on the page."""
    raw = request.POST.get("organisation", "")
    if raw.isdecimal() and int(raw) not in {o.pk for o in orgs}:
        org = Organisation.objects.filter(pk=int(raw)).first()
        if org is not None:
            require_role(request.user, org, Role.CONTRIBUTOR)


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
        # The new account and the membership are made together or not at all.
        with transaction.atomic():
            if not user.is_authenticated:
                if request.POST.get("password") != request.POST.get("password2"):
                    raise Invalid("the two passwords differ")
                user = organisations.create_user(request.POST.get("username", ""), invite.email,
                                                 request.POST.get("password", ""))
            organisations.accept_invitation(token, user)
        if not request.user.is_authenticated:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"You joined {invite.organisation.name} as {invite.role}.")
        return redirect("tracking:organisation", slug=invite.organisation.slug)
    return render(request, "tracking/invitation.html", {
        "invitation": invite, "expires": organisations.invitation_expires(invite),
    })


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
    campaign = _visible(Campaign, request.user, pk) if pk else None
    if campaign:
        require_role(request.user, campaign.organisation, Role.CONTRIBUTOR)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to make campaigns")
    can_publish = (has_role(request.user, campaign.organisation, Role.EDITOR) if campaign
                   else any(has_role(request.user, o, Role.EDITOR) for o in orgs))
    pinned_choices = [(str(r.pk), f"#{r.pk} {r.review.state.name}, session {r.review.session_id}: {r.text[:140]}")
                      for r in campaign.pinned.select_related("review__state")] if campaign else []
    options = {"orgs": orgs, "editing": campaign is not None, "can_publish": can_publish,
               "pinned_choices": pinned_choices}
    status, current = 200, None
    if request.method == "POST":
        _refuse_other_organisation(request, orgs)
        form = forms.CampaignForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            fields = {"name": data["name"], "description": data["description"], "query": data["query"],
                      "states": data["states"]}
            try:
                if campaign is None:
                    campaign = campaigns.create_campaign(
                        request.user, data["organisation"], **fields, pinned=data.get("pinned") or [],
                        visibility=data.get("visibility") or Visibility.PRIVATE,
                    )
                else:
                    campaign = campaigns.update_campaign(
                        request.user, campaign.pk, version=data.get("version"), visibility=data.get("visibility") or None,
                        **({"pinned": data["pinned"]} if "pinned" in data else {}), **fields,
                    )
                messages.success(request, "Campaign saved." if campaign.visibility == Visibility.PUBLISHED else
                                 "Campaign saved as a draft (visible to your organisation only until an editor "
                                 "publishes it).")
                return redirect(campaign)
            except Conflict as exc:
                status, current = exc.status, exc.current
                form.add_conflict(exc)
                campaign.refresh_from_db()
            except (Invalid, NotAllowed) as exc:
                status = exc.status
                form.add_service_error(exc)
        else:
            status = 400
    elif campaign:
        form = forms.CampaignForm(initial={
            "name": campaign.name, "description": campaign.description, "query": campaign.query,
            "states": "\n".join(s.name for s in campaign.states.all()),
            "pinned": [c for c, _ in pinned_choices], "visibility": campaign.visibility,
            "version": campaign.version}, **options)
    else:
        form = forms.CampaignForm(initial={"query": request.GET.get("query", ""), "name": request.GET.get("name", ""),
                                           "organisation": request.GET.get("organisation")}, **options)
    query = form["query"].value() or ""
    return render(request, "tracking/campaign_form.html", {
        "campaign": campaign, "form": form, "current": current,
        "query_words": selection.describe(query), "query_url": query,
    }, status=status)


def campaign(request, pk: int):
    campaign = _visible(Campaign, request.user, pk)
    rec_ids = campaigns.recommendation_ids(campaign)
    recs = campaigns.recommendations(campaign)
    page = Paginator(recs, 50).get_page(request.GET.get("page"))
    on_page = [r.pk for r in page]
    assessed = assessments.assessments_of(request.user, on_page)
    repeats = recurrence.earlier_links(on_page)
    rows = [
        {"rec": r, "claim": assessments.state_claim(r), "assessments": assessed.get(r.pk, []), "repeats": repeats.get(r.pk, [])}
        for r in page
    ]
    today = timezone.localdate()
    states = campaigns.watched_states(campaign)
    schedule = [{"state": s, "deadlines": deadlines.watched_state_deadlines(s, today)[:3]} for s in states[:30]]
    by_cycle: dict[int, int] = {}
    for cycle in recs.values_list("review__session__cycle_id", flat=True):
        by_cycle[cycle] = by_cycle.get(cycle, 0) + 1
    responses: dict[str, int] = {}
    for response in recs.values_list("response", flat=True):
        responses[response] = responses.get(response, 0) + 1
    n_assessed = (assessments.visible_assessments(request.user).filter(recommendation_id__in=rec_ids)
                  .values("recommendation_id").distinct().count())
    return render(request, "tracking/campaign.html", {
        "query_words": selection.describe(campaign.query), "responses": sorted(responses.items(), key=lambda x: -x[1]),
        "n_pinned": campaign.pinned.count(), "n_assessed": n_assessed,
        "campaign": campaign, "page": page, "rows": rows, "total": len(rec_ids), "by_cycle": sorted(by_cycle.items()),
        "timeline": events.campaign_timeline(request.user, campaign, rec_ids)[:100],
        "schedule": schedule, "firsts_query": campaign.query, "pinned": set(campaign.pinned.values_list("pk", flat=True)),
        "can_edit": has_role(request.user, campaign.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, campaign.organisation, Role.EDITOR),
        "excluded": campaign.excluded.all()[:100] if has_role(request.user, campaign.organisation, Role.VIEWER) else [],
    })


@require_POST
def campaign_pin(request, pk: int):
    campaign = _visible(Campaign, request.user, pk)
    rec_id = request.POST.get("recommendation", "")
    if not rec_id.isdecimal():
        raise Invalid("give a recommendation id")
    was_published = campaign.visibility == Visibility.PUBLISHED
    campaign = campaigns.pin(request.user, campaign, int(rec_id),
                              exclude=request.POST.get("action") in ("exclude", "unexclude"),
                              undo=request.POST.get("action") in ("unpin", "unexclude"))
    if was_published and campaign.visibility != Visibility.PUBLISHED:
        messages.info(request, "The campaign is a draft again until an editor publishes your change.")
    return redirect(next_url(request, campaign.get_absolute_url()))


def _pin_fragment(request, rec_id: int, status: int = 200, message: str = ""):
    control = pins.pin_controls(request.user, [rec_id]).get(rec_id)
    return render(request, "tracking/_pin_control.html", {"pin": control, "pin_message": message,
                                                          "next": next_url(request, "")}, status=status)


def recommendation_pin(request, pk: int):
    """Pin or unpin a recommendation to one of the person's campaigns: htmx swaps the control in place;
    without JavaScript the form posts and the person returns to the page they were on."""
    rec = get_object_or_404(Recommendation, pk=pk)
    if request.method != "POST":
        return _pin_fragment(request, rec.pk)
    raw = request.POST.get("campaign", "")
    campaign = _visible(Campaign, request.user, int(raw)) if raw.isdecimal() else None
    if campaign is None:
        raise Invalid("choose a campaign")
    unpin = request.POST.get("action") == "unpin"
    was_published = campaign.visibility == Visibility.PUBLISHED
    campaign = campaigns.pin(request.user, campaign, rec.pk, undo=unpin)
    message = f"{'Unpinned from' if unpin else 'Pinned to'} “{campaign.name}”."
    if was_published and campaign.visibility != Visibility.PUBLISHED:
        message += " The campaign is a draft again until an editor publishes the change."
    if request.headers.get("HX-Request"):
        return _pin_fragment(request, rec.pk, message=message)
    messages.success(request, message)
    return redirect(next_url(request, reverse("web:recommendation", args=[rec.pk])))


def save_search(request):
    """"Save this search as a campaign" (the search page): a campaign whose saved search is the page's query."""
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to make campaigns")
    if request.method != "POST":
        return redirect(f"{reverse('tracking:campaign_new')}?{urlencode({'query': request.GET.get('query', '')})}")
    _refuse_other_organisation(request, orgs)
    form = forms.SaveSearchForm(request.POST, orgs=orgs)
    if form.is_valid():
        try:
            campaign = campaigns.create_campaign(request.user, form.cleaned_data["organisation"],
                                                  name=form.cleaned_data["name"], query=form.cleaned_data["query"])
            messages.success(request, f"Campaign “{campaign.name}” made from your search. Pin more recommendations "
                                      "from search results, or assess them below.")
            return redirect(campaign)
        except Invalid as exc:
            form.add_service_error(exc)
    # The full campaign form, with what was typed and the errors beside the fields.
    full = forms.CampaignForm(request.POST, orgs=orgs, can_publish=False)
    full.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            if field not in full.errors or error not in full.errors[field]:
                full.add_error(field if field in full.fields else None, error)
    query = request.POST.get("query", "")
    return render(request, "tracking/campaign_form.html", {
        "campaign": None, "form": full, "query_words": selection.describe(query), "query_url": query,
    }, status=400)


@require_POST
def campaign_publish(request, pk: int):
    return _publish(request, Campaign, pk, "Campaign")


@require_POST
def campaign_delete(request, pk: int):
    campaign = _visible(Campaign, request.user, pk)
    campaigns.delete_campaign(request.user, campaign)
    messages.success(request, "Campaign deleted.")
    return redirect("tracking:campaigns")


# --- assessments and evidence --------------------------------------------------------------------

def assess(request, pk: int):
    rec = browse.recommendation_detail(pk)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to assess")
    chosen = request.POST.get("organisation", request.GET.get("organisation", ""))
    org = next((o for o in orgs if str(o.pk) == chosen), orgs[0])
    current = Assessment.objects.filter(recommendation=rec, organisation=org).first()
    status = 200
    if request.method == "POST":
        _refuse_other_organisation(request, orgs)
        form = forms.AssessmentForm(request.POST, orgs=orgs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = assessments.save_assessment(
                    request.user, data["organisation"], rec.pk, status=data["status"], rationale=data["rationale"],
                    assessed_on=data["assessed_on"], version=data["version"], publish="publish" in request.POST,
                )
                messages.success(request, "Assessment published." if saved.visibility == Visibility.PUBLISHED
                                 else "Draft saved (visible to your organisation only). Add its evidence below.")
                return redirect(saved)
            except Conflict as exc:
                status = 409
                form.add_conflict(exc)
                current = Assessment.objects.filter(recommendation=rec, organisation=org).first()
            except (Invalid, NotAllowed) as exc:
                status = exc.status
                form.add_service_error(exc)
        else:
            status = 400
    else:
        initial = ({"status": current.status, "rationale": current.rationale, "assessed_on": current.assessed_on,
                    "version": current.version} if current else {"status": ImplementationStatus.UNKNOWN})
        form = forms.AssessmentForm(initial={**initial, "organisation": org.pk}, orgs=orgs)
    return render(request, "tracking/assess.html", {
        "rec": rec, "org": org, "current": current if status == 409 else current, "conflict": status == 409,
        "form": form, "claim": assessments.state_claim(rec),
        "can_publish": has_role(request.user, org, Role.EDITOR),
    }, status=status)


def assessment(request, pk: int, evidence_form=None, status: int = 200):
    item = _visible(Assessment, request.user, pk)
    member = has_role(request.user, item.organisation, Role.VIEWER)
    rec = browse.recommendation_detail(item.recommendation_id)
    # Outsiders see only the published versions of the history.
    versions = item.versions.select_related("saved_by")
    if not member:
        versions = versions.filter(visibility=Visibility.PUBLISHED)
    return render(request, "tracking/assessment.html", {
        "item": item, "rec": rec, "versions": versions, "evidence": assessments.visible_evidence(request.user, item),
        "claim": assessments.state_claim(rec),
        "can_edit": has_role(request.user, item.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, item.organisation, Role.EDITOR),
        "evidence_form": evidence_form or forms.EvidenceForm(),
    }, status=status)


@require_POST
def assessment_publish(request, pk: int):
    return _publish(request, Assessment, pk, "Assessment")


# The evidence fields an upload fills: an error about one of them is shown beside the file field.
FILE_FIELDS = ("file", "file_name", "file_type")


def _evidence_post(request, parent, form=None):
    """Add the evidence the form describes; a refused file or field comes back as the form's error.

    :returns: None when saved, else the bound form with its errors (the typed citation kept)
    """
    form = form or forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return form
    try:
        assessments.add_evidence(request.user, parent, **form.service_fields())
    except Invalid as exc:
        # The service names what is wrong; a file problem belongs beside the file field.
        about_file = exc.field in FILE_FIELDS and form.cleaned_data.get("file")
        form.add_error("file" if about_file else None, str(exc))
        return form
    return None


def _evidence_view(request, model, pk: int, page_view):
    parent = _visible(model, request.user, pk)
    form = _evidence_post(request, parent)
    if form is None:
        # a contributor's evidence is a draft until an editor publishes it
        messages.success(request, "Evidence added." if has_role(request.user, parent.organisation, Role.EDITOR) else
                         "Evidence added as a draft (visible to your organisation only until an editor publishes it).")
        return redirect(parent)
    # Back on the same page with the form as typed and the error beside its field (a file must be chosen again).
    return page_view(request, pk, evidence_form=form, status=400)


@require_POST
def assessment_evidence(request, pk: int):
    return _evidence_view(request, Assessment, pk, assessment)


def evidence_file(request, pk: int):
    item = assessments.evidence_file(request.user, pk)
    # Always an attachment, with the type checked at upload and no sniffing: never rendered from our origin.
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name,
                            content_type=item.file_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def evidence_publish(request, pk: int):
    return _publish(request, EvidenceItem, pk, "Evidence")


@require_POST
def evidence_delete(request, pk: int):
    item = _visible(EvidenceItem, request.user, pk)
    parent = item.parent
    assessments.delete_evidence(request.user, item)
    messages.success(request, "Evidence deleted.")
    return redirect(parent)


# --- events and timelines ------------------------------------------------------------------------

def event_list(request):
    page = Paginator(events.visible_events(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "tracking/event_list.html", {"page": page})


EVENT_FIELDS = ("title", "description", "occurred_on", "occurred_until", "people_count", "count_note", "places",
                "sources", "confidence")


class _RolledBack(Exception):
    """The first evidence of a new event was refused: the event is not saved either."""


def event_form(request, pk: int | None = None):
    if not request.user.is_authenticated:
        raise NotAllowed("sign in first")
    item = _visible(Event, request.user, pk) if pk else None
    if item:
        require_role(request.user, item.organisation, Role.CONTRIBUTOR)
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise NotAllowed("you need the contributor role in an organisation to record events")
    options = {"orgs": orgs, "editing": item is not None,
               "can_publish": any(has_role(request.user, o, Role.EDITOR) for o in orgs)}
    status, current, evidence = 200, None, None
    if request.method == "POST":
        _refuse_other_organisation(request, orgs)
        form = forms.EventForm(request.POST, **options)
        if item is None:
            evidence = forms.EvidenceForm(request.POST, request.FILES, optional=True)
        valid = form.is_valid() & (evidence is None or evidence.is_valid())
        if valid:
            data = form.cleaned_data
            try:
                if item is None:
                    # The event and its first evidence item are saved together or not at all.
                    with transaction.atomic():
                        created = events.create_event(
                            request.user, data["organisation"], states=data["states"],
                            recommendations=data["recommendations"],
                            visibility=data.get("visibility") or Visibility.PRIVATE, **form.event_fields(),
                        )
                        if evidence.has_evidence() and _evidence_post(request, created, evidence) is not None:
                            raise _RolledBack
                    item = created
                else:
                    item = events.update_event(
                        request.user, item.pk, version=data["version"], states=data["states"],
                        recommendations=data["recommendations"], **form.event_fields(),
                    )
                messages.success(request, "Event saved.")
                return redirect(item)
            except _RolledBack:
                status = 400
            except Conflict as exc:
                status, current = exc.status, exc.current
                form.add_conflict(exc)
                item.refresh_from_db()
            except (Invalid, NotAllowed) as exc:
                status = exc.status
                form.add_service_error(exc)
        else:
            status = 400
    elif item:
        initial = {f: getattr(item, f) for f in EVENT_FIELDS}
        initial.update(states="\n".join(s.name for s in item.states.all()), version=item.version,
                       recommendations="\n".join(str(i) for i in item.recommendations.values_list("pk", flat=True)))
        form = forms.EventForm(initial=initial, **options)
    else:
        form = forms.EventForm(initial={"confidence": Confidence.MEDIUM,
                                        "recommendations": request.GET.get("recommendation", ""),
                                        "states": request.GET.get("state", "")}, **options)
        evidence = forms.EvidenceForm(optional=True)
    return render(request, "tracking/event_form.html", {
        "item": item, "form": form, "evidence_form": evidence, "current": current,
    }, status=status)


def event(request, pk: int, evidence_form=None, status: int = 200):
    item = _visible(Event, request.user, pk)
    return render(request, "tracking/event.html", {
        "item": item, "evidence": assessments.visible_evidence(request.user, item),
        "recommendations": item.recommendations.with_related(),
        "can_edit": has_role(request.user, item.organisation, Role.CONTRIBUTOR),
        "can_publish": has_role(request.user, item.organisation, Role.EDITOR),
        "evidence_form": evidence_form or forms.EvidenceForm(),
    }, status=status)


@require_POST
def event_publish(request, pk: int):
    return _publish(request, Event, pk, "Event")


@require_POST
def event_evidence(request, pk: int):
    return _evidence_view(request, Event, pk, event)


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
