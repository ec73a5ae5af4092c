"""uprwatch search vs Datasette on the same recommendations, over HTTP on localhost, in one run.

    UPRWATCH_HOME=/tmp/uh python benchmarks/search_bench.py              # the database in UPRWATCH_HOME
    UPRWATCH_HOME=/tmp/uh-scale python benchmarks/search_bench.py --rows 300000   # grow it first (scale run)

It exports the recommendations from the uprwatch database into an SQLite file for Datasette (same
columns, an FTS5 table, issues and recommending states as JSON arrays), serves uprwatch with gunicorn
(one worker) and Datasette (its own server), runs a fixed list of real queries (text, facets,
combinations) against both, and prints one JSON object: p50/p95 per system, the p50 ratio, semantic
query timings and the uprwatch server's memory. Both systems return 20 rows plus facet counts;
uprwatch counts all 13 facets, Datasette the 5 it is asked for (with time limits raised so its
facets are complete too).

Since other work may share the machine, it also reports the uprwatch server's CPU time per request
(``*_server_cpu_ms``: the worker's on-CPU nanoseconds from ``/proc/<pid>/task/*/schedstat``, read
around each request), which load does not inflate the way it inflates wall time. On PostgreSQL
(``DATABASE_URL``, a server on this machine) that includes the database's own work for the request: the
worker connects under an application name of its own, and the CPU of PostgreSQL's processes serving it
is added (``DatabaseCpu``); ``database`` says which database was measured. ``uprwatch_first_pass``
times the warm-up pass (each text query's first run, before its full-text match is cached);
``semantic_first_request_ms`` is the first semantic request (loads the model and the vectors).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

# Running this file puts benchmarks/ first on sys.path, where other benchmarks' module names (calendar.py)
# would shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

# (words, filters): real questions users ask. Filters use names as both systems store them.
QUERIES: list[tuple[str, dict]] = [
    ("refugees", {}), ("non-refoulement", {"sur": "China"}), ("torture", {}), ("death penalty", {}),
    ("women", {"response": "noted"}), ("children", {}), ("freedom of expression", {}), ("journalists", {}),
    ("human rights defenders", {}), ("trafficking", {}), ("disabilities", {}), ("indigenous", {}),
    ("migrants", {"sur_group": "WEOG"}), ("torture", {"sur": "China"}), ("ratify", {"session": "17"}),
    ("education", {"cycle": "2"}), ("violence", {"response": "supported"}), ("police", {}),
    ("prison conditions", {}), ("minorities", {"sur_group": "EEG"}), ("discrimination", {}),
    ("corruption", {}), ("health", {}), ("poverty", {}), ("sexual orientation", {}), ("child labour", {}),
    ("civil society", {"sur": "Russian Federation"}), ("", {"sur": "China"}), ("", {"response": "noted"}),
    ("", {"session": "4"}), ("national human rights institution", {}), ("Rome Statute", {}),
    ("domestic violence", {"cycle": "1"}), ("", {}),
]
SEMANTIC_QUERIES = ["protect people fleeing persecution from being sent back", "abolish capital punishment",
                    "let journalists work freely", "stop violence against women", "free political prisoners"]
DATASETTE_FACETS = ["sur", "response", "session", "sur_group"]
RUNS = 5


def export_for_datasette(path: Path) -> int:
    """Write the recommendations into a plain SQLite file with an FTS5 table, as Datasette expects."""
    from uprwatch.records.models import Recommendation, State
    from uprwatch.search.results import recommendations_out

    groups = dict(State.objects.values_list("name", "regional_group"))
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE recommendations (id INTEGER PRIMARY KEY, text TEXT, sur TEXT, sur_group TEXT, by TEXT,"
        " session INTEGER, cycle INTEGER, year INTEGER, response TEXT, action INTEGER, issues TEXT)"
    )
    ids = list(Recommendation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        rows = recommendations_out(ids[start: start + 5000])
        db.executemany(
            "INSERT INTO recommendations VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(r["id"], r["text"], r["state_under_review"], groups.get(r["state_under_review"], ""),
              json.dumps(r["recommending_states"]), r["session"], r["cycle"], r["year"], r["response"],
              r["action_category"], json.dumps(r["issues"])) for r in rows],
        )
    for column in ("sur", "response", "session", "sur_group", "cycle"):
        db.execute(f"CREATE INDEX idx_{column} ON recommendations({column})")
    db.execute("CREATE VIRTUAL TABLE recommendations_fts USING fts5(text, content='recommendations',"
               " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO recommendations_fts(rowid, text) SELECT id, text FROM recommendations")
    db.commit()
    db.close()
    return len(ids)


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=30).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not start")


def timed(url: str, cpu: list[float] | None = None, pid: int | None = None,
          database: DatabaseCpu | None = None) -> float:
    """Wall milliseconds of one request; with ``pid``, appends the server's CPU milliseconds to ``cpu``
    (with ``database``, PostgreSQL's CPU for the request too)."""
    before = (cpu_ns(pid) + (database.ns() if database else 0)) if pid else 0
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        assert response.status == 200, url
    wall = (time.perf_counter() - start) * 1000
    if pid and cpu is not None:
        cpu.append((cpu_ns(pid) + (database.ns() if database else 0) - before) / 1e6)
    return wall


def cpu_ns(pid: int) -> int:
    """Nanoseconds a process (all its threads) has run on a CPU."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
            pass
    return total


class DatabaseCpu:
    """On-CPU nanoseconds of the PostgreSQL server processes serving one application name (``PGAPPNAME``
    of the processes measured), read from ``/proc``: the database's share of their work. Nothing without
    ``DATABASE_URL`` (SQLite runs inside the process) or when PostgreSQL runs on another machine."""

    def __init__(self, application: str) -> None:
        self.application = application
        self.seen: dict[int, int] = {}  # backend pid -> its CPU ns when last read
        url = os.environ.get("DATABASE_URL", "")
        self.connection = None
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)

    def environment(self, env: dict) -> dict:
        return dict(env, PGAPPNAME=self.application) if self.connection is not None else env

    def ns(self) -> int:
        """The current backends' CPU, plus what ended backends had used when last read (``sample``)."""
        if self.connection is None:
            return 0
        pids = [row[0] for row in self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.application]).fetchall()]
        for pid in pids:
            try:
                self.seen[pid] = cpu_ns(pid)
            except (FileNotFoundError, ProcessLookupError):  # ended meanwhile, or on another machine
                pass
        return sum(self.seen.values())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def worker_pid(pid: int) -> int:
    """gunicorn's one worker (the master only supervises)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    return pid


def uprwatch_url(base: str, q: str, filters: dict, **extra) -> str:
    params = {"limit": 20, **({"q": q} if q else {}), **filters, **extra}
    return f"{base}/api/recommendations?{urllib.parse.urlencode(params)}"


def datasette_url(base: str, q: str, filters: dict) -> str:
    params = [("_size", "20")] + ([("_search", q)] if q else []) + list(filters.items())
    params += [("_facet", f) for f in DATASETTE_FACETS] + [("_facet_array", "issues")]
    return f"{base}/bench/recommendations.json?{urllib.parse.urlencode(params)}"


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 2),
            "n": len(ordered)}


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total = max(total, int(line.split()[1]))
    return round(total / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=0, help="grow the database to this many rows first")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--datasette-port", type=int, default=8111)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--no-datasette", action="store_true", help="uprwatch only (the 300k scale run)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from rich.console import Console

    from uprwatch.search import steps

    console = Console(stderr=True)
    if args.rows:
        import importlib.util

        spec = importlib.util.spec_from_file_location("search_scale", Path(__file__).with_name("search_scale.py"))
        scale = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(scale)
        scale.grow(args.rows)
    steps.build_text_index(console)
    steps.build_vectors(console)
    folder = Path(tempfile.mkdtemp(prefix="search-bench-"))
    from uprwatch.records.models import Recommendation

    rows = export_for_datasette(folder / "bench.db") if not args.no_datasette else Recommendation.objects.count()
    bin_dir = Path(sys.executable).parent
    database = DatabaseCpu(f"uprwatch-search-bench-{args.port}")
    servers = [
        subprocess.Popen([str(bin_dir / "gunicorn"), "uprwatch.wsgi", "-w", "1", "-b", f"127.0.0.1:{args.port}",
                          "--timeout", "300"], env=database.environment(dict(os.environ)), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]
    if not args.no_datasette:
        servers.append(subprocess.Popen(
            [str(bin_dir / "datasette"), "serve", str(folder / "bench.db"), "-p", str(args.datasette_port),
             "--setting", "sql_time_limit_ms", "60000", "--setting", "facet_time_limit_ms", "60000",
             "--setting", "default_facet_size", "200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
    ours, theirs = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.datasette_port}"
    systems = {"uprwatch": lambda q, f: uprwatch_url(ours, q, f)}
    if not args.no_datasette:
        systems["datasette"] = lambda q, f: datasette_url(theirs, q, f)
    load_before = round(os.getloadavg()[0], 2)
    try:
        wait_for(f"{ours}/api/recommendations?limit=1", timeout=600)
        if not args.no_datasette:
            wait_for(f"{theirs}/bench/recommendations.json?_size=1")
        worker = worker_pid(servers[0].pid)
        first_pass: list[float] = []
        first_pass_cpu: list[float] = []
        for q, filters in QUERIES:  # warm both (first requests load caches and the catalog)
            for name, url in systems.items():
                if name == "uprwatch":
                    first_pass.append(timed(url(q, filters), first_pass_cpu, worker, database))
                else:
                    timed(url(q, filters))
        # the first semantic request loads the model and the vectors; warm with a query not measured below
        semantic_first = timed(uprwatch_url(ours, "warm up the sentence model", {}, mode="semantic"))
        times: dict[str, list[float]] = {name: [] for name in systems}
        cpu: dict[str, list[float]] = {"text": [], "semantic": [], "hybrid": []}
        for _ in range(args.runs):
            for q, filters in QUERIES:
                for name, url in systems.items():
                    if name == "uprwatch":
                        times[name].append(timed(url(q, filters), cpu["text"], worker, database))
                    else:
                        times[name].append(timed(url(q, filters)))
        semantic = [timed(uprwatch_url(ours, q, {}, mode="semantic"), cpu["semantic"], worker, database)
                    for q in SEMANTIC_QUERIES for _ in range(args.runs)]
        hybrid = [timed(uprwatch_url(ours, q, {}, mode="hybrid"), cpu["hybrid"], worker, database)
                  for q in SEMANTIC_QUERIES for _ in range(args.runs)]
        memory = rss_mb(servers[0].pid)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        database.close()
    from django.db import connection

    report = {
        "database": connection.vendor,
        "rows": rows,
        "queries": len(QUERIES),
        "runs_per_query": args.runs,
        **{name: percentiles(values) for name, values in times.items()},
        "uprwatch_first_pass": percentiles(first_pass),
        "first_pass_server_cpu_ms": percentiles(first_pass_cpu),
        "semantic": percentiles(semantic),
        "hybrid": percentiles(hybrid),
        "semantic_first_request_ms": round(semantic_first, 1),
        **{f"{kind}_server_cpu_ms": percentiles(values) for kind, values in cpu.items()},
        "uprwatch_server_rss_mb": memory,
        "load_average_1m": [load_before, round(os.getloadavg()[0], 2)],  # before and after the timed runs
    }
    if "datasette" in report:
        report["p50_ratio_datasette_over_uprwatch"] = round(
            report["datasette"]["p50_ms"] / report["uprwatch"]["p50_ms"], 2
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
