"""``uprwatch init``, ``serve``, ``stats`` and ``check``: the database, the server and its configuration."""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console

from uprwatch.cli import _django, console, echo_json, fail, json_option, main


@main.command()
@click.option("--recommendations", type=click.Path(dir_okay=False), help="UPR Info CSV export (or bundle) to load instead of the shipped one.")
@click.option("--pledges", type=click.Path(dir_okay=False), help="UPR Info pledges CSV export (or bundle).")
def init(recommendations: str | None, pledges: str | None) -> None:
    """Create the database and load the bundled data (idempotent)."""
    from uprwatch.home import DATABASE_NAME, describe_home, uprwatch_home

    if not os.environ.get("DATABASE_URL"):
        # Never a silent second database: say which one this is, new or not.
        home = uprwatch_home()
        state = "existing database" if (home / DATABASE_NAME).is_file() else "creating a new database"
        console.print(f"{state} in {describe_home(home)}")
    _django()
    from uprwatch.bootstrap import InitOptions, run_init
    from uprwatch.errors import nothing_written
    from uprwatch.records.upr_info import DataFileError

    with nothing_written(DataFileError):
        run_init(console, InitOptions(recommendations=recommendations, pledges=pledges))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--production", is_flag=True, help="Serve with gunicorn and whitenoise (for a shared server).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="gunicorn worker processes (--production; default 2×CPUs+1).")
@click.option("--threads", type=click.IntRange(min=1), default=4, show_default=True, help="Threads per worker (--production).")
def serve(host: str, port: int, production: bool, workers: int | None, threads: int) -> None:
    """Serve the web UI and API."""
    _django()
    if production:
        _serve_production(host, port, workers, threads)
        return
    from django.core.management import CommandError, call_command

    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    except CommandError as exc:  # an address runserver cannot parse: its message, not a traceback
        fail(str(exc))


@main.command()
@json_option()
def stats(as_json: bool) -> None:
    """What the database holds."""
    _django()
    from uprwatch.records.stats import dataset_stats

    figures = dataset_stats()
    if as_json:
        echo_json(figures)
        return
    from rich.table import Table

    table = Table("figure", "value")
    for key, value in figures.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    Console().print(table)



@main.command()
@click.option("--deploy", is_flag=True, help="Also check what a shared server needs (secret key, HTTPS, hosts, e-mail).")
@json_option()
def check(deploy: bool, as_json: bool) -> None:
    """Report misconfiguration: Django's system checks plus uprwatch's (exit 1 when something is wrong)."""
    _django()
    from uprwatch.web.production import failing, run_checks

    findings = run_checks(deploy)
    problems = failing(findings, deploy)
    if as_json:
        echo_json({"ok": not problems, "deploy": deploy, "findings": [f.as_dict() for f in findings]})
    else:
        for finding in findings:
            click.echo(f"{finding.level.upper()} {finding.id}: {finding.message}", err=True)
            if finding.hint:
                click.echo(f"    hint: {finding.hint}", err=True)
    if problems:
        fail(f"{len(problems)} problem(s) found" + (" (warnings count for --deploy)" if deploy else ""))
    if not as_json:
        click.echo("No problems found." + (" Ready for a shared server." if deploy else ""))


def _serve_production(host: str, port: int, workers: int | None, threads: int) -> None:
    from django.conf import settings

    from uprwatch.web import production

    if settings.DEBUG:
        fail("UPRWATCH_DEBUG=1: debug pages must never be served in production; unset it.")
    pending = production.pending_migrations()
    if pending:
        fail(f"{len(pending)} migration(s) not applied ({', '.join(pending[:3])}...): run `uprwatch init` first.")
    findings = production.failing(production.run_checks(deploy=True), deploy=True)
    if findings:
        console.print(f"[yellow]not ready for a shared server[/] ({', '.join(f.id for f in findings)}): "
                      "see `uprwatch check --deploy`")
    production.collect_static()
    command = production.gunicorn_command(host, port, workers or production.default_workers(), threads)
    console.print(f"serving on http://{host}:{port}/ with gunicorn ({command[command.index('--workers') + 1]} workers)")
    sys.stdout.flush()
    sys.stderr.flush()
    # exec: gunicorn becomes this process, so a service manager's signals reach it directly.
    os.execve(sys.executable, command, production.production_environment())
