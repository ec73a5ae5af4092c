"""What each live source did last: running (with its progress), failed (with the error), or synced.

A sync that fails leaves the database exactly as it was, so its error cannot live there: each source
keeps a small ``status.json`` under ``UPRWATCH_HOME/sources/<source>/`` (written whole, then renamed), which
the "Data sources" page and ``uprwatch sync`` read. A successful sync is also an ``ImportBatch`` (kind
``<source>_sync``), whose summary holds the figures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SOURCES = ("uhri", "upr-info")
BATCH_KINDS = {"uhri": "uhri_sync", "upr-info": "upr_info_sync", "un-documents": "document_fetch"}


def source_home(source: str) -> Path:
    path = Path(settings.HOME) / "sources" / source
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_status(source: str) -> dict:
    try:
        data = json.loads((source_home(source) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_status(source: str, **values) -> dict:
    """Replace the source's status with ``values`` (plus the time)."""
    data = {**values, "at": timezone.now().isoformat(timespec="seconds")}
    path = source_home(source) / "status.json"
    temporary = path.with_name(f"status.{os.getpid()}.part")
    temporary.write_text(json.dumps(data, default=str), encoding="utf-8")
    temporary.replace(path)
    return data


def last_sync(source: str):
    """The newest successful sync of a source (an ``ImportBatch``), or None."""
    from uprwatch.records.models import ImportBatch

    return ImportBatch.objects.filter(kind=BATCH_KINDS.get(source, source)).order_by("-started_at", "-pk").first()
