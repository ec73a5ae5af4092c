"""Invitations: Django's user-name and password validators on every path that creates a user; links
expire (UPRWATCH_INVITATION_DAYS), work once, and only for the account of the invited address."""

from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from uprwatch.cli import main
from uprwatch.tracking import organisations
from uprwatch.tracking.errors import Invalid, NotAllowed
from uprwatch.tracking.models import Invitation, Membership

User = get_user_model()


@pytest.fixture
def invitation(coalition):
    return organisations.invite(coalition.org, "dana@example.org", "viewer", actor=coalition.alice)


def _sign_up(client, invitation, username="dana", password="a-long-passphrase-2024"):
    client.logout()
    return client.post(f"/tracking/invitations/{invitation.token}/",
                       {"username": username, "password": password, "password2": password})


@pytest.mark.parametrize("password", ["12345678", "password", "iloveyou", "abc"])
def test_weak_passwords_are_refused_on_sign_up(client, invitation, password):
    response = _sign_up(client, invitation, password=password)
    assert response.status_code == 400
    assert "password" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # nothing half-done: the link still works


@pytest.mark.parametrize("username", ["<svg onload=alert(1)>", "dana smith", "dana/../x", "a\u200bb"])
def test_user_names_are_validated_on_sign_up(client, invitation, username):
    response = _sign_up(client, invitation, username=username)
    assert response.status_code == 400
    assert "<svg" not in response.content.decode()  # escaped if echoed
    assert not User.objects.filter(email="dana@example.org").exists()


def test_the_cli_applies_the_same_validators(db):
    result = CliRunner().invoke(main, ["users", "create", "erin", "--password", "12345678"])
    assert result.exit_code == 1 and "password" in result.output
    result = CliRunner().invoke(main, ["users", "create", "<svg>", "--password", "a-long-passphrase-2024"])
    assert result.exit_code == 1 and "not allowed" in result.output
    assert not User.objects.filter(username__in=["erin", "<svg>"]).exists()


def test_a_valid_sign_up_joins_once(client, invitation, coalition):
    response = _sign_up(client, invitation)
    assert response.status_code == 302
    dana = User.objects.get(username="dana")
    assert Membership.objects.get(user=dana, organisation=coalition.org).role == "viewer"
    # single use: the same link again, signed in or not, is refused
    assert client.post(f"/tracking/invitations/{invitation.token}/").status_code == 400
    assert _sign_up(client, invitation, username="dana2").status_code == 400
    assert not User.objects.filter(username="dana2").exists()
    with pytest.raises(Invalid, match="already used"):
        organisations.accept_invitation(invitation.token, dana)


def test_invitations_expire(client, invitation, settings):
    assert settings.UPRWATCH_INVITATION_DAYS == 7
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at - datetime.timedelta(days=7, seconds=1))
    page = client.get(f"/tracking/invitations/{invitation.token}/")
    assert page.status_code == 400 and "expired" in page.content.decode()
    assert _sign_up(client, invitation).status_code == 400
    assert not User.objects.filter(username="dana").exists()
    settings.UPRWATCH_INVITATION_DAYS = 30  # configurable
    assert client.get(f"/tracking/invitations/{invitation.token}/").status_code == 200


def test_only_the_invited_address_may_accept(client, invitation, coalition):
    """Another organisation's admin, signed in, cannot take an invitation meant for someone else."""
    client.force_login(coalition.charlie)
    response = client.post(f"/tracking/invitations/{invitation.token}/")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=coalition.charlie, organisation=coalition.org).exists()
    with pytest.raises(NotAllowed):
        organisations.accept_invitation(invitation.token, coalition.charlie)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    # the invited address accepts, whatever its case
    dana = User.objects.create_user("dana", "Dana@Example.org", "a-long-passphrase-2024")
    client.force_login(dana)
    assert client.post(f"/tracking/invitations/{invitation.token}/").status_code == 302
    assert Membership.objects.filter(user=dana, organisation=coalition.org).exists()
