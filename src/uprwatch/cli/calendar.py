"""``uprwatch calendar``: the UPR calendar, its sessions and deadlines."""

from __future__ import annotations

import click
from rich.console import Console

from uprwatch.cli import _django, echo_json, json_option, main


@main.command("calendar")
@click.option("--state", "state_name", metavar="NAME", help="One state's reviews in cycles 1-5 with deadlines.")
@click.option("--days", default=120, show_default=True, type=click.IntRange(0, 3650),
              help="Without --state: how far ahead to list what is due.")
@click.option("--check", is_flag=True, help="Compare derived sessions 24-26 with the published lists of 52-54, and "
              "every session date held with the evidence table (disagreements, dates off the usual pattern).")
@json_option("Print JSON.")
def calendar_command(state_name: str | None, days: int, check: bool, as_json: bool) -> None:
    """The UPR calendar: upcoming sessions and deadlines, or one state's reviews."""
    _django()
    from uprwatch.calendar import summary

    if check:
        report = summary.derivation_check()
        if as_json:
            echo_json(report)
            return
        dates = report.pop("dates")
        for session, figures in report.items():
            click.echo(f"session {session}: {len(figures['agree'])} of {len(figures['listed'])} listed states derived "
                       f"there; only listed: {', '.join(figures['only_listed']) or '-'}; "
                       f"only derived: {', '.join(figures['only_derived']) or '-'}")
        _print_dates_check(dates)
        return
    if state_name is not None:
        data = summary.state_summary(state_name)
        if as_json:
            echo_json(data)
            return
        _print_state_calendar(data)
        return
    data = summary.calendar_summary(days=days)
    if as_json:
        echo_json(data)
        return
    _print_calendar(data)


def _print_dates_check(dates: dict) -> None:
    table = dates["evidence_table"]
    click.echo(f"session dates: {table['agree']} of {table['compared']} sessions of the evidence table "
               f"({table['sessions']}) agree with the dates held"
               + (f"; differ: {', '.join(map(str, table['differ']))}" if table["differ"] else ""))
    for d in dates["disagreements"]:
        kept, other = d["kept"], d["other"]
        click.echo(f"  disagreement, session {d['session']} ({'/'.join(d['fields'])}): kept {kept['start']} to "
                   f"{kept['end']} ({kept['evidence']}: {kept['source']}); other {other['start']} to {other['end']} "
                   f"({other['evidence']}: {other['source']}); {d['reason']}")
    for p in dates["outside_pattern"]:
        click.echo(f"  off the Monday-to-Friday pattern, session {p['session']}: {p['start']} to {p['end']} "
                   f"({p['problem']}; {p['evidence']}: {p['source']})")
    for gap in dates["unused_slots"]:
        click.echo(f"  unused slot before session {gap['before_session']}: {', '.join(gap['unused_slots'])} "
                   f"({gap['reason']}{': ' + gap['why'] if gap['why'] else ''})")
    for y in dates["years"]:
        click.echo(f"  year of session {y['session']}: {y['session_years_csv']} in session-years.csv, "
                   f"{y['from_dates']} from its {y['dates_status']} dates")


def _print_state_calendar(data: dict) -> None:
    from rich.table import Table

    out = Console()
    upcoming = data["next_review"]
    if upcoming:
        out.print(f"[bold]{data['state']}[/bold]: next review cycle {upcoming['cycle']}, WG {upcoming['session']}, "
                  f"{upcoming['start_date']} to {upcoming['end_date']} ({upcoming['status']}, dates {upcoming['dates_status']})",
                  markup=True)
        for line in (upcoming["dates_rule"], upcoming["dates_note"], upcoming["note"]):
            if line:
                out.print(line, markup=False)
        deadlines = Table("deadline", "date", "status", "source", title="Deadlines of the next review")
        for d in upcoming["deadlines"]:
            deadlines.add_row(d["label"], d["date"] + (f" to {d['end_date']}" if d["end_date"] else ""), d["status"], d["source"])
        out.print(deadlines)
    elif not data["reviews"]:
        out.print(f"{data['state']} is not a UN member state: it is not reviewed.")
        return
    table = Table("cycle", "session", "year", "dates", "status", "source", title=f"Reviews of {data['state']}")
    for r in data["reviews"]:
        table.add_row(str(r["cycle"]), str(r["session"]), str(r["year"]),
                      f"{r['start_date']} to {r['end_date']} ({r['dates_status']})", r["status"],
                      r["source"] + (f"; {r['note']}" if r["note"] else ""))
    out.print(table)


def _print_calendar(data: dict) -> None:
    from rich.table import Table

    out = Console()
    for s in data["upcoming_sessions"]:
        out.print(f"[bold]WG {s['session']}[/bold] (cycle {s['cycle']}) {s['start_date']} to {s['end_date']} "
                  f"({s['dates_status']}): " + ", ".join(x["state"] for x in s["states"]))
    table = Table("date", "deadline", "session", "status", title="Due next")
    for d in data["due_next"]:
        table.add_row(d["date"], d["label"], str(d["session"]), d["status"])
    out.print(table)
