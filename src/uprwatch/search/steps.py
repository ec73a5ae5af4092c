"""The search steps of ``uprwatch init`` (and the body of ``uprwatch index``), with progress bars."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from uprwatch.search import indexing, vectors


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    )


def build_text_index(console: Console, force: bool = False) -> None:
    if not force and indexing.text_index_is_current():
        console.print("search index: up to date")
        return
    with _progress(console) as progress:
        task = progress.add_task("search index", total=None)
        done = indexing.rebuild_text_index(lambda n, total: progress.update(task, completed=n, total=total))
    console.print(f"search index: {done} recommendations indexed")


def build_vectors(console: Console) -> None:
    with _progress(console) as progress:
        task = progress.add_task("recommendation vectors (wordllama)", total=None)
        report = vectors.sync_vectors(lambda n, total: progress.update(task, completed=n, total=total))
    console.print(
        f"vectors: {report['total']} recommendations, {report['embedded']} embedded now, {report['removed']} removed"
    )


def search_index_step(console: Console, options) -> None:
    build_text_index(console)


def vectors_step(console: Console, options) -> None:
    build_vectors(console)
