"""Who may see and do what. The web views, the API and the CLI all ask these functions.

A user's role is per organisation. Private content is visible to members (any role) of the owning
organisation; published content to everyone. Contributors create and edit drafts, editors publish,
admins manage members, invitations and see the audit log. Nothing a contributor writes becomes public
without an editor: their evidence is a draft, and their change to a published campaign sends it back
to draft (as a changed assessment does).

Reads go through ``get_visible`` / ``can_view`` here, so every surface (web, API, CLI, the MCP server)
answers the same, and private content of another organisation is reported exactly as a missing object:
the same ``Hidden`` ("not found", HTTP 404).
"""

from __future__ import annotations

from django.db.models import Q

from uprwatch.tracking.errors import Hidden, NotAllowed
from uprwatch.tracking.models import ROLE_RANK, EvidenceItem, Membership, Organisation, Role, Visibility

__all__ = ["Hidden", "NotAllowed", "can_view", "get_visible", "has_role", "require_role", "require_view"]


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


def visible_evidence_filter(user, prefix: str = "") -> Q:
    """``Q`` for evidence ``user`` may see: all of their organisations' evidence, and published evidence
    that backs something published."""
    published = Q(**{f"{prefix}visibility": Visibility.PUBLISHED}) & (
        Q(**{f"{prefix}assessment__visibility": Visibility.PUBLISHED})
        | Q(**{f"{prefix}event__visibility": Visibility.PUBLISHED})
    )
    orgs = organisation_ids(user)
    if not orgs:
        return published
    return published | Q(**{f"{prefix}organisation_id__in": orgs})


def is_public(obj) -> bool:
    """Whether anyone at all may see ``obj`` (evidence: it and what it backs are both published)."""
    if obj.visibility != Visibility.PUBLISHED:
        return False
    if isinstance(obj, EvidenceItem):
        return is_public(obj.parent)
    return True


def can_view(user, obj) -> bool:
    return is_public(obj) or has_role(user, obj.organisation, Role.VIEWER)


def require_view(user, obj) -> None:
    if not can_view(user, obj):
        raise Hidden()


def get_visible(model, user, pk):
    """The ``model`` object ``pk`` if ``user`` may see it. A missing object and another organisation's
    private one raise the same ``Hidden`` ("not found"): the answer never tells them apart."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Hidden() from None
    related = ["organisation"] + (["assessment", "event"] if model is EvidenceItem else [])
    obj = model.objects.select_related(*related).filter(pk=pk).first()
    if obj is None:
        raise Hidden()
    require_view(user, obj)
    return obj
