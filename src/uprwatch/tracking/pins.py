"""Pinning a recommendation to a campaign from wherever a person reads it (search results, its own page).

``pin_controls(user, rec_ids)`` returns, per recommendation, the campaigns the person may pin it to and
whether it is pinned there: one query for the campaigns and one for the pins, whatever the page length.
"""

from __future__ import annotations

from uprwatch.tracking.models import Campaign, Membership, Role

WRITING_ROLES = (Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN)


def pinnable_campaigns(user) -> list[Campaign]:
    """Campaigns of the organisations where the person is at least a contributor, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    orgs = Membership.objects.filter(user=user, role__in=WRITING_ROLES).values_list("organisation_id", flat=True)
    return list(Campaign.objects.filter(organisation_id__in=list(orgs)).select_related("organisation")
                .order_by("name", "pk"))


def pin_controls(user, rec_ids: list[int], campaigns: list[Campaign] | None = None) -> dict[int, dict]:
    """``{rec_id: {"rec_id", "pinned": [campaign...], "unpinned": [campaign...]}}``; empty for outsiders."""
    campaigns = pinnable_campaigns(user) if campaigns is None else campaigns
    if not campaigns:
        return {}
    through = Campaign.pinned.through
    pairs = set(through.objects.filter(campaign_id__in=[c.pk for c in campaigns], recommendation_id__in=rec_ids)
                .values_list("recommendation_id", "campaign_id"))
    return {
        rec_id: {
            "rec_id": rec_id,
            "pinned": [c for c in campaigns if (rec_id, c.pk) in pairs],
            "unpinned": [c for c in campaigns if (rec_id, c.pk) not in pairs],
        }
        for rec_id in rec_ids
    }


def save_search_form(user, query: str):
    """The "Save this search as a campaign" form for the search page, or None for someone who cannot."""
    from uprwatch.tracking.forms import SaveSearchForm
    from uprwatch.tracking.organisations import organisations_of
    from uprwatch.tracking.permissions import has_role
    from uprwatch.tracking.selection import describe

    if not getattr(user, "is_authenticated", False) or not query:
        return None
    orgs = [org for org in organisations_of(user) if has_role(user, org, Role.CONTRIBUTOR)]
    if not orgs:
        return None
    name = " — ".join(value for _, value in describe(query))[:200]
    return SaveSearchForm(initial={"query": query, "name": name, "organisation": orgs[0].pk}, orgs=orgs)


def search_controls(user, result: dict, query: str):
    """On the search page (``search.views.RESULT_CONTROLS``): a pin control on each result, and the
    "save this search" form."""
    controls = pin_controls(user, [item["id"] for item in result["results"]])
    for item in result["results"]:
        item["pin"] = controls.get(item["id"])
    return save_search_form(user, query)
