"""``uprwatch sync …``: bring the live sources (UHRI; UPR Info and UN documents come next) into the database."""

from __future__ import annotations

import click
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from uprwatch.cli import _django, console, echo_json, fail, json_option, main


@main.group(invoke_without_command=True)
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Bring live sources up to date (subcommands: uhri)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@sync.command("uhri")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="A UHRI export already on disk (JSON or XLSX).")
@click.option("--url", help="Download the export from this address (default: setting UPRWATCH_UHRI_EXPORT_URL).")
@click.option("--dry-run", is_flag=True, help="Report what would change without writing anything.")
@json_option("Print the report as one JSON object.")
def sync_uhri(file: str | None, url: str | None, dry_run: bool, as_json: bool) -> None:
    """Import OHCHR's Universal Human Rights Index export: every UPR cycle and the other UN mechanisms."""
    if file and url:
        fail("give --file or --url, not both")
    _django()
    from uprwatch.errors import nothing_written
    from uprwatch.sources.sync import sync_uhri as run

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        fetch = bar.add_task("downloading the UHRI export", total=None, visible=file is None)
        records = bar.add_task("merging records", total=None, visible=False)

        def on_bytes(done: int, total: int | None) -> None:
            bar.update(fetch, completed=done, total=total)

        def on_records(done: int) -> None:
            bar.update(records, completed=done, visible=True, description=f"merged {done:,} records")

        with nothing_written():
            report = run(file=file, url=url, dry_run=dry_run, download_progress=on_bytes, record_progress=on_records)
    if as_json:
        echo_json(report)
        return
    upr, other = report["upr"], report["other_mechanisms"]
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(f"{prefix}{report['records']:,} UHRI records: UPR {upr['added']:,} added, {upr['merged']:,} merged, "
               f"{upr['updated']:,} updated, {upr['unchanged']:,} unchanged; other mechanisms {other['added']:,} "
               f"added, {other['updated']:,} updated, {other['unchanged']:,} unchanged")
    if report["skipped"]:
        click.echo("skipped: " + ", ".join(f"{reason} ({count:,})" for reason, count in report["skipped"].items()))
    if report["unrecognised"]:
        click.echo("not understood: " + ", ".join(f"{key} ({count:,})" for key, count in
                                                 list(report["unrecognised"].items())[:20]))
