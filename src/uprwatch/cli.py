"""The ``uprwatch`` command line: thin click commands over the service functions.

Django is configured lazily (``_django()``) so ``uprwatch --help`` is instant. Errors that a user
can cause end with a message on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys

import click
from rich.console import Console

console = Console(stderr=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()


def fail(message: str, code: int = 1) -> None:
    """Print a clear error and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.version_option(package_name="uprwatch")
def main() -> None:
    """uprwatch: the UN Universal Periodic Review as structured, searchable, trackable data."""


@main.command()
@click.option("--recommendations", type=click.Path(dir_okay=False), help="UPR Info CSV export (or bundle) to load instead of the shipped one.")
@click.option("--pledges", type=click.Path(dir_okay=False), help="UPR Info pledges CSV export (or bundle).")
def init(recommendations: str | None, pledges: str | None) -> None:
    """Create the database and load the bundled data (idempotent)."""
    _django()
    from uprwatch.bootstrap import InitOptions, run_init
    from uprwatch.records.upr_info import DataFileError

    try:
        run_init(console, InitOptions(recommendations=recommendations, pledges=pledges))
    except DataFileError as exc:
        fail(f"{exc} (database unchanged)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--production", is_flag=True, help="Serve with gunicorn and whitenoise (for a shared server).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes (--production; default 2×CPUs+1).")
@click.option("--threads", type=int, default=4, show_default=True, help="Threads per worker (--production).")
def serve(host: str, port: int, production: bool, workers: int | None, threads: int) -> None:
    """Serve the web UI and API."""
    _django()
    if production:
        _serve_production(host, port, workers, threads)
        return
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
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

# --- deploy commands (owner: the deploy feature) ---


@main.command()
@click.option("--deploy", is_flag=True, help="Also check what a shared server needs (secret key, HTTPS, hosts, e-mail).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
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

# --- end deploy commands ---

# --- search commands (owner: the search feature) ---
# --- end search commands ---

# --- documents commands (owner: the documents feature) ---
# --- end documents commands ---

# --- classify commands (owner: the classify feature) ---
# --- end classify commands ---

# --- analysis commands (owner: the analysis feature) ---
# --- end analysis commands ---

# --- calendar commands (owner: the calendar feature) ---
# --- end calendar commands ---

# --- tracking commands (owner: the tracking feature) ---
# --- end tracking commands ---

# --- reports commands (owner: the reports feature) ---
# --- end reports commands ---


if __name__ == "__main__":
    main()
