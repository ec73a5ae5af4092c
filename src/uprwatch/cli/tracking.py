"""``uprwatch users``, ``orgs``, ``tokens`` and ``jobs``: accounts, organisations, API tokens and the job queue."""

from __future__ import annotations

import sys

import click

from uprwatch.cli import _django, echo_json, json_option, main


@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.argument("username")
@click.option("--email", default="", help="Address for alerts and password resets.")
@click.option("--password", help="Password (default: read from stdin, or prompted).")
@click.option("--staff", is_flag=True, help="May use the Django admin.")
def users_create(username: str, email: str, password: str | None, staff: bool) -> None:
    """Create a user account."""
    _django()
    from uprwatch.tracking import organisations

    if password is None:
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
    user = organisations.create_user(username, email, password, staff=staff)
    click.echo(f"created user {user.username}")


@main.group()
def orgs() -> None:
    """Manage organisations, coalitions and memberships."""


@orgs.command("create")
@click.argument("name")
@click.option("--coalition", help="Slug of the coalition this organisation belongs to.")
@click.option("--admin", "admin_username", help="User who becomes the organisation's first admin.")
def orgs_create(name: str, coalition: str | None, admin_username: str | None) -> None:
    """Create an organisation (or a coalition)."""
    _django()
    from uprwatch.tracking import organisations

    parent = organisations.get_organisation(coalition) if coalition else None
    admin = organisations.get_user(admin_username) if admin_username else None
    org = organisations.create_organisation(name, coalition=parent, admin=admin)
    click.echo(f"created organisation {org.name} ({org.slug})")


@orgs.command("add-member")
@click.argument("organisation")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "contributor", "editor", "admin"]), default="viewer", show_default=True)
def orgs_add_member(organisation: str, username: str, role: str) -> None:
    """Give USERNAME a ROLE in ORGANISATION (slug or name); changes the role of a member."""
    _django()
    from uprwatch.tracking import organisations

    org = organisations.get_organisation(organisation)
    organisations.set_membership(org, organisations.get_user(username), role)
    click.echo(f"{username} is {role} of {org.name}")


@orgs.command("remove-member")
@click.argument("organisation")
@click.argument("username")
def orgs_remove_member(organisation: str, username: str) -> None:
    """Remove USERNAME from ORGANISATION."""
    _django()
    from uprwatch.tracking import organisations

    org = organisations.get_organisation(organisation)
    organisations.remove_membership(org, organisations.get_user(username))
    click.echo(f"{username} removed from {org.name}")


@orgs.command("list")
@json_option(None)
def orgs_list(as_json: bool) -> None:
    """Organisations and their members."""
    _django()
    from uprwatch.tracking.models import Organisation

    data = [
        {"slug": o.slug, "name": o.name, "coalition": o.coalition.slug if o.coalition else None,
         "members": {m.user.username: m.role for m in o.memberships.select_related("user")}}
        for o in Organisation.objects.select_related("coalition")
    ]
    if as_json:
        echo_json(data)
        return
    for org in data:
        members = ", ".join(f"{u} ({r})" for u, r in org["members"].items()) or "no members"
        click.echo(f"{org['slug']}: {org['name']} — {members}")


@orgs.command("audit")
@click.argument("organisation")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def orgs_audit(organisation: str, fmt: str) -> None:
    """Export ORGANISATION's audit log (oldest first) to stdout."""
    _django()
    from uprwatch.tracking import audit, organisations

    click.echo(audit.export(organisations.get_organisation(organisation), fmt), nl=False)


@main.group()
def tokens() -> None:
    """API tokens (Authorization: Bearer <token>)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def tokens_create(username: str, name: str) -> None:
    """Create a token for USERNAME and print it (it is shown only once)."""
    _django()
    from uprwatch.tracking import organisations

    _, key = organisations.create_token(organisations.get_user(username), name)
    click.echo(key)


@tokens.command("revoke")
@click.argument("token")
def tokens_revoke(token: str) -> None:
    """Revoke a token (the token, its 8-character prefix, or its id)."""
    _django()
    from uprwatch.tracking import organisations

    revoked = organisations.revoke_token(token)
    click.echo(f"revoked token {revoked.prefix}… of {revoked.user.username}")


@tokens.command("list")
@json_option(None)
def tokens_list(as_json: bool) -> None:
    """Tokens (prefixes only; secrets are never stored)."""
    _django()
    from uprwatch.tracking.models import ApiToken

    data = [{"id": t.pk, "user": t.user.username, "prefix": t.prefix, "name": t.name, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
            for t in ApiToken.objects.select_related("user").order_by("id")]
    if as_json:
        echo_json(data)
        return
    for t in data:
        click.echo(f"{t['id']}\t{t['user']}\tupr_{t['prefix']}…\t{t['name']}\t{'revoked' if t['revoked_at'] else 'active'}")


@main.group()
def jobs() -> None:
    """The background job queue (alerts). Run `uprwatch jobs run` from cron; no extra server."""


@jobs.command("run")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0, 100_000),
              help="Most queued jobs to process in this run.")
@click.option("--no-deadlines", is_flag=True, help="Skip the deadline check.")
@click.option("--kind", "kinds", multiple=True, help="Only jobs of this kind (repeat; e.g. source_sync, watchlist_match).")
@json_option(None)
def jobs_run(limit: int, no_deadlines: bool, kinds: tuple[str, ...], as_json: bool) -> None:
    """Process queued jobs (campaign matches), check deadlines, send notifications and email."""
    _django()
    from contextlib import redirect_stdout

    from uprwatch.tracking.alerts import run_jobs

    # Django's console email backend writes to stdout: keep stdout for the figures.
    with redirect_stdout(sys.stderr):
        figures = run_jobs(limit, deadlines=not no_deadlines, kinds=kinds or None)
    if as_json:
        echo_json(figures)
    else:
        click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in figures.items()))
    if figures["jobs_failed"]:
        sys.exit(1)
