"""The ``uprwatch`` command line: thin click commands over the service functions.

Django is configured lazily (``_django()``) so ``uprwatch --help`` is instant. Errors that a user
can cause end with a message on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys

import click
from rich.console import Console

console = Console(stderr=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()


def fail(message: str, code: int = 1) -> None:
    """Print a clear error and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def database_problem(exc: BaseException) -> str | None:
    """A message for a database that is missing its tables or cannot be opened, else None.

    Every command but ``init``/``restore`` needs the schema; without it Django raises deep inside a
    service with "no such table" (SQLite) or "relation ... does not exist" (PostgreSQL).
    """
    kind = type(exc)
    if not kind.__module__.startswith("django.db") or kind.__name__ not in ("OperationalError", "ProgrammingError"):
        return None
    detail = (str(exc).strip().splitlines() or [""])[0]
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database has no uprwatch tables yet: run `uprwatch init` first ({detail})"
    if any(s in detail for s in ("could not connect", "Connection refused", "unable to open database file",
                                 "password authentication failed", "does not exist")):
        return f"cannot open the database: {detail}"
    return None


class _Main(click.Group):
    """The command group, and the CLI's one translation of errors: a user error (``uprwatch.errors``)
    or a database that is not there ends in ``Error: message`` on stderr and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        from uprwatch.errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            fail(str(exc))
        except Exception as exc:
            if (message := database_problem(exc)) is None:
                raise
            fail(message)


# Commands that make a database (or need none): every other one refuses to open a SQLite file that is not
# there, since opening it would silently create a second, empty database beside the one `make run` serves.
CREATES_OR_NEEDS_NO_DATABASE = {"init", "restore", "parse", "check"}


def missing_database() -> str | None:
    """A message when the SQLite database of the home in use does not exist yet, else None."""
    from django.conf import settings

    # Already configured: called from Python (tests, a host program) with a database of its choosing.
    if os.environ.get("DATABASE_URL") or settings.configured:
        return None
    from uprwatch.home import DATABASE_NAME, describe_home, uprwatch_home

    home = uprwatch_home()
    if (home / DATABASE_NAME).is_file():
        return None
    return (
        f"there is no uprwatch database in {describe_home(home)}. If `make run` made your database, run this "
        "command from the project folder or set UPRWATCH_HOME to its var folder (e.g. "
        "UPRWATCH_HOME=/path/to/uprwatch/var); to make a new database here, run `uprwatch init` first."
    )


@click.group(cls=_Main)
@click.version_option(package_name="uprwatch")
def main() -> None:
    """uprwatch: the UN Universal Periodic Review as structured, searchable, trackable data."""
    ctx = click.get_current_context()
    asking_for_help = any(arg in ("--help", "-h") for arg in sys.argv[1:])
    if ctx.invoked_subcommand not in CREATES_OR_NEEDS_NO_DATABASE and not asking_for_help:
        if (message := missing_database()) is not None:
            fail(message)


@main.command()
@click.option("--recommendations", type=click.Path(dir_okay=False), help="UPR Info CSV export (or bundle) to load instead of the shipped one.")
@click.option("--pledges", type=click.Path(dir_okay=False), help="UPR Info pledges CSV export (or bundle).")
def init(recommendations: str | None, pledges: str | None) -> None:
    """Create the database and load the bundled data (idempotent)."""
    from uprwatch.home import DATABASE_NAME, describe_home, uprwatch_home

    if not os.environ.get("DATABASE_URL"):
        # Never a silent second database: say which one this is, new or not.
        home = uprwatch_home()
        state = "existing database" if (home / DATABASE_NAME).is_file() else "creating a new database"
        console.print(f"{state} in {describe_home(home)}")
    _django()
    from uprwatch.bootstrap import InitOptions, run_init
    from uprwatch.errors import nothing_written
    from uprwatch.records.upr_info import DataFileError

    with nothing_written(DataFileError):
        run_init(console, InitOptions(recommendations=recommendations, pledges=pledges))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--production", is_flag=True, help="Serve with gunicorn and whitenoise (for a shared server).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="gunicorn worker processes (--production; default 2×CPUs+1).")
@click.option("--threads", type=click.IntRange(min=1), default=4, show_default=True, help="Threads per worker (--production).")
def serve(host: str, port: int, production: bool, workers: int | None, threads: int) -> None:
    """Serve the web UI and API."""
    _django()
    if production:
        _serve_production(host, port, workers, threads)
        return
    from django.core.management import CommandError, call_command

    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    except CommandError as exc:  # an address runserver cannot parse: its message, not a traceback
        fail(str(exc))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats(as_json: bool) -> None:
    """What the database holds."""
    _django()
    from uprwatch.records.stats import dataset_stats

    figures = dataset_stats()
    if as_json:
        echo_json(figures)
        return
    from rich.table import Table

    table = Table("figure", "value")
    for key, value in figures.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    Console().print(table)

# --- deploy commands (owner: the deploy feature) ---


@main.command()
@click.option("--deploy", is_flag=True, help="Also check what a shared server needs (secret key, HTTPS, hosts, e-mail).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check(deploy: bool, as_json: bool) -> None:
    """Report misconfiguration: Django's system checks plus uprwatch's (exit 1 when something is wrong)."""
    _django()
    from uprwatch.web.production import failing, run_checks

    findings = run_checks(deploy)
    problems = failing(findings, deploy)
    if as_json:
        echo_json({"ok": not problems, "deploy": deploy, "findings": [f.as_dict() for f in findings]})
    else:
        for finding in findings:
            click.echo(f"{finding.level.upper()} {finding.id}: {finding.message}", err=True)
            if finding.hint:
                click.echo(f"    hint: {finding.hint}", err=True)
    if problems:
        fail(f"{len(problems)} problem(s) found" + (" (warnings count for --deploy)" if deploy else ""))
    if not as_json:
        click.echo("No problems found." + (" Ready for a shared server." if deploy else ""))


def _serve_production(host: str, port: int, workers: int | None, threads: int) -> None:
    from django.conf import settings

    from uprwatch.web import production

    if settings.DEBUG:
        fail("UPRWATCH_DEBUG=1: debug pages must never be served in production; unset it.")
    pending = production.pending_migrations()
    if pending:
        fail(f"{len(pending)} migration(s) not applied ({', '.join(pending[:3])}...): run `uprwatch init` first.")
    findings = production.failing(production.run_checks(deploy=True), deploy=True)
    if findings:
        console.print(f"[yellow]not ready for a shared server[/] ({', '.join(f.id for f in findings)}): "
                      "see `uprwatch check --deploy`")
    production.collect_static()
    command = production.gunicorn_command(host, port, workers or production.default_workers(), threads)
    console.print(f"serving on http://{host}:{port}/ with gunicorn ({command[command.index('--workers') + 1]} workers)")
    sys.stdout.flush()
    sys.stderr.flush()
    # exec: gunicorn becomes this process, so a service manager's signals reach it directly.
    os.execve(sys.executable, command, production.production_environment())

# --- end deploy commands ---

# --- search commands (owner: the search feature) ---
@main.command()
@click.argument("query", required=False, default="")
@click.option("--sur", multiple=True, help="State under Review (any alias; repeat to OR).")
@click.option("--by", multiple=True, help="Recommending state (any alias; repeat to OR).")
@click.option("--sur-group", multiple=True, help="Regional group of the State under Review.")
@click.option("--by-group", multiple=True, help="Regional group of the recommending state.")
@click.option("--sur-bloc", multiple=True, help="Organisation of the State under Review (EU, OIC, ...).")
@click.option("--by-bloc", multiple=True, help="Organisation of the recommending state.")
@click.option("--cycle", multiple=True, help="UPR cycle (1-4).")
@click.option("--session", multiple=True, help="Working Group session number.")
@click.option("--year", multiple=True, help="Year of the session.")
@click.option("--response", multiple=True, help="supported, noted, partially supported, pending, unknown.")
@click.option("--action", multiple=True, help="Action category (1-5).")
@click.option("--issue", multiple=True, help="UPR Info issue name.")
@click.option("--theme", multiple=True, help="OHCHR theme (code or name).")
@click.option("--sdg", multiple=True, help="SDG target (16.2) or goal (SDG 16), as a source labelled it.")
@click.option("--body", multiple=True, help="UN mechanism: UPR (the default), a committee (CAT, CRC, ...), "
              "'special procedures' or a mechanism's name.")
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
    """Search recommendations: words (AND), OR, -word, "phrases", prefix*, exact:."""
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
        steps.build_text_index(console, force=True)
    if with_vectors:
        steps.build_vectors(console)
# --- end search commands ---

# --- documents commands (owner: the documents feature) ---
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
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
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


# --- end documents commands ---

# --- classify commands (owner: the classify feature) ---
@main.group()
def classify() -> None:
    """Action categories and issues: train, label, evaluate."""


@classify.command("train")
@click.option("--force", is_flag=True, help="Retrain even if the saved model saw the same data.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def classify_train(force: bool, as_json: bool) -> None:
    """Train the classifiers on every human label (deterministic; skipped if nothing changed)."""
    _django()
    from uprwatch.classify import service

    summary = service.train_model(force=force)
    if as_json:
        echo_json(summary)
    else:
        console.print(f"model {summary['model_version']}: " + ("trained" if summary["trained"] else
                      "already up to date") + f" on {summary['trained_on']:,} recommendations")


@classify.command("run")
@click.option("--force", is_flag=True, help="Relabel even recommendations the current model has labelled.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def classify_run(force: bool, as_json: bool) -> None:
    """Label every recommendation lacking human labels (machine labels, with confidence)."""
    _django()
    from uprwatch.classify import service

    summary = service.run_labelling(force=force)
    if as_json:
        echo_json(summary)
    else:
        console.print(f"{summary['candidates']:,} recommendations lack human labels; labelled "
                      f"{summary['labelled']:,} ({summary['labels']:,} issue labels, {summary['actions']:,} "
                      f"action categories) with model {summary['model_version']}")


@classify.command("evaluate")
@click.option("--train-sessions", required=True, help="Sessions to train on, e.g. 1-16.")
@click.option("--test-sessions", required=True, help="Sessions to test on, e.g. 17-20.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def classify_evaluate(train_sessions: str, test_sessions: str, as_json: bool) -> None:
    """Train on some sessions, test on others; model and keyword baseline figures."""
    _django()
    from uprwatch.classify import service

    figures = service.evaluate_split(train_sessions, test_sessions)
    if as_json:
        echo_json(figures)
        return
    from uprwatch.classify.report import print_evaluation

    print_evaluation(Console(), figures)
# --- end classify commands ---

# --- analysis commands (owner: the analysis feature) ---
def _analysis_state(name: str):
    from uprwatch.records.lookup import find_state

    return find_state(name)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@main.command()
@click.argument("state")
@click.option("--json", "as_json", is_flag=True, help="Print the whole profile as one JSON object.")
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with `first` and `by_state`.")
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
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
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
# --- end analysis commands ---

# --- calendar commands (owner: the calendar feature) ---
@main.command("calendar")
@click.option("--state", "state_name", metavar="NAME", help="One state's reviews in cycles 1-5 with deadlines.")
@click.option("--days", default=120, show_default=True, type=click.IntRange(0, 3650),
              help="Without --state: how far ahead to list what is due.")
@click.option("--check", is_flag=True, help="Compare derived sessions 24-26 with the published lists of 52-54, and "
              "every session date held with the evidence table (disagreements, dates off the usual pattern).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
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


# --- end calendar commands ---

# --- tracking commands (owner: the tracking feature) ---
@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.argument("username")
@click.option("--email", default="", help="Address for alerts and password resets.")
@click.option("--password", help="Password (default: read from stdin, or prompted).")
@click.option("--staff", is_flag=True, help="May use the Django admin.")
def users_create(username: str, email: str, password: str | None, staff: bool) -> None:
    """Create a user account."""
    _django()
    from uprwatch.tracking import organisations

    if password is None:
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
    user = organisations.create_user(username, email, password, staff=staff)
    click.echo(f"created user {user.username}")


@main.group()
def orgs() -> None:
    """Manage organisations, coalitions and memberships."""


@orgs.command("create")
@click.argument("name")
@click.option("--coalition", help="Slug of the coalition this organisation belongs to.")
@click.option("--admin", "admin_username", help="User who becomes the organisation's first admin.")
def orgs_create(name: str, coalition: str | None, admin_username: str | None) -> None:
    """Create an organisation (or a coalition)."""
    _django()
    from uprwatch.tracking import organisations

    parent = organisations.get_organisation(coalition) if coalition else None
    admin = organisations.get_user(admin_username) if admin_username else None
    org = organisations.create_organisation(name, coalition=parent, admin=admin)
    click.echo(f"created organisation {org.name} ({org.slug})")


@orgs.command("add-member")
@click.argument("organisation")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "contributor", "editor", "admin"]), default="viewer", show_default=True)
def orgs_add_member(organisation: str, username: str, role: str) -> None:
    """Give USERNAME a ROLE in ORGANISATION (slug or name); changes the role of a member."""
    _django()
    from uprwatch.tracking import organisations

    org = organisations.get_organisation(organisation)
    organisations.set_membership(org, organisations.get_user(username), role)
    click.echo(f"{username} is {role} of {org.name}")


@orgs.command("remove-member")
@click.argument("organisation")
@click.argument("username")
def orgs_remove_member(organisation: str, username: str) -> None:
    """Remove USERNAME from ORGANISATION."""
    _django()
    from uprwatch.tracking import organisations

    org = organisations.get_organisation(organisation)
    organisations.remove_membership(org, organisations.get_user(username))
    click.echo(f"{username} removed from {org.name}")


@orgs.command("list")
@click.option("--json", "as_json", is_flag=True)
def orgs_list(as_json: bool) -> None:
    """Organisations and their members."""
    _django()
    from uprwatch.tracking.models import Organisation

    data = [
        {"slug": o.slug, "name": o.name, "coalition": o.coalition.slug if o.coalition else None,
         "members": {m.user.username: m.role for m in o.memberships.select_related("user")}}
        for o in Organisation.objects.select_related("coalition")
    ]
    if as_json:
        echo_json(data)
        return
    for org in data:
        members = ", ".join(f"{u} ({r})" for u, r in org["members"].items()) or "no members"
        click.echo(f"{org['slug']}: {org['name']} — {members}")


@orgs.command("audit")
@click.argument("organisation")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def orgs_audit(organisation: str, fmt: str) -> None:
    """Export ORGANISATION's audit log (oldest first) to stdout."""
    _django()
    from uprwatch.tracking import audit, organisations

    click.echo(audit.export(organisations.get_organisation(organisation), fmt), nl=False)


