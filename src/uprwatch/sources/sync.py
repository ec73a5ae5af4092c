"""``uprwatch sync uhri``: download (or take) a UHRI export and merge it, in one transaction.

``sync_uhri(file=..., url=..., dry_run=...)`` returns the report the CLI prints with ``--json``::

    {"source": "uhri", "records": 267500,
     "upr": {"added", "updated", "unchanged", "merged"},
     "other_mechanisms": {"added", "updated", "unchanged"},
     "skipped": {reason: count}, "unrecognised": {column or value: count},
     "missing_from_source": {"upr", "other_mechanisms", "examples"}}

``missing_from_source`` counts the records an earlier UHRI sync loaded that this export no longer holds
(withdrawn or re-keyed by OHCHR, or a partial file): they are reported, never deleted — a recommendation
may be held by other sources too (UPR Info, a UN document), and campaigns and assessments may point at it.

The file is read as a stream while the merge writes; any error (a damaged or truncated file, a missing
column, a kill) rolls the whole transaction back, so the database is as it was. ``dry_run`` does all of
it and rolls back at the end. A successful sync is an ``ImportBatch`` of kind ``uhri_sync`` (the
coverage report's "last sync").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction

from uprwatch.home import uprwatch_home
from uprwatch.records.loading import file_sha256, load_reference_tables
from uprwatch.records.models import ImportBatch, State
from uprwatch.sources import uhri
from uprwatch.sources.download import Progress, download
from uprwatch.sources.merge import Merger

SYNC_KIND = "uhri_sync"


class _DryRun(Exception):
    """Raised at the end of a dry run to roll back everything it wrote."""


def export_url() -> str:
    return getattr(settings, "UPRWATCH_UHRI_EXPORT_URL", "") or uhri.DEFAULT_URL


def download_dir() -> Path:
    return uprwatch_home() / "sources" / "uhri"


def fetch_export(url: str | None = None, progress: Progress | None = None):
    """Download the export into ``UPRWATCH_HOME/sources/uhri/`` (resumed, skipped when not modified)."""
    url = url or export_url()
    name = Path(urlparse(url).path).name or "export"
    return download(url, download_dir() / name, expect=("json", "xlsx"), progress=progress)


def sync_uhri(
    file: Path | str | None = None,
    url: str | None = None,
    *,
    dry_run: bool = False,
    download_progress: Progress | None = None,
    record_progress: Callable[[int], None] | None = None,
    schedule=None,
) -> dict:
    """Merge a UHRI export into the database (see the module docstring). Raises ``errors.UserError`` subclasses."""
    fetched = None
    if file is None:
        fetched = fetch_export(url, download_progress)
        path, origin = fetched.path, fetched.url
    else:
        path, origin = Path(file), str(file)
    digest = file_sha256(path)
    if fetched is not None and fetched.status == "not_modified":
        previous = (ImportBatch.objects.filter(kind=SYNC_KIND, summary__sha256=digest)
                    .order_by("-started_at").first())
        if previous is not None:
            return _unchanged(previous.summary)
    reader = uhri.read_export(path, schedule)
    try:
        with transaction.atomic():
            if not State.objects.exists():
                load_reference_tables()
            batch = None if dry_run else ImportBatch.objects.create(kind=SYNC_KIND, source=origin[:300])
            merger = Merger(batch, dry_run=dry_run)
            for count, record in enumerate(reader, start=1):
                merger.add(record)
                if record_progress and count % 1000 == 0:
                    record_progress(reader.report.records)
            merged = merger.finish()
            result = _result(reader.report, merged)
            result["missing_from_source"] = missing_from_source(reader.report.annotation_ids)
            if dry_run:
                raise _DryRun
            batch.summary = {**result, "sha256": digest, "format": reader.report.format,
                             "download": fetched.to_json() if fetched else None}
            batch.save(update_fields=["summary"])
    except _DryRun:
        pass
    if record_progress:
        record_progress(reader.report.records)
    return result


def _result(read: uhri.ReadReport, merged) -> dict:
    counts = merged.to_json()
    return {
        "source": uhri.SOURCE,
        "records": read.records,
        "upr": counts["upr"],
        "other_mechanisms": counts["other_mechanisms"],
        "skipped": dict(sorted(read.skipped.items())),
        "unrecognised": dict(read.unrecognised.most_common()),
    }


MISSING_EXAMPLES = 10


def missing_from_source(annotation_ids: set[str]) -> dict:
    """What earlier UHRI syncs loaded that the export read now does not hold: counts and a few record ids.

    A record id is the annotation id, or ``<annotation id>#<ISO3>`` for a recommendation addressed to two
    states jointly (one record each): both stand for the annotation.
    """
    from uprwatch.sources.models import MechanismRecommendation, SourceRecord

    found = {"upr": 0, "other_mechanisms": 0, "examples": []}
    examples: list[str] = []
    for key, rows in (("upr", SourceRecord.objects.filter(source=uhri.SOURCE)),
                      ("other_mechanisms", MechanismRecommendation.objects.filter(source=uhri.SOURCE))):
        for record_id in rows.values_list("record_id", flat=True).iterator(chunk_size=10_000):
            if record_id.split("#", 1)[0] not in annotation_ids:
                found[key] += 1
                examples.append(record_id)
    found["examples"] = sorted(examples)[:MISSING_EXAMPLES]
    return found


def _unchanged(summary: dict) -> dict:
    """The server said the file has not changed and it was merged before: nothing to do."""
    upr = summary.get("upr", {})
    other = summary.get("other_mechanisms", {})
    return {
        "source": uhri.SOURCE,
        "records": summary.get("records", 0),
        "upr": {"added": 0, "updated": 0, "unchanged": sum(upr.get(k, 0) for k in ("added", "updated", "unchanged",
                                                                                  "merged")), "merged": 0},
        "other_mechanisms": {"added": 0, "updated": 0,
                             "unchanged": sum(other.get(k, 0) for k in ("added", "updated", "unchanged"))},
        "skipped": summary.get("skipped", {}),
        "unrecognised": summary.get("unrecognised", {}),
        # the same file as that sync: what it found missing still is (and nothing more)
        "missing_from_source": summary.get("missing_from_source", {"upr": 0, "other_mechanisms": 0, "examples": []}),
    }
