"""``uprwatch search`` and ``index``: faceted search from the shell (the filters come from search.filters)."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from uprwatch.cli import _django, console, echo_json, fail, main


def search_filter_options(command):
    """One repeatable ``--name`` option per search filter, from the one table (``search.filters.FILTERS``)."""
    from uprwatch.search.filters import FILTERS

    for spec in reversed(FILTERS):  # click lists options in the order they are written above a command
        command = click.option(f"--{spec.name.replace('_', '-')}", spec.name, multiple=True, help=spec.help)(command)
    return command


@main.command()
@click.argument("query", required=False, default="")
@search_filter_options
@click.option("--human-only", is_flag=True, help="Only recommendations with no machine label.")
@click.option("--mode", type=click.Choice(["auto", "text", "semantic", "hybrid"]), default="auto", show_default=True,
              help="auto: the words' matches, then the closest in meaning when fewer than 20 match.")
@click.option("--exact", is_flag=True, help="Turn stemming off (same as 'exact:' in the query).")
@click.option("--no-expand", is_flag=True,
              help="Search only the words typed: no other names of states and peoples, no synonyms.")
@click.option("--sort", type=click.Choice(["relevance", "session", "-session", "state"]), default="relevance",
              show_default=True)
@click.option("--limit", default=20, show_default=True, type=int, help="Rows shown (table, json).")
@click.option("--offset", default=0, show_default=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
              show_default=True, help="json: the API's object; csv/xlsx: every matching row.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file (needed for xlsx).")
def search(query: str, fmt: str, output: str | None, **options) -> None:
    """Search recommendations: words (AND), OR, -word, "phrases", prefix*, exact:. A state's other names, its
    people's name and synonyms are searched too (shown as "also searched"; --no-expand: only the words typed)."""
    _django()
    from uprwatch.search import exports
    from uprwatch.search.service import SearchParams, matching_ids
    from uprwatch.search.service import search as run_search

    values = {key: list(value) if isinstance(value, tuple) else value for key, value in options.items()}
    values.update(q=query, human_only="1" if values["human_only"] else "0", exact="1" if values["exact"] else "0",
                  expand="0" if values.pop("no_expand") else "1")
    values = {key: [str(v) for v in value] if isinstance(value, list) else str(value) for key, value in values.items()}
    if fmt == "xlsx" and not output:
        fail("--format xlsx needs --output PATH")
    params = SearchParams.from_querydict(values)
    try:
        if fmt in ("csv", "xlsx"):
            ids = matching_ids(params)
            if fmt == "xlsx":
                with open(output, "wb") as handle:
                    exports.write_xlsx(ids, handle)
                console.print(f"wrote {len(ids)} recommendations to {output}")
                return
            handle = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
            try:
                for chunk in exports.iter_csv(ids):
                    handle.write(chunk)
            finally:
                if output:
                    handle.close()
                    console.print(f"wrote {len(ids)} recommendations to {output}")
            return
        result = run_search(params)
        if fmt == "json" and output:
            with open(output, "w", encoding="utf-8") as handle:
                json.dump(result, handle, ensure_ascii=False, indent=2)
            return
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    if fmt == "json":
        echo_json(result)
        return
    from rich.table import Table

    out = Console()
    for expansion in result["expansions"]:
        out.print(f"also searched for {expansion['typed']!r} ({expansion['meaning']}): {', '.join(expansion['added'])}",
                  markup=False, highlight=False)
    if result["results"] and "mechanism" in result["results"][0]:  # --body: other mechanisms' records
        table = Table("id", "mechanism", "states", "symbol", "published", "text", title=result["count_label"])
        for row in result["results"]:
            table.add_row(str(row["id"]), row["mechanism"], ", ".join(row["states"]), row["symbol"],
                          row["published"] or "", row["text"])
        out.print(table)
        return
    table = Table("id", "State under Review", "by", "session", "response", "text", title=result["count_label"])
    for row in result["results"]:
        table.add_row(str(row["id"]), row["state_under_review"], ", ".join(row["recommending_states"]),
                      str(row["session"]), row["response"], row["text"])
    out.print(table)
    if result["related"]:
        related = Table("id", "State under Review", "by", "session", "response", "text",
                        title=f"closest {len(result['related'])} by meaning (not containing the words; not counted above)")
        for row in result["related"]:
            related.add_row(str(row["id"]), row["state_under_review"], ", ".join(row["recommending_states"]),
                            str(row["session"]), row["response"], row["text"])
        out.print(related)
    for suggestion in result["suggestions"]:
        out.print(f"try {suggestion['kind']}: {suggestion['q']!r} ({suggestion['count']:,} recommendations)",
                  markup=False, highlight=False)


@main.command()
@click.option("--text/--no-text", default=True, help="Rebuild the full-text index.")
@click.option("--vectors/--no-vectors", "with_vectors", default=True, help="Embed new or changed recommendations.")
def index(text: bool, with_vectors: bool) -> None:
    """Rebuild the search index and bring the recommendation vectors up to date."""
    _django()
    from uprwatch.search import steps

    if text:
        from uprwatch.sources.steps import build_mechanism_index

        steps.build_text_index(console, force=True)
        build_mechanism_index(console, force=True)
    if with_vectors:
        steps.build_vectors(console)
