"""Campaigns: a saved search plus pinned and excluded recommendations."""

from __future__ import annotations

from django.db import transaction

from uprwatch.records.lookup import StateNotFound, find_state
from uprwatch.records.models import Recommendation, State
from uprwatch.tracking import audit, selection
from uprwatch.tracking.errors import Conflict, Invalid
from uprwatch.tracking.limits import parse_version
from uprwatch.tracking.models import Campaign, Organisation, Role, Visibility
from uprwatch.tracking.permissions import has_role, require_role, visible_filter

EDITABLE = ("name", "description", "query")


def visible_campaigns(user):
    return Campaign.objects.filter(visible_filter(user)).select_related("organisation")


def recommendation_ids(campaign: Campaign) -> set[int]:
    """(saved search ∪ pinned) − excluded."""
    ids = selection.matching_ids(campaign.query) | set(campaign.pinned.values_list("pk", flat=True))
    return ids - set(campaign.excluded.values_list("pk", flat=True))


def recommendations(campaign: Campaign):
    """The campaign's recommendations across cycles, oldest session first."""
    return Recommendation.objects.filter(pk__in=recommendation_ids(campaign)).with_related().order_by(
        "review__session_id", "review__state__name", "id"
    )


def watched_states(campaign: Campaign) -> list[State]:
    """The states named on the campaign, else the States under Review of its recommendations."""
    states = list(campaign.states.all())
    if states:
        return states
    ids = recommendation_ids(campaign)
    return list(State.objects.filter(reviews__recommendations__pk__in=ids).distinct())


def _states(names: list[str]) -> list[State]:
    found = []
    for name in names:
        if not name.strip():
            continue
        try:
            found.append(find_state(name))
        except StateNotFound as exc:
            raise Invalid(str(exc)) from exc
    return found


def _recommendations(ids) -> list[int]:
    ids = [int(i) for i in ids or []]
    known = set(Recommendation.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(set(ids) - known)
    if missing:
        raise Invalid(f"no recommendation {', '.join(map(str, missing))}")
    return ids


@transaction.atomic
def create_campaign(user, organisation: Organisation, *, name: str, description: str = "", query: str = "",
                    states: list[str] | None = None, pinned=None, excluded=None,
                    visibility: str = Visibility.PRIVATE) -> Campaign:
    require_role(user, organisation, Role.CONTRIBUTOR)
    if visibility == Visibility.PUBLISHED:
        require_role(user, organisation, Role.EDITOR)
    elif visibility != Visibility.PRIVATE:
        raise Invalid(f"visibility must be private or published, not {visibility!r}")
    if not (name or "").strip():
        raise Invalid("a campaign needs a name")
    campaign = Campaign.objects.create(
        organisation=organisation, name=name.strip(), description=description or "",
        query=selection.validate(query), visibility=visibility, created_by=user,
    )
    campaign.states.set(_states(states or []))
    campaign.pinned.set(_recommendations(pinned))
    campaign.excluded.set(_recommendations(excluded))
    audit.record(user, "create", campaign, after=audit.snapshot(campaign))
    return campaign


def _check_version(obj, version: int | str | None) -> None:
    version = parse_version(version)
    if version is None:
        raise Invalid("the version you edited is required (optimistic locking)")
    if version != obj.version:
        raise Conflict(
            f"{obj._meta.verbose_name} was changed by someone else (now version {obj.version}, you edited "
            f"version {version}); nothing was saved — review the current values and save again",
            obj.version, audit.snapshot(obj),
        )


@transaction.atomic
def update_campaign(user, campaign_id: int, *, version: int | None, states: list[str] | None = None,
                    pinned=None, excluded=None, visibility: str | None = None, **fields) -> Campaign:
    # Lock the row so two concurrent saves cannot both pass the version check.
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    require_role(user, campaign.organisation, Role.CONTRIBUTOR)
    _check_version(campaign, version)
    before = audit.snapshot(campaign)
    for key, value in fields.items():
        if key not in EDITABLE:
            raise Invalid(f"unknown field {key!r}")
        if value is not None:
            setattr(campaign, key, selection.validate(value) if key == "query" else value)
    if not campaign.name.strip():
        raise Invalid("a campaign needs a name")
    publishing = visibility == Visibility.PUBLISHED and campaign.visibility != Visibility.PUBLISHED
    if visibility is not None:
        if visibility not in Visibility.values:
            raise Invalid(f"visibility must be private or published, not {visibility!r}")
        if visibility != campaign.visibility:
            require_role(user, campaign.organisation, Role.EDITOR)
        campaign.visibility = visibility
    _back_to_draft(user, campaign)
    campaign.version += 1
    campaign.save()
    if states is not None:
        campaign.states.set(_states(states))
    if pinned is not None:
        campaign.pinned.set(_recommendations(pinned))
    if excluded is not None:
        campaign.excluded.set(_recommendations(excluded))
    audit.record(user, "publish" if publishing else "update", campaign, before=before, after=audit.snapshot(campaign))
    return campaign


def _back_to_draft(user, campaign: Campaign) -> None:
    """A contributor's change to a published campaign makes it a draft again, until an editor publishes
    it: nothing a contributor writes is public without an editor (as with assessments)."""
    if campaign.visibility == Visibility.PUBLISHED and not has_role(user, campaign.organisation, Role.EDITOR):
        campaign.visibility = Visibility.PRIVATE


@transaction.atomic
def pin(user, campaign: Campaign, rec_id: int, *, exclude: bool = False, undo: bool = False) -> Campaign:
    """Pin (or exclude) one recommendation; ``undo`` removes the pin or exclusion. A contributor's pin
    sends a published campaign back to draft."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_role(user, campaign.organisation, Role.CONTRIBUTOR)
    _recommendations([rec_id])
    before = audit.snapshot(campaign)
    target, other = (campaign.excluded, campaign.pinned) if exclude else (campaign.pinned, campaign.excluded)
    if undo:
        target.remove(rec_id)
    else:
        target.add(rec_id)
        other.remove(rec_id)
    _back_to_draft(user, campaign)
    Campaign.objects.filter(pk=campaign.pk).update(version=campaign.version + 1, visibility=campaign.visibility)
    campaign.refresh_from_db()
    audit.record(user, "update", campaign, before=before, after=audit.snapshot(campaign))
    return campaign


@transaction.atomic
def delete_campaign(user, campaign: Campaign) -> None:
    require_role(user, campaign.organisation, Role.EDITOR)
    audit.record(user, "delete", campaign, before=audit.snapshot(campaign))
    campaign.delete()
