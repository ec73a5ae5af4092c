"""Campaigns (watchlists): a saved search plus pinned and excluded recommendations."""

from __future__ import annotations

from django.db import transaction

from uprwatch.records.lookup import StateNotFound, find_state
from uprwatch.records.models import Recommendation, State
from uprwatch.tracking import audit, selection
from uprwatch.tracking.errors import Conflict, Invalid
from uprwatch.tracking.limits import parse_version
from uprwatch.tracking.models import Organisation, Role, Visibility, Watchlist
from uprwatch.tracking.permissions import has_role, require_role, visible_filter

EDITABLE = ("name", "description", "query")


def visible_campaigns(user):
    return Watchlist.objects.filter(visible_filter(user)).select_related("organisation")


def recommendation_ids(watchlist: Watchlist) -> set[int]:
    """(saved search ∪ pinned) − excluded."""
    ids = selection.matching_ids(watchlist.query) | set(watchlist.pinned.values_list("pk", flat=True))
    return ids - set(watchlist.excluded.values_list("pk", flat=True))


def recommendations(watchlist: Watchlist):
    """The campaign's recommendations across cycles, oldest session first."""
    return Recommendation.objects.filter(pk__in=recommendation_ids(watchlist)).with_related().order_by(
        "review__session_id", "review__state__name", "id"
    )


def watched_states(watchlist: Watchlist) -> list[State]:
    """The states named on the campaign, else the States under Review of its recommendations."""
    states = list(watchlist.states.all())
    if states:
        return states
    ids = recommendation_ids(watchlist)
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
                    visibility: str = Visibility.PRIVATE) -> Watchlist:
    require_role(user, organisation, Role.CONTRIBUTOR)
    if visibility == Visibility.PUBLISHED:
        require_role(user, organisation, Role.EDITOR)
    elif visibility != Visibility.PRIVATE:
        raise Invalid(f"visibility must be private or published, not {visibility!r}")
    if not (name or "").strip():
        raise Invalid("a campaign needs a name")
    watchlist = Watchlist.objects.create(
        organisation=organisation, name=name.strip(), description=description or "",
        query=selection.validate(query), visibility=visibility, created_by=user,
    )
    watchlist.states.set(_states(states or []))
    watchlist.pinned.set(_recommendations(pinned))
    watchlist.excluded.set(_recommendations(excluded))
    audit.record(user, "create", watchlist, after=audit.snapshot(watchlist))
    return watchlist


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
def update_campaign(user, watchlist_id: int, *, version: int | None, states: list[str] | None = None,
                    pinned=None, excluded=None, visibility: str | None = None, **fields) -> Watchlist:
    # Lock the row so two concurrent saves cannot both pass the version check.
    watchlist = Watchlist.objects.select_for_update().get(pk=watchlist_id)
    require_role(user, watchlist.organisation, Role.CONTRIBUTOR)
    _check_version(watchlist, version)
    before = audit.snapshot(watchlist)
    for key, value in fields.items():
        if key not in EDITABLE:
            raise Invalid(f"unknown field {key!r}")
        if value is not None:
            setattr(watchlist, key, selection.validate(value) if key == "query" else value)
    if not watchlist.name.strip():
        raise Invalid("a campaign needs a name")
    publishing = visibility == Visibility.PUBLISHED and watchlist.visibility != Visibility.PUBLISHED
    if visibility is not None:
        if visibility not in Visibility.values:
            raise Invalid(f"visibility must be private or published, not {visibility!r}")
        if visibility != watchlist.visibility:
            require_role(user, watchlist.organisation, Role.EDITOR)
        watchlist.visibility = visibility
    _back_to_draft(user, watchlist)
    watchlist.version += 1
    watchlist.save()
    if states is not None:
        watchlist.states.set(_states(states))
    if pinned is not None:
        watchlist.pinned.set(_recommendations(pinned))
    if excluded is not None:
        watchlist.excluded.set(_recommendations(excluded))
    audit.record(user, "publish" if publishing else "update", watchlist, before=before, after=audit.snapshot(watchlist))
    return watchlist


def _back_to_draft(user, watchlist: Watchlist) -> None:
    """A contributor's change to a published campaign makes it a draft again, until an editor publishes
    it: nothing a contributor writes is public without an editor (as with assessments)."""
    if watchlist.visibility == Visibility.PUBLISHED and not has_role(user, watchlist.organisation, Role.EDITOR):
        watchlist.visibility = Visibility.PRIVATE


@transaction.atomic
def pin(user, watchlist: Watchlist, rec_id: int, *, exclude: bool = False, undo: bool = False) -> Watchlist:
    """Pin (or exclude) one recommendation; ``undo`` removes the pin or exclusion. A contributor's pin
    sends a published campaign back to draft."""
    watchlist = Watchlist.objects.select_for_update().get(pk=watchlist.pk)
    require_role(user, watchlist.organisation, Role.CONTRIBUTOR)
    _recommendations([rec_id])
    before = audit.snapshot(watchlist)
    target, other = (watchlist.excluded, watchlist.pinned) if exclude else (watchlist.pinned, watchlist.excluded)
    if undo:
        target.remove(rec_id)
    else:
        target.add(rec_id)
        other.remove(rec_id)
    _back_to_draft(user, watchlist)
    Watchlist.objects.filter(pk=watchlist.pk).update(version=watchlist.version + 1, visibility=watchlist.visibility)
    watchlist.refresh_from_db()
    audit.record(user, "update", watchlist, before=before, after=audit.snapshot(watchlist))
    return watchlist


@transaction.atomic
def delete_campaign(user, watchlist: Watchlist) -> None:
    require_role(user, watchlist.organisation, Role.EDITOR)
    audit.record(user, "delete", watchlist, before=audit.snapshot(watchlist))
    watchlist.delete()
