"""Where uprwatch keeps its files: ``UPRWATCH_HOME``.

It holds the SQLite database and every derived file (search vectors, trained models, uploads).
Chosen in this order: ``UPRWATCH_HOME`` when set; ``./var`` when the current folder has one holding a
database (what ``make run`` uses: a person who ran ``make run`` and then types ``.venv/bin/uprwatch ...``
in the project folder reaches the same database the server reads); otherwise ``~/.local/share/uprwatch``.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_NAME = "uprwatch.sqlite3"
DEFAULT_HOME = Path.home() / ".local" / "share" / "uprwatch"


def project_home() -> Path | None:
    """``./var`` of the current folder when it holds a database (the folder ``make run`` fills)."""
    candidate = Path.cwd() / "var"
    return candidate if (candidate / DATABASE_NAME).is_file() else None


def home_origin() -> str:
    """How the home was chosen, for messages: ``environment``, ``project`` or ``default``."""
    if os.environ.get("UPRWATCH_HOME"):
        return "environment"
    return "project" if project_home() is not None else "default"


def describe_home(path: Path) -> str:
    """One phrase saying which home is in use and why, e.g. in an error about a missing database."""
    origin = home_origin()
    if origin == "environment":
        return f"{path} (from UPRWATCH_HOME)"
    if origin == "project":
        return f"{path} (./var of the current folder, the database `make run` uses)"
    return f"{path} (the default: UPRWATCH_HOME is not set and the current folder has no var/{DATABASE_NAME})"


def uprwatch_home() -> Path:
    configured = os.environ.get("UPRWATCH_HOME")
    if configured:
        path = Path(configured).expanduser()
    else:
        path = project_home() or DEFAULT_HOME
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()
