"""Who may see and do what. The web views, the API and the CLI all ask these functions.

A user's role is per organisation. Private content is visible to members (any role) of the owning
organisation; published content to everyone. Contributors create and edit drafts, editors publish,
admins manage members, invitations and see the audit log.
"""

from __future__ import annotations

from django.db.models import Q

from uprwatch.tracking.errors import Hidden, NotAllowed
from uprwatch.tracking.models import ROLE_RANK, Membership, Organisation, Role, Visibility


def role_in(user, organisation: Organisation) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    membership = Membership.objects.filter(user=user, organisation=organisation).only("role").first()
    return membership.role if membership else None


def has_role(user, organisation: Organisation, role: str) -> bool:
    current = role_in(user, organisation)
    return current is not None and ROLE_RANK[Role(current)] >= ROLE_RANK[Role(role)]


def require_role(user, organisation: Organisation, role: str) -> None:
    if not has_role(user, organisation, role):
        if not getattr(user, "is_authenticated", False):
            raise NotAllowed("sign in first")
        raise NotAllowed(f"you need the {role} role in {organisation.name}")


def organisation_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def visible_filter(user, prefix: str = "") -> Q:
    """``Q`` for content (with ``organisation`` and ``visibility``) that ``user`` may see."""
    published = Q(**{f"{prefix}visibility": Visibility.PUBLISHED})
    orgs = organisation_ids(user)
    if not orgs:
        return published
    return published | Q(**{f"{prefix}organisation_id__in": orgs})


def can_view(user, obj) -> bool:
    return obj.visibility == Visibility.PUBLISHED or has_role(user, obj.organisation, Role.VIEWER)


def require_view(user, obj) -> None:
    if not can_view(user, obj):
        raise Hidden()