@main.group()
def tokens() -> None:
    """API tokens (Authorization: Bearer <token>)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def tokens_create(username: str, name: str) -> None:
    """Create a token for USERNAME and print it (it is shown only once)."""
    _django()
    from uprwatch.tracking import organisations

    _, key = organisations.create_token(organisations.get_user(username), name)
    click.echo(key)


@tokens.command("revoke")
@click.argument("token")
def tokens_revoke(token: str) -> None:
    """Revoke a token (the token, its 8-character prefix, or its id)."""
    _django()
    from uprwatch.tracking import organisations

    revoked = organisations.revoke_token(token)
    click.echo(f"revoked token {revoked.prefix}… of {revoked.user.username}")


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True)
def tokens_list(as_json: bool) -> None:
    """Tokens (prefixes only; secrets are never stored)."""
    _django()
    from uprwatch.tracking.models import ApiToken

    data = [{"id": t.pk, "user": t.user.username, "prefix": t.prefix, "name": t.name, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
            for t in ApiToken.objects.select_related("user").order_by("id")]
    if as_json:
        echo_json(data)
        return
    for t in data:
        click.echo(f"{t['id']}\t{t['user']}\tupr_{t['prefix']}…\t{t['name']}\t{'revoked' if t['revoked_at'] else 'active'}")


@main.group()
def jobs() -> None:
    """The background job queue (alerts). Run `uprwatch jobs run` from cron; no extra server."""


@jobs.command("run")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0, 100_000),
              help="Most queued jobs to process in this run.")
@click.option("--no-deadlines", is_flag=True, help="Skip the deadline check.")
@click.option("--kind", "kinds", multiple=True, help="Only jobs of this kind (repeat; e.g. source_sync, watchlist_match).")
@click.option("--json", "as_json", is_flag=True)
def jobs_run(limit: int, no_deadlines: bool, kinds: tuple[str, ...], as_json: bool) -> None:
    """Process queued jobs (campaign matches), check deadlines, send notifications and email."""
    _django()
    from contextlib import redirect_stdout

    from uprwatch.tracking.alerts import run_jobs

    # Django's console email backend writes to stdout: keep stdout for the figures.
    with redirect_stdout(sys.stderr):
        figures = run_jobs(limit, deadlines=not no_deadlines, kinds=kinds or None)
    if as_json:
        echo_json(figures)
    else:
        click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in figures.items()))
    if figures["jobs_failed"]:
        sys.exit(1)
# --- end tracking commands ---

# --- reports commands (owner: the reports feature) ---
@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
def dump(path: str) -> None:
    """Write the whole database to PATH (gzipped JSON Lines with a checksum)."""
    _django()
    from uprwatch.reports.dump import dump_database

    summary = dump_database(path, progress=lambda label, n: console.print(f"{label}: {n:,} rows"))
    console.print(f"wrote {summary.rows:,} rows to {summary.path} (sha256 {summary.sha256[:12]}…)")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--no-index", is_flag=True, help="Skip rebuilding the search index and vectors afterwards.")
def restore(path: str, no_index: bool) -> None:
    """Restore a dump made by `uprwatch dump` into an EMPTY database (one transaction)."""
    _django()
    from uprwatch.errors import nothing_written
    from uprwatch.reports.dump import DERIVED_INIT_STEPS, DumpError, restore_database

    with nothing_written(DumpError):
        summary = restore_database(path, progress=lambda label, n: console.print(f"{label}: {n:,} rows"))
    console.print(f"restored {summary.rows:,} rows from {summary.path}")
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
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
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
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
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
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
def report_profile(state: str, fmt: str, table: str | None, output: str) -> None:
    """A state's profile figures as JSON, XLSX (a sheet per table) or one CSV table."""
    _django()
    from uprwatch.reports.output import check_writable, write_bytes
    from uprwatch.reports.profile_export import profile_export

    check_writable(output)
    _name, content = profile_export(state, fmt, table)
    write_bytes(output, content)
    console.print(f"wrote the profile of {state} to {output}")

# --- end reports commands ---

# Features' command modules register themselves on ``main`` (or on a group) when imported.
from uprwatch.cli import fetch, sources, upr_info  # noqa: E402, F401

if __name__ == "__main__":
    main()

# Commands of features that live in modules of their own register themselves on `main` when imported.
from uprwatch.cli import assistant as _assistant  # noqa: E402, F401
