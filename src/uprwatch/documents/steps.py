"""The ``documents`` step of ``uprwatch init``: ingest the bundled parsed UN documents (idempotent)."""

from __future__ import annotations

import time

from rich.console import Console


def documents_step(console: Console, options) -> None:
    from uprwatch.documents.bundled import ingest_bundled

    started = time.perf_counter()
    report = ingest_bundled()
    fresh = [d for d in report.documents if d.status == "ingested"]
    if not fresh:
        console.print(f"UN documents: {len(report.documents)} already ingested")
        return
    console.print(
        f"UN documents: ingested {len(fresh)} ({report.added} recommendations added, {report.updated} updated, "
        f"{report.merged} UPR Info rows merged) in {time.perf_counter() - started:.1f} s"
    )
