"""``uprwatch profile``, ``pair``, ``firsts``, ``lineage`` and ``recurring``: the analysis of the records."""

from __future__ import annotations

import click
from rich.console import Console

from uprwatch.cli import _django, echo_json, json_option, main


def _analysis_state(name: str):
    from uprwatch.records.lookup import find_state

    return find_state(name)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@main.command()
@click.argument("state")
@json_option("Print the whole profile as one JSON object.")
def profile(state: str, as_json: bool) -> None:
    """A state's profile, as State under Review and as recommender."""
    _django()
    from rich.table import Table

    from uprwatch.analysis.profiles import state_profile

    data = state_profile(_analysis_state(state))
    if as_json:
        echo_json(data)
        return
    out = Console()
    received, made = data["as_reviewed"], data["as_recommender"]
    out.print(f"[bold]{data['state']['name']}[/bold]: {received['total']} recommendations received "
              f"(support rate {_rate(received['support_rate'])}), {made['total']} made")
    table = Table("cycle", "received", "supported", "noted", "support rate", title="As State under Review")
    for row in received["by_cycle"]:
        table.add_row(str(row["cycle"]), str(row["total"]), str(row["supported"]), str(row["noted"]), _rate(row["support_rate"]))
    out.print(table)
    for title, rows in (("Top recommending states", received["top_recommending_states"]), ("Top targets", made["top_targets"]),
                        ("Issues received", received["by_issue"][:10])):
        table = Table("name", "recommendations", "support rate", title=title)
        for row in rows[:10]:
            table.add_row(row.get("state") or row.get("issue"), str(row["total"]), _rate(row["support_rate"]))
        out.print(table)
    for c in data["cycle_comparison"]:
        out.print(f"cycle {c['from_cycle']} → {c['to_cycle']}: support rate {_rate(c['support_rate_before'])} → "
                  f"{_rate(c['support_rate_after'])}; new issues: {', '.join(i['issue'] for i in c['new_issues']) or '—'}; "
                  f"dropped: {', '.join(i['issue'] for i in c['dropped_issues']) or '—'}")


@main.command()
@click.argument("recommender")
@click.argument("reviewed")
@json_option()
def pair(recommender: str, reviewed: str, as_json: bool) -> None:
    """All recommendations from RECOMMENDER to REVIEWED across cycles, by issue and response."""
    _django()
    from uprwatch.analysis.profiles import pair_view
    from uprwatch.records.shapes import recommendation_out

    data = pair_view(_analysis_state(recommender), _analysis_state(reviewed))
    data["recommendations"] = [recommendation_out(rec) for rec in data["recommendations"]]
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['from']['name']} → {data['to']['name']}: {data['total']} recommendations, "
               f"{data['supported']} supported, {data['noted']} noted")
    for rec in data["recommendations"]:
        click.echo(f"  session {rec['session']} (cycle {rec['cycle']}) [{rec['response']}] {rec['text']}")


@main.command()
@click.argument("query")
@click.option("--sur", multiple=True, help="State under Review (repeat for several).")
@click.option("--by", "by", multiple=True, help="Recommending state (repeat for several).")
@json_option("Print one JSON object with `first` and `by_state`.")
def firsts(query: str, sur: tuple[str, ...], by: tuple[str, ...], as_json: bool) -> None:
    """Who raised it first: the earliest recommendation(s) matching QUERY (search syntax), and the
    first by each recommending state."""
    _django()
    from uprwatch.analysis.firsts import first_raised
    from uprwatch.search.service import SearchParams

    result = first_raised(SearchParams.from_querydict({"q": query, "sur": list(sur), "by": list(by)}))
    if as_json:
        echo_json(result)
        return
    if not result["matches"]:
        click.echo("No matching recommendation.")
        return
    click.echo(f"{result['matches']} matching recommendations. First:")
    for rec in result["first"]:
        click.echo(f"  session {rec['session']} (cycle {rec['cycle']}, {rec['year']}) by "
                   f"{', '.join(rec['recommending_states']) or 'unknown'} to {rec['state_under_review']} "
                   f"[{rec['response']}]: {rec['text']}")
    click.echo("First by each recommending state:")
    for name, rec in result["by_state"].items():
        click.echo(f"  {name}: session {rec['session']} ({rec['year']}) [{rec['response']}] #{rec['id']}")


@main.command()
@click.option("--force", is_flag=True, help="Recompute every state, even unchanged ones.")
@click.option("--link", nargs=2, type=int, metavar="LATER EARLIER",
              help="Record that recommendation LATER repeats EARLIER (a person's link; kept by recomputation).")
@click.option("--unlink", nargs=2, type=int, metavar="LATER EARLIER", help="Remove a link made with --link.")
def lineage(force: bool, link: tuple[int, int] | None, unlink: tuple[int, int] | None) -> None:
    """Compute lineage links (similar recommendations to the same state in earlier cycles)."""
    _django()
    from uprwatch.analysis.lineage import compute_lineage, confirm_link, remove_link

    if link:
        made = confirm_link(*link)
        echo_json({"recommendation": made.recommendation_id, "earlier": made.earlier_id, "origin": made.origin,
                   "lexical": made.lexical, "semantic": made.semantic, "score": made.score})
        return
    if unlink:
        echo_json({"recommendation": unlink[0], "earlier": unlink[1], "removed": remove_link(*unlink)})
        return
    echo_json(compute_lineage(force=force))


@main.command()
@click.argument("state")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option("Print a JSON list.")
def recurring(state: str, limit: int, as_json: bool) -> None:
    """Recommendations to STATE that repeat earlier-cycle ones (a signal of non-implementation)."""
    _django()
    from uprwatch.analysis.recurrence import recurring as recurring_rows
    from uprwatch.records.shapes import recommendation_out

    rows = recurring_rows(_analysis_state(state), limit=limit)
    if as_json:
        echo_json([{"recommendation": recommendation_out(r["recommendation"]), "times": r["times"],
                    "noted_before": r["noted_before"], "earlier": [recommendation_out(e) for e in r["earlier"]]}
                   for r in rows])
        return
    for row in rows:
        rec = row["recommendation"]
        click.echo(f"#{rec.pk} session {rec.review.session_id} [{rec.response}] raised {row['times']} times "
                   f"({row['noted_before']} earlier noted): {rec.text}")
