"""``uprwatch sync``: bring the live sources up to date (``sync upr-info``; plain ``sync`` runs them all)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from uprwatch.cli import _django, console, echo_json, fail, main


def _source_list(value: str) -> list[str]:
    from uprwatch.sources.sync import SOURCES

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

    from uprwatch.sources.sync import SOURCES, run_sources

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
                click.echo(f"{name}: {_summary(outcome)}")
        click.echo(f"alerts: {result['alerts']['match_notifications']} notification(s)")
    if any(o.get("error") for o in result["sources"].values()):
        sys.exit(1)


def _summary(report: dict) -> str:
    if report.get("status") == "unchanged":
        return "unchanged since the last sync (one conditional request)"
    upr = report.get("upr", report)
    parts = [f"{k} {upr.get(k, 0)}" for k in ("added", "updated", "unchanged", "merged")]
    if "pages" in report:
        parts.append(f"pages {report['pages']}")
    if report.get("unrecognised"):
        parts.append(f"unrecognised {sum(report['unrecognised'].values())}")
    return ", ".join(parts)


@sync.command("upr-info")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only entities UPR Info edited on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: added, updated, unchanged, merged, pages, unrecognised.")
def sync_upr_info_command(since: dt.datetime | None, as_json: bool) -> None:
    """Page through UPR Info's database (UPRWATCH_UPR_INFO_URL) politely, resuming an interrupted pass,
    and merge it with what uprwatch holds (one transaction; provenance kept, disagreements shown)."""
    _django()
    from uprwatch.errors import UserError
    from uprwatch.sources.upr_info import sync_upr_info

    try:
        report = sync_upr_info(since=since.date() if since else None,
                               on_progress=None if as_json else _progress_line)
    except UserError as exc:
        fail(f"{exc} (database unchanged)")
    if as_json:
        echo_json(report.to_json())
        return
    console.print(f"upr-info: {_summary(report.to_json())}")
    for what, count in report.unrecognised.items():
        console.print(f"  not recognised: {what} ({count})")


def _progress_line(current) -> None:
    console.print(f"  page {current.pages_total}: {current.entities:,} entities", end="\r")
