"""``uprwatch mcp``: the MCP server for AI assistants over stdio (desktop assistants start it themselves)."""

from __future__ import annotations

import click

from uprwatch.cli import _django, fail, main


@main.command("mcp")
@click.option("--token", envvar="UPRWATCH_TOKEN", help="A member's API token (`uprwatch tokens create`): adds that "
              "member's private tracking data. Also read from UPRWATCH_TOKEN. Without it: public data only.")
def mcp_command(token: str | None) -> None:
    """Serve uprwatch's tools to an AI assistant over stdio (Model Context Protocol).

    Standard output carries the protocol; messages go to standard error.
    """
    _django()
    from uprwatch.assistant.server import build_server, set_process_caller
    from uprwatch.tracking.organisations import user_for_token

    if token:
        user = user_for_token(token.strip())
        if user is None:
            fail("the token is unknown or revoked (create one with `uprwatch tokens create USER`)")
        set_process_caller(user)
        click.echo(f"uprwatch MCP server: signed in as {user.get_username()}", err=True)
    else:
        click.echo("uprwatch MCP server: public data only (no --token)", err=True)
    build_server().run("stdio")
