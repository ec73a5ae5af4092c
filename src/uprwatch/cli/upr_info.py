"""``uprwatch sync upr-info``: UPR Info's live database, paged politely and merged."""

from __future__ import annotations

import datetime as dt

import click

from uprwatch.cli import _django, console, echo_json
from uprwatch.cli.sources import summary_line, sync


@sync.command("upr-info")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only entities UPR Info edited on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: added, updated, unchanged, merged, pages, unrecognised.")
def sync_upr_info_command(since: dt.datetime | None, as_json: bool) -> None:
    """Page through UPR Info's database (UPRWATCH_UPR_INFO_URL) politely, resuming an interrupted pass,
    and merge it with what uprwatch holds (one transaction; provenance kept, disagreements shown)."""
    _django()
    from uprwatch.errors import nothing_written
    from uprwatch.sources.runner import sync_lock
    from uprwatch.sources.upr_info import sync_upr_info

    # One sync at a time on a home (cron, this command, the Data sources page).
    with nothing_written(), sync_lock():
        report = sync_upr_info(since=since.date() if since else None, on_progress=None if as_json else _progress_line)
    if as_json:
        echo_json(report.to_json())
        return
    console.print(f"upr-info: {summary_line(report.to_json())}")
    for what, count in report.unrecognised.items():
        console.print(f"  not recognised: {what} ({count})")


def _progress_line(current) -> None:
    console.print(f"  page {current.pages_total}: {current.entities:,} entities", end="\r")
