"""``uprwatch sync …``: bring the live sources (UHRI, UPR Info) into the database; plain ``sync`` runs them in turn."""

from __future__ import annotations

import sys

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


def _source_list(value: str) -> list[str]:
    from uprwatch.sources.runner import SOURCES

    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise click.BadParameter(f"unknown source(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(SOURCES)}")
    return list(dict.fromkeys(names))


@main.group(invoke_without_command=True)
@click.option("--sources", "source_names", default=None, metavar="NAMES",
              help="Comma-separated sources to run in turn (default: uhri,upr-info).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: each source's report.")
@click.pass_context
def sync(ctx: click.Context, source_names: str | None, as_json: bool) -> None:
    """Bring live sources up to date, one after the other, then send the alerts they trigger (for cron)."""
    if ctx.invoked_subcommand is not None:
        return
    _django()
    from contextlib import redirect_stdout

    from uprwatch.sources.runner import SOURCES, run_sources

    names = _source_list(source_names) if source_names else list(SOURCES)
    with redirect_stdout(sys.stderr):  # the console e-mail backend writes to stdout: keep it for the figures
        result = run_sources(names)
    if as_json:
        echo_json(result)
    else:
        for name, outcome in result["sources"].items():
            if outcome.get("error"):
                click.echo(f"{name}: failed — {outcome['error']}")
            else:
                click.echo(f"{name}: {summary_line(outcome)}")
        click.echo(f"alerts: {result['alerts']['match_notifications']} notification(s)")
    if any(o.get("error") for o in result["sources"].values()):
        sys.exit(1)


def summary_line(report: dict) -> str:
    if report.get("status") == "unchanged":
        return "unchanged since the last sync (one conditional request)"
    upr = report.get("upr", report)
    parts = [f"{k} {upr.get(k, 0)}" for k in ("added", "updated", "unchanged", "merged")]
    if "pages" in report:
        parts.append(f"pages {report['pages']}")
    if report.get("unrecognised"):
        parts.append(f"unrecognised {sum(report['unrecognised'].values())}")
    return ", ".join(parts)


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
    missing = report.get("missing_from_source") or {}
    if missing.get("upr") or missing.get("other_mechanisms"):
        click.echo(f"no longer in the export, kept (nothing deleted): UPR {missing['upr']:,}, other mechanisms "
                   f"{missing['other_mechanisms']:,} records loaded by an earlier sync"
                   + (f" — e.g. {', '.join(missing['examples'][:3])}" if missing.get("examples") else ""))


@main.command()
@click.option("--state", help="One state (any alias); default every state.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def coverage(state: str | None, as_json: bool) -> None:
    """What is loaded, per state and cycle: recommendations, sources, last sync (and what is not)."""
    _django()
    from uprwatch.errors import UserError
    from uprwatch.sources.coverage import coverage as run

    try:
        report = run(state)
    except UserError as exc:
        fail(str(exc))
    if as_json:
        echo_json(report)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("state", "cycle", "session", "status", "recommendations", "sources", "last sync")
    for entry in report["states"]:
        for row in entry["cycles"]:
            table.add_row(entry["state"], str(row["cycle"]), str(row["session"] or ""), row["status"],
                          f"{row['recommendations']:,}", ", ".join(row["sources"]), (row["last_sync"] or "")[:10])
    Console().print(table)
    missing = [(e["state"], r) for e in report["states"] for r in e["cycles"] if r["status"] == "not loaded"]
    if missing:
        click.echo(f"{len(missing)} held review(s) not loaded: run `uprwatch sync uhri`")
