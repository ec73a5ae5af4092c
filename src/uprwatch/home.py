"""Where uprwatch keeps its files: ``UPRWATCH_HOME``.

It holds the SQLite database and every derived file (search vectors, trained models, uploads).
Default: ``./var`` when run from a source checkout (``make run`` sets it explicitly), otherwise
``~/.local/share/uprwatch``.
"""

from __future__ import annotations

import os
from pathlib import Path


def uprwatch_home() -> Path:
    configured = os.environ.get("UPRWATCH_HOME")
    if configured:
        path = Path(configured).expanduser()
    else:
        path = Path.home() / ".local" / "share" / "uprwatch"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()
