"""The ``uprwatch init`` step (also run by ``uprwatch index`` and after ``uprwatch restore``) that keeps the
other UN mechanisms' full-text index filled: a dump holds their table, not the index built from it."""

from __future__ import annotations

from rich.console import Console

from uprwatch.sources import mechanisms


def build_mechanism_index(console: Console, force: bool = False) -> None:
    if not force and mechanisms.index_is_current():
        console.print("other mechanisms' index: up to date")
        return
    done = mechanisms.rebuild_index()
    console.print(f"other mechanisms' index: {done} records indexed")


def mechanism_index_step(console: Console, options) -> None:
    build_mechanism_index(console)
