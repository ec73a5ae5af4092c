"""``uprwatch parse`` and ``ingest``: UN documents parsed, and loaded in one transaction."""

from __future__ import annotations

import click
from rich.console import Console

from uprwatch.cli import _django, echo_json, json_option, main


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "output", type=click.Choice(["json", "table"]), default="json", show_default=True)
def parse(path: str, output: str) -> None:
    """Parse a UN document (WG report, responses addendum, OHCHR thematic list) without loading it."""
    _django()
    from uprwatch.documents.parsing import parse_document

    parsed = parse_document(path)
    if output == "json":
        echo_json(parsed.to_json())
        return
    from rich.table import Table

    table = Table("paragraph", "recommending states", "response", "text",
                  title=f"{parsed.symbol} ({parsed.kind}) {parsed.state_under_review} session {parsed.session}")
    for rec in parsed.recommendations:
        table.add_row(rec.paragraph, ", ".join(rec.recommending_states), rec.response or "", rec.text[:120])
    Console().print(table)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option("Print the report as one JSON object.")
def ingest(paths: tuple[str, ...], as_json: bool) -> None:
    """Parse documents and load them into the database in one transaction (idempotent)."""
    _django()
    from uprwatch.documents.extraction import DocumentError
    from uprwatch.documents.ingestion import ingest_paths
    from uprwatch.errors import nothing_written

    with nothing_written(DocumentError):
        report = ingest_paths(list(paths))
    if as_json:
        echo_json(report.to_json())
        return
    for doc in report.documents:
        click.echo(f"{doc.filename}: {doc.symbol} ({doc.kind}, {doc.review}): {doc.status}"
                   f" — added {doc.added}, updated {doc.updated}, merged {doc.merged}")
    click.echo(f"added {report.added}, updated {report.updated}, merged {report.merged}")
