"""``uprwatch dump``, ``restore`` and ``report``: the database as a file, and documents from the data."""

from __future__ import annotations

import click

from uprwatch.cli import _django, console, main, output_option


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
def dump(path: str) -> None:
    """Write the whole database and its uploaded files to PATH (gzipped JSON Lines with checksums)."""
    _django()
    from uprwatch.reports.dump import dump_database

    summary = dump_database(path, progress=lambda label, n: console.print(f"{label}: {n:,} rows"))
    console.print(f"wrote {summary.rows:,} rows and {summary.files:,} uploaded files ({summary.file_bytes:,} bytes) "
                  f"to {summary.path} (sha256 {summary.sha256[:12]}…)")
    if summary.missing_files:
        # The backup is still written (the rows are worth keeping), but the person must know.
        click.echo(f"Warning: {len(summary.missing_files)} file(s) the database refers to are missing from the "
                   f"uploads folder and are not in the dump: {', '.join(summary.missing_files[:5])}", err=True)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--no-index", is_flag=True, help="Skip rebuilding the search index and vectors afterwards.")
def restore(path: str, no_index: bool) -> None:
    """Restore a dump made by `uprwatch dump` into an EMPTY database (one transaction), with its files."""
    _django()
    from uprwatch.errors import nothing_written
    from uprwatch.reports.dump import DERIVED_INIT_STEPS, DumpError, restore_database

    with nothing_written(DumpError):
        summary = restore_database(path, progress=lambda label, n: console.print(f"{label}: {n:,} rows"))
    console.print(f"restored {summary.rows:,} rows and {summary.files:,} uploaded files (checksums verified) "
                  f"from {summary.path}")
    if summary.missing_files:
        click.echo(f"Warning: {len(summary.missing_files)} file(s) were already missing when the dump was made: "
                   f"{', '.join(summary.missing_files[:5])}", err=True)
    if not no_index:
        # The search index and vectors live outside the model tables: rebuild them from the restored rows.
        from uprwatch.bootstrap import INIT_STEPS, InitOptions

        for name, step in INIT_STEPS:
            if name in DERIVED_INIT_STEPS:
                step(console, InitOptions())


@main.group()
def report() -> None:
    """Documents from the data: advocacy briefs and submission matrices."""


def _report_selection(sur, query, campaign, organisation):
    from uprwatch.reports.selection import Audience, select

    # The CLI runs as the server's admin: only published tracking data, unless --organisation.
    return select(sur, query=query or "", campaign=campaign, audience=Audience.for_organisation(organisation))


@report.command("brief")
@click.option("--sur", required=True, help="State under Review (any alias).")
@click.option("--query", "query", default="", help="Search query narrowing the recommendations.")
@click.option("--campaign", help="Campaign name or number.")
@click.option("--organisation", help="Also include this organisation's private tracking data.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True)
@output_option()
def report_brief(sur: str, query: str, campaign: str | None, organisation: str | None, fmt: str,
                 output: str) -> None:
    """Advocacy brief for a State under Review (and a query or a campaign)."""
    _django()
    from uprwatch.reports.brief import build_brief, render_brief_html, render_brief_pdf
    from uprwatch.reports.output import check_writable, write_bytes

    check_writable(output)
    selection = _report_selection(sur, query, campaign, organisation)
    data = build_brief(selection)
    content = render_brief_pdf(data) if fmt == "pdf" else render_brief_html(data).encode("utf-8")
    write_bytes(output, content)
    console.print(f"wrote the brief on {selection.title} ({len(selection.ids)} recommendations) to {output}")


@report.command("matrix")
@click.option("--campaign", help="Campaign name or number.")
@click.option("--sur", help="State under Review (any alias).")
@click.option("--query", "query", default="", help="Search query (used alone or to narrow the campaign).")
@click.option("--organisation", help="Also include this organisation's private tracking data.")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), default="docx", show_default=True)
@output_option()
def report_matrix(campaign: str | None, sur: str | None, query: str, organisation: str | None, fmt: str,
                  output: str) -> None:
    """Submission matrix (DOCX or XLSX) from a campaign, or from a State under Review and a query."""
    _django()
    from uprwatch.reports.matrix import FORMATS
    from uprwatch.reports.output import check_writable, write_bytes

    check_writable(output)
    selection = _report_selection(sur, query, campaign, organisation)
    write_bytes(output, FORMATS[fmt](selection))
    console.print(f"wrote the matrix of {len(selection.ids)} recommendations ({selection.title}) to {output}")


@report.command("profile")
@click.option("--state", required=True, help="State (any alias).")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--table", help="For CSV: which table of the profile (e.g. received-by-issue).")
@output_option()
def report_profile(state: str, fmt: str, table: str | None, output: str) -> None:
    """A state's profile figures as JSON, XLSX (a sheet per table) or one CSV table."""
    _django()
    from uprwatch.reports.output import check_writable, write_bytes
    from uprwatch.reports.profile_export import profile_export

    check_writable(output)
    _name, content = profile_export(state, fmt, table)
    write_bytes(output, content)
    console.print(f"wrote the profile of {state} to {output}")
