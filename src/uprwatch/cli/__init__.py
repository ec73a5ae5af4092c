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


def json_option(help: str | None = "Print one JSON object."):
    """The ``--json`` flag (``as_json``) most commands take: machine-readable output instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_option(help: str = "File to write."):
    """The required ``--output PATH`` of the commands that write a file."""
    return click.option("--output", required=True, type=click.Path(dir_okay=False), help=help)


def database_problem(exc: BaseException) -> str | None:
    """A message for a database that is missing its tables or cannot be opened, else None.

    Every command but ``init``/``restore`` needs the schema; without it Django raises deep inside a
    service with "no such table" (SQLite) or "relation ... does not exist" (PostgreSQL).
    """
    kind = type(exc)
    if not kind.__module__.startswith("django.db") or kind.__name__ not in ("OperationalError", "ProgrammingError"):
        return None
    detail = (str(exc).strip().splitlines() or [""])[0]
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database has no uprwatch tables yet: run `uprwatch init` first ({detail})"
    if any(s in detail for s in ("could not connect", "Connection refused", "unable to open database file",
                                 "password authentication failed", "does not exist")):
        return f"cannot open the database: {detail}"
    return None


class _Main(click.Group):
    """The command group, and the CLI's one translation of errors: a user error (``uprwatch.errors``)
    or a database that is not there ends in ``Error: message`` on stderr and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        from uprwatch.errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            fail(str(exc))
        except Exception as exc:
            if (message := database_problem(exc)) is None:
                raise
            fail(message)


# Commands that make a database (or need none): every other one refuses to open a SQLite file that is not
# there, since opening it would silently create a second, empty database beside the one `make run` serves.
CREATES_OR_NEEDS_NO_DATABASE = {"init", "restore", "parse", "check"}


def missing_database() -> str | None:
    """A message when the SQLite database of the home in use does not exist yet, else None."""
    from django.conf import settings

    # Already configured: called from Python (tests, a host program) with a database of its choosing.
    if os.environ.get("DATABASE_URL") or settings.configured:
        return None
    from uprwatch.home import DATABASE_NAME, describe_home, uprwatch_home

    home = uprwatch_home()
    if (home / DATABASE_NAME).is_file():
        return None
    return (
        f"there is no uprwatch database in {describe_home(home)}. If `make run` made your database, run this "
        "command from the project folder or set UPRWATCH_HOME to its var folder (e.g. "
        "UPRWATCH_HOME=/path/to/uprwatch/var); to make a new database here, run `uprwatch init` first."
    )


@click.group(cls=_Main)
@click.version_option(package_name="uprwatch")
def main() -> None:
    """uprwatch: the UN Universal Periodic Review as structured, searchable, trackable data."""
    ctx = click.get_current_context()
    asking_for_help = any(arg in ("--help", "-h") for arg in sys.argv[1:])
    if ctx.invoked_subcommand not in CREATES_OR_NEEDS_NO_DATABASE and not asking_for_help:
        if (message := missing_database()) is not None:
            fail(message)


# Each feature's commands live in a module of their own and register themselves on `main` when imported:
# one line per module here (a new feature adds its line; keep them sorted).
from uprwatch.cli import analysis as _analysis  # noqa: E402, F401
from uprwatch.cli import assistant as _assistant  # noqa: E402, F401
from uprwatch.cli import calendar as _calendar  # noqa: E402, F401
from uprwatch.cli import classify as _classify  # noqa: E402, F401
from uprwatch.cli import documents as _documents  # noqa: E402, F401
from uprwatch.cli import fetch as _fetch  # noqa: E402, F401
from uprwatch.cli import reports as _reports  # noqa: E402, F401
from uprwatch.cli import search as _search  # noqa: E402, F401
from uprwatch.cli import server as _server  # noqa: E402, F401
from uprwatch.cli import sources as _sources  # noqa: E402, F401  (sync)
from uprwatch.cli import tracking as _tracking  # noqa: E402, F401
from uprwatch.cli import upr_info as _upr_info  # noqa: E402, F401  (after sources: sync upr-info)

if __name__ == "__main__":
    main()
