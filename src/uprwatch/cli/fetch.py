"""``uprwatch fetch SYMBOL...``: UN documents by symbol, downloaded, checked, kept and ingested."""

from __future__ import annotations

import click

from uprwatch.cli import _django, echo_json, main


@main.command()
@click.argument("symbols", nargs=-1, required=True)
@click.option("--language", default="en", show_default=True, help="Language of the document (en, fr, es, ar, ru, zh).")
@click.option("--no-ingest", is_flag=True, help="Download and keep the files only; do not load them.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def fetch(symbols: tuple[str, ...], language: str, no_ingest: bool, as_json: bool) -> None:
    """Download UN documents by symbol (A/HRC/56/6, A/HRC/56/6/Add.1, A/HRC/WG.6/45/L.11, A/HRC/WG.6/45/CHN/3)
    from UPRWATCH_UN_DOCUMENTS_URL, keep them under UPRWATCH_HOME by sha256 and ingest them (one transaction)."""
    _django()
    from uprwatch.sources.un_documents import fetch_documents

    report = fetch_documents(list(symbols), language=language, ingest=not no_ingest)  # errors: "(database unchanged)"
    if as_json:
        echo_json(report.to_json())
        return
    for item in report.documents:
        details = ""
        if "added" in item.extra:
            details = f" — added {item.extra['added']}, updated {item.extra['updated']}, merged {item.extra['merged']}"
        where = f" ({item.extra['review']})" if item.extra.get("review") else ""
        click.echo(f"{item.symbol}: {item.format}, {item.size:,} bytes, {item.kind or 'document'}{where}: "
                   f"{item.status}{details}")
    if report.ingested:
        click.echo(f"added {report.added}, updated {report.updated}, merged {report.merged}")
