"""``uprwatch parse`` and ``ingest``: UN documents parsed, and loaded in one transaction."""

from __future__ import annotations

import click
from rich.console import Console

from uprwatch.cli import _django, echo_json, json_option, main

_STATE_HELP = ("The State under Review, for a document that does not name it (an OHCHR list without its "
               "title); a document that names another state is refused.")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "output", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--state", default=None, help=_STATE_HELP)
def parse(path: str, output: str, state: str | None) -> None:
    """Parse a UN document (WG report or its draft, responses addendum, OHCHR thematic list) without loading it."""
    _django()
    from uprwatch.calendar.derivation import states_in_session
    from uprwatch.documents.parsing import parse_document

    parsed = parse_document(path, state=state, session_states=states_in_session)
    if parsed.state_source and output != "json":
        click.echo(f"State under Review {parsed.state_under_review}: {parsed.state_source}", err=True)
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
@click.option("--state", default=None, help=_STATE_HELP)
def ingest(paths: tuple[str, ...], as_json: bool, state: str | None) -> None:
    """Parse documents and load them into the database in one transaction (idempotent)."""
    _django()
    from uprwatch.calendar.derivation import states_in_session
    from uprwatch.documents.extraction import DocumentError
    from uprwatch.documents.ingestion import ingest_paths
    from uprwatch.errors import nothing_written

    with nothing_written(DocumentError):
        report = ingest_paths(list(paths), state=state, session_states=states_in_session)
    if as_json:
        echo_json(report.to_json())
        return
    for doc in report.documents:
        click.echo(f"{doc.filename}: {doc.symbol} ({doc.kind}, {doc.review}): {doc.status}"
                   f" — added {doc.added}, updated {doc.updated}, merged {doc.merged}")
        if doc.state_source:
            click.echo(f"  State under Review: {doc.state_source}")
    click.echo(f"added {report.added}, updated {report.updated}, merged {report.merged}")
