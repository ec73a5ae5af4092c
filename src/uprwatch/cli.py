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
def serve(host: str, port: int) -> None:
    """Serve the web UI and API."""
    _django()
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
