"""The data-version stamp: one file whose modification time changes whenever the recommendations, their
labels or the search index change (an ingest, a relabelling, a review decision, a rebuild).

Everything built from the data keys its cache on it: the search catalog, the profile arrays, the home
page, the profiles and the anonymous page cache. Reading it is one ``stat`` call, so every process can
compare it before answering; search's indexing bumps it (``search.catalog.bump_stamp``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings


def stamp_path() -> Path:
    path = Path(settings.HOME) / "search"
    path.mkdir(parents=True, exist_ok=True)
    return path / "index.stamp"


def current_stamp() -> float:
    try:
        return stamp_path().stat().st_mtime_ns
    except FileNotFoundError:
        return 0.0


def bump_stamp() -> None:
    """Move the stamp on (explicitly to now: a file system's coarse mtime could repeat the old value)."""
    path = stamp_path()
    path.touch()
    now = time.time_ns()
    os.utime(path, ns=(now, now))
