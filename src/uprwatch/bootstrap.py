"""What ``uprwatch init`` does, step by step.

Each step is idempotent: running ``init`` on a database that already holds everything changes
nothing. Later parts of the system (search index, documents, classifiers, vectors, lineage) add
their step to ``INIT_STEPS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from uprwatch.analysis.lineage import lineage_step
from uprwatch.calendar.sessions_sync import calendar_step
from uprwatch.classify.steps import classify_step
from uprwatch.documents.steps import documents_step
from uprwatch.records import upr_info
from uprwatch.records.loading import load_bundled_dataset
from uprwatch.search import steps as search_steps
from uprwatch.sources import steps as sources_steps


@dataclass
class InitOptions:
    recommendations: str | None = None  # a UPR Info CSV export or bundle instead of the shipped one
    pledges: str | None = None
    quiet: bool = False


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=False, transient=False,
    )


def migrate_step(console: Console, options: InitOptions) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:  # only call migrate when there is something to do: it cannot run inside a transaction on SQLite
        call_command("migrate", interactive=False, verbosity=0)
        console.print(f"database schema: applied {len(plan)} migration(s)")
    else:
        console.print("database schema: up to date")


def dataset_step(console: Console, options: InitOptions) -> None:
    recommendations = options.recommendations or upr_info.RECOMMENDATIONS_BUNDLE
    pledges = options.pledges or upr_info.PLEDGES_BUNDLE
    with _progress(console) as progress:
        task = progress.add_task("UPR Info recommendations and pledges", total=None)
        report = load_bundled_dataset(recommendations, pledges, progress=lambda n: progress.advance(task, n))
        progress.update(task, total=progress.tasks[0].completed)
    if report.skipped:
        console.print("already loaded: " + ", ".join(report.skipped))
    console.print(f"loaded {report.recommendations} recommendations and {report.pledges} pledges")


Step = Callable[[Console, InitOptions], None]
INIT_STEPS: list[tuple[str, Step]] = [
    ("migrate", migrate_step),
    ("dataset", dataset_step),
    ("documents", documents_step),
    ("classify", classify_step),
    ("search index", search_steps.search_index_step),
    ("vectors", search_steps.vectors_step),
    ("mechanism index", sources_steps.mechanism_index_step),
    ("lineage", lineage_step),
    ("calendar", calendar_step),
]


def run_init(console: Console, options: InitOptions) -> dict[str, float]:
    """Run every step; return (and print) how many seconds each took."""
    timings: dict[str, float] = {}
    for name, step in INIT_STEPS:
        started = time.perf_counter()
        step(console, options)
        timings[name] = round(time.perf_counter() - started, 2)
    total = sum(timings.values())
    console.print(
        f"init finished in {total:.1f} s (" + ", ".join(f"{name} {secs:.1f} s" for name, secs in timings.items()) + ")",
        soft_wrap=True,  # one line, so scripts (benchmarks/init_bench.py) can read it
    )
    return timings
