"""Users, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from uprwatch.tracking import audit
from uprwatch.tracking.errors import Invalid, NotAllowed
from uprwatch.tracking.limits import check_text
from uprwatch.tracking.models import ApiToken, Invitation, Membership, Organisation, Role
from uprwatch.tracking.permissions import require_role

User = get_user_model()


def create_user(username: str, email: str, password: str, *, staff: bool = False):
    """Create an account. Every path that creates one (CLI, invitation sign-up) comes here, so Django's
    user-name validator and the password validators of ``AUTH_PASSWORD_VALIDATORS`` always apply."""
    if not username.strip():
        raise Invalid("a user name is required")
    candidate = User(username=username, email=email)
    # before any query: PostgreSQL cannot even look up a name holding a NUL
    check_text(candidate)
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise Invalid(f"user name {username[:40]!r} is not allowed: {' '.join(exc.messages)}") from None
    if User.objects.filter(username=username).exists():
        raise Invalid(f"user {username!r} already exists")
    if email and "@" not in email:  # the same rule as invitations: alerts and resets go to it
        raise Invalid(f"not an email address: {email!r}")
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise Invalid("the password is too weak: " + " ".join(exc.messages)) from None
    return User.objects.create_user(username, email, password, is_staff=staff)


def get_user(username: str):
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise Invalid(f"no user {username!r}") from None


def get_organisation(slug_or_name: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug_or_name).first() or Organisation.objects.filter(name=slug_or_name).first()
    if org is None:
        raise Invalid(f"no organisation {slug_or_name!r}")
    return org


@transaction.atomic
def create_organisation(name: str, *, coalition: Organisation | None = None, admin=None, actor=None) -> Organisation:
    name = name.strip()
    if not name or not slugify(name):
        raise Invalid("an organisation needs a name")
    if Organisation.objects.filter(name=name).exists() or Organisation.objects.filter(slug=slugify(name)).exists():
        raise Invalid(f"organisation {name!r} already exists")
    org = Organisation.objects.create(name=name, coalition=coalition)
    audit.record(actor, "create", org, after=audit.snapshot(org), organisation=org)
    if admin is not None:
        set_membership(org, admin, Role.ADMIN, actor=actor)
    return org


@transaction.atomic
def set_membership(org: Organisation, user, role: str, *, actor=None) -> Membership:
    if role not in Role.values:
        raise Invalid(f"unknown role {role!r}: use one of {', '.join(Role.values)}")
    membership = Membership.objects.filter(organisation=org, user=user).first()
    if membership is None:
        membership = Membership.objects.create(organisation=org, user=user, role=role)
        audit.record(actor, "create", membership, after=audit.snapshot(membership), organisation=org)
    elif membership.role != role:
        # the same rule as remove_membership: demoting the last admin would leave nobody to manage members
        if membership.role == Role.ADMIN and org.memberships.filter(role=Role.ADMIN).count() == 1:
            raise Invalid("an organisation keeps at least one admin")
        before = audit.snapshot(membership)
        membership.role = role
        membership.save()
        audit.record(actor, "update", membership, before=before, after=audit.snapshot(membership), organisation=org)
    return membership


@transaction.atomic
def remove_membership(org: Organisation, user, *, actor=None) -> None:
    membership = Membership.objects.filter(organisation=org, user=user).first()
    if membership is None:
        raise Invalid(f"{user.username} is not a member of {org.name}")
    if membership.role == Role.ADMIN and org.memberships.filter(role=Role.ADMIN).count() == 1:
        raise Invalid("an organisation keeps at least one admin")
    audit.record(actor, "delete", membership, before=audit.snapshot(membership), organisation=org)
    membership.delete()


def organisations_of(user):
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


@transaction.atomic
def invite(org: Organisation, email: str, role: str, *, actor, base_url: str = "") -> Invitation:
    """An admin invites someone by email; the link carries a one-time token."""
    require_role(actor, org, Role.ADMIN)
    email = (email or "").strip()
    if "@" not in email:
        raise Invalid("give a valid email address")
    if role not in Role.values:
        raise Invalid(f"unknown role {role!r}")
    invitation = Invitation.objects.create(organisation=org, email=email, role=role, invited_by=actor)
    audit.record(actor, "create", invitation, after={"email": email, "role": role}, organisation=org)
    link = f"{base_url}/tracking/invitations/{invitation.token}/"
    body = render_to_string("tracking/email/invitation.txt", {"invitation": invitation, "link": link})
    transaction.on_commit(
        lambda: send_mail(f"Invitation to {org.name} on uprwatch", body, settings.DEFAULT_FROM_EMAIL, [email])
    )
    return invitation


def invitation_expires(invitation: Invitation) -> datetime.datetime:
    return invitation.created_at + datetime.timedelta(days=settings.UPRWATCH_INVITATION_DAYS)


def open_invitation(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link's token names, if it can still be accepted: not used, not expired."""
    invitations = Invitation.objects.select_related("organisation")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token=token).first() if token else None
    if invitation is None or invitation.accepted_at is not None:
        raise Invalid("this invitation link is not valid (or was already used)")
    if timezone.now() >= invitation_expires(invitation):
        raise Invalid(f"this invitation expired on {invitation_expires(invitation):%Y-%m-%d}; "
                      f"ask an admin of {invitation.organisation.name} to invite you again")
    return invitation


def same_address(a: str, b: str) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


@transaction.atomic
def accept_invitation(token: str, user) -> Membership:
    """Join the organisation. Only the account of the invited address may, and only once (the row is
    locked, so two concurrent acceptances cannot both pass)."""
    invitation = open_invitation(token, lock=True)
    if not same_address(user.email, invitation.email):
        raise NotAllowed("this invitation was sent to another e-mail address: sign in with the account of the "
                         "invited address, or sign out to create an account for it")
    membership = set_membership(invitation.organisation, user, invitation.role, actor=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def create_token(user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and the secret, which is never shown again."""
    import secrets

    key = "upr_" + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[4:12], key_hash=ApiToken.hash(key))
    return token, key


def revoke_token(prefix_or_id: str, *, user=None) -> ApiToken:
    tokens = ApiToken.objects.filter(revoked_at__isnull=True)
    if user is not None:
        tokens = tokens.filter(user=user)
    matches = list(tokens.filter(pk=int(prefix_or_id))) if prefix_or_id.isdecimal() else []
    matches = matches or list(tokens.filter(prefix=prefix_or_id.removeprefix("upr_")[:8]))
    if len(matches) != 1:
        raise Invalid(f"no single active token {prefix_or_id!r}")
    token = matches[0]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def user_for_token(key: str):
    """The user a bearer token belongs to, or None (unknown or revoked)."""
    if not key:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
