"""What a report is about: a State under Review, and a search query or a campaign, seen by someone.

Tracking content (campaigns, assessments, events, evidence) is private to its organisation until
published. A report shows published content plus, when ``organisation`` is given (the CLI's
``--organisation``) or the viewer belongs to organisations (the web), that organisation's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from uprwatch.errors import Invalid, NotFound
from uprwatch.records.lookup import find_state
from uprwatch.records.models import Recommendation, State


class ReportError(Invalid):
    """Bad input for a report: several campaigns of one name, nothing to report about, a bad query."""


class ReportNotFound(NotFound, ReportError):
    """What a report names does not exist or is not visible: a state, campaign, organisation, or any
    recommendation at all (404)."""


@dataclass
class Audience:
    """Whose private tracking content a report may include (besides everything published)."""

    organisation_ids: list[int] = field(default_factory=list)
    # False: the member asked for a brief of published material only (to circulate); their organisations'
    # private campaigns can still be chosen as the subject, but no unpublished assessment or event is shown.
    include_unpublished: bool = True

    def visible(self, prefix: str = "") -> Q:
        published = Q(**{f"{prefix}visibility": "published"})
        if not self.organisation_ids or not self.include_unpublished:
            return published
        return published | Q(**{f"{prefix}organisation_id__in": self.organisation_ids})

    @classmethod
    def for_user(cls, user) -> Audience:
        from uprwatch.tracking.permissions import organisation_ids

        return cls(organisation_ids(user))

    @classmethod
    def for_organisation(cls, name: str | None) -> Audience:
        if not name:
            return cls()
        from uprwatch.tracking.organisations import get_organisation

        try:
            return cls([get_organisation(name).pk])
        except ValueError:  # tracking's Invalid: no such organisation
            raise ReportNotFound(f"unknown organisation {name!r}") from None


@dataclass
class Selection:
    state: State | None
    query: str
    campaign: object | None  # a tracking Campaign
    audience: Audience
    ids: list[int]

    @property
    def title(self) -> str:
        parts = [self.state.name if self.state else ""]
        if self.campaign is not None:
            parts.append(f"campaign “{self.campaign.name}”")
        if self.query:
            parts.append(f"“{self.query}”")
        return " — ".join(p for p in parts if p)


def visible_evidence(selection: Selection):
    """A prefetch of the evidence of assessments that the selection's audience may see: the
    organisation's own drafts, and published evidence of others (a contributor's evidence is a draft)."""
    from django.db.models import Prefetch

    from uprwatch.tracking.models import EvidenceItem

    return Prefetch("evidence", queryset=EvidenceItem.objects.filter(selection.audience.visible()))


def find_campaign(name: str, audience: Audience):
    """A campaign the audience may see, by id or (case-insensitive) name."""
    from uprwatch.tracking.models import Campaign

    visible = Campaign.objects.filter(Audience(audience.organisation_ids).visible()).select_related("organisation")
    name = name.strip()
    found = list(visible.filter(pk=int(name))) if name.isdecimal() else list(visible.filter(name__iexact=name))
    if not found:
        raise ReportNotFound(f"unknown campaign {name!r} (or it is private to another organisation)")
    if len(found) > 1:
        choices = ", ".join(f"{c.pk} ({c.organisation.name})" for c in found)
        raise ReportError(f"several campaigns are called {name!r}: give its number, one of {choices}")
    return found[0]


def _search_ids(query: str, state: State | None) -> list[int]:
    from uprwatch.search.service import QueryError, SearchParams, matching_ids

    try:
        params = SearchParams(q=query, sur=[state.name] if state else [], sort="session", limit=0)
        params.validate()
        return matching_ids(params)
    except QueryError as exc:
        raise ReportError(f"bad query: {exc}") from None


def select(sur: str | None, query: str = "", campaign: str | None = None,
           audience: Audience | None = None) -> Selection:
    """Resolve the report's subject and the ids of its recommendations, oldest session first.

    :raises ReportError: unknown state or campaign, a bad query, or nothing selected
    """
    audience = audience or Audience()
    query = (query or "").strip()
    state = find_state(sur) if sur else None
    chosen = find_campaign(campaign, audience) if campaign else None
    if state is None and chosen is not None:
        # A campaign about one state (the usual case) is briefed for that state.
        named = list(chosen.states.all()[:2])
        state = named[0] if len(named) == 1 else None
    if state is None and chosen is None and not query:
        raise ReportError("say what the report is about: a State under Review, a campaign or a query")
    if chosen is not None:
        from uprwatch.tracking.campaigns import recommendation_ids

        ids = set(recommendation_ids(chosen))
        if query:
            ids &= set(_search_ids(query, state))
    elif query:
        ids = set(_search_ids(query, state))
    else:
        ids = None
    queryset = Recommendation.objects.all()
    if state is not None:
        queryset = queryset.filter(review__state=state)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    ordered = list(queryset.order_by("review__session_id", "id").values_list("pk", flat=True))
    if not ordered:
        subject = " and ".join(x for x in [
            f"to {state.name}" if state else "",
            f"in campaign {chosen.name!r}" if chosen is not None else "",
            f"matching {query!r}" if query else "",
        ] if x)
        raise ReportNotFound(f"no recommendation {subject}: nothing to report")
    return Selection(state=state, query=query, campaign=chosen, audience=audience, ids=ordered)
