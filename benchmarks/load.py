"""Load benchmark: ≥ 50 concurrent clients for 60 s against ``uprwatch serve --production`` on localhost.

Pages: search, a state's profile, a recommendation and the calendar, in random order; a share
``--exports F`` of the requests (default 0.1; 0 for pages only) are expensive anonymous downloads instead
(search exports in CSV/JSON/XLSX, a submission matrix, an HTML brief). Each client has its own address (127.0.0.N), as real visitors do, so
the per-client CPU budget for those downloads applies per client: a 429 from it is the designed answer
and is counted as ``limited``, not as an error. Each client is a
person: it reads a page for ``--think`` seconds on average (uniform 0.5×–1.5×, as locust's ``between``) before
the next; ``--think 0`` makes every client fire back-to-back, which measures saturation instead (latency is
then simply clients ÷ throughput). Prints one JSON object: requests, errors, 429s, requests per second,
p50/p95 (ms) per page kind, the load average of the machine before and after the run (the figures mean
little on a busy machine), and the server's CPU: in total (its processes, from /proc) and per kind (from
the ``Server-Timing`` header the server sends with ``UPRWATCH_SERVER_TIMING=1``: CPU p50/p95, and the p95
of the time Django held the request, without the queue before a worker took it). A streamed export's
body is built after that header is sent: its CPU is in the total only.

    .venv/bin/python benchmarks/load.py                      # the target run: 50 clients, pages + exports
    .venv/bin/python benchmarks/load.py --clients 10 --duration 20   # a shorter look on a shared machine
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/load.py --database postgres
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000   # an already running server

Targets on 2 cores: 0 errors and p95 ≤ 300 ms per page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

SEARCHES = ["torture", "death penalty", "women", "freedom of expression", "children", "refugees", "torture sur:China",
            "ratify", "domestic violence", "human rights defenders"]
STATES = ["china", "united-states-of-america", "france", "brazil", "nigeria", "india", "cuba", "egypt", "norway",
          "indonesia", "south-africa", "mexico"]
CALENDAR = ["/calendar/", "/calendar/?state=China", "/calendar/?state=France"]


PAGES = ("search", "profile", "recommendation", "calendar")


def page_urls(recommendation_ids: list[int]) -> dict[str, callable]:
    return {
        "search": lambda: "/search/?q=" + httpx.QueryParams({"q": random.choice(SEARCHES)})["q"].replace(" ", "+"),
        "profile": lambda: f"/states/{random.choice(STATES)}/",
        "recommendation": lambda: f"/recommendations/{random.choice(recommendation_ids)}/",
        "calendar": lambda: random.choice(CALENDAR),
    }


def export_urls() -> dict[str, callable]:
    def query() -> str:
        return str(httpx.QueryParams({"q": random.choice(SEARCHES)}))

    # State and query pairs that match recommendations (an empty selection is a 404, not a load figure).
    selections = ["sur=China&q=torture", "sur=China&q=death+penalty", "sur=Cuba&q=torture", "sur=Cuba&q=women",
                  "sur=France&q=women", "sur=France&q=children"]
    return {
        "export": lambda: f"/search/export.{random.choice(['csv', 'json', 'xlsx'])}?{query()}",
        "matrix": lambda: f"/reports/matrix/?{random.choice(selections)}&format=xlsx",
        "brief": lambda: f"/reports/brief/?{random.choice(selections)}&format=html",
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run_clients(base_url: str, clients: int, duration: float, pages: dict, think: float = 0.0,
                      exports: dict | None = None, export_share: float = 0.0) -> dict:
    kinds = {**pages, **(exports or {})}
    latencies: dict[str, list[float]] = {name: [] for name in kinds}
    server_cpu: dict[str, list[float]] = {name: [] for name in kinds}
    server_wall: dict[str, list[float]] = {name: [] for name in kinds}
    errors: dict[str, int] = dict.fromkeys(kinds, 0)
    limited: dict[str, int] = dict.fromkeys(kinds, 0)
    samples: dict[str, str] = {}
    deadline = time.monotonic() + duration

    async def one_client(number: int) -> None:
        # its own source address, as a real visitor has: budgets and caches are per client
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + number // 250}.{1 + number % 250}")
        async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=60) as client:
            while time.monotonic() < deadline:
                pool = exports if exports and random.random() < export_share else pages
                name = random.choice(list(pool))
                url = pool[name]()
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    ok = response.status_code == 200
                    timing = dict(part.strip().split(";dur=") for part in
                                  response.headers.get("Server-Timing", "").split(",") if ";dur=" in part)
                    if "cpu" in timing:
                        server_cpu[name].append(float(timing["cpu"]))
                        server_wall[name].append(float(timing["total"]))
                    if response.status_code == 429 and name in (exports or {}):
                        limited[name] += 1
                        ok = True
                    elif not ok:
                        samples.setdefault(name, f"HTTP {response.status_code} for {url}")
                except httpx.HTTPError as exc:
                    ok = False
                    samples.setdefault(name, f"{type(exc).__name__} for {url}")
                latencies[name].append((time.perf_counter() - started) * 1000)
                errors[name] += not ok
                if think:
                    await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))

    await asyncio.gather(*(one_client(number) for number in range(clients)))
    total = sum(len(v) for v in latencies.values())
    page_latencies = [value for name in pages for value in latencies[name]]
    return {
        "requests": total,
        "errors": sum(errors.values()),
        "limited_429": sum(limited.values()),
        "requests_per_s": round(total / duration, 1),
        "pages_p95_ms": round(percentile(page_latencies, 95), 1),
        "pages": {
            name: {
                "requests": len(values),
                "errors": errors[name],
                "limited_429": limited[name],
                "p50_ms": round(statistics.median(values), 1) if values else None,
                "p95_ms": round(percentile(values, 95), 1),
                "server_cpu_p50_ms": round(statistics.median(server_cpu[name]), 1) if server_cpu[name] else None,
                "server_cpu_p95_ms": round(percentile(server_cpu[name], 95), 1) if server_cpu[name] else None,
                # from the request reaching Django to the answer: the client's figure minus the queues
                "server_p95_ms": round(percentile(server_wall[name], 95), 1) if server_wall[name] else None,
                "first_error": samples.get(name),
            }
            for name, values in latencies.items()
        },
    }


async def warm_up(base_url: str, rounds: int = 20) -> int:
    """Measure the steady state: every worker loads its caches (search catalog, model, vectors, profile
    arrays) in the background as it starts; send rounds of requests (many at once reach every worker)
    until a whole round answers within 300 ms, at most ``rounds`` times. Returns the rounds used."""
    async with httpx.AsyncClient(base_url=base_url, timeout=300) as client:
        for done in range(1, rounds + 1):
            started = time.perf_counter()
            await asyncio.gather(*(client.get(url) for url in ("/search/?q=torture", "/states/china/",
                                                                "/calendar/", "/recommendations/1/") * 4))
            if time.perf_counter() - started < 0.3:
                return done
            await asyncio.sleep(1)
    return rounds


def process_cpu_seconds(session: int) -> float:
    """CPU seconds (user + system) of every live process in ``session`` (the server: gunicorn's master and
    workers), from /proc; 0.0 where /proc is not there."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[3]) == session:  # field 6 of stat: the session id (the fields after "pid (comm)")
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def recommendation_ids(base_url: str, count: int = 500) -> list[int]:
    """Ids that exist, found through the API (ids depend on load order and database)."""
    ids: list[int] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for state in STATES[:5]:
            page = client.get(f"/states/{state}/").text
            ids += [int(part.split("/")[0]) for part in page.split('href="/recommendations/')[1:]]
    return sorted(set(ids))[:count] or list(range(1, 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: uprwatch's)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a client reads a page before the next (0: back-to-back)")
    parser.add_argument("--exports", type=float, default=0.1,
                        help="share of requests that are exports, matrices or briefs (0: pages only)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", help="benchmark a running server instead of starting one")
    args = parser.parse_args()

    from browser_support import Server, copy_home, run_uprwatch

    server = None
    load_at_start = os.getloadavg()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in load_at_start)} on {os.cpu_count()} CPUs",
          file=sys.stderr)
    if args.url:
        base_url = args.url.rstrip("/")
    else:
        home = Path(tempfile.mkdtemp(prefix="uprwatch-load-")) / "home"
        env: dict[str, str] = {"UPRWATCH_SERVER_TIMING": "1"}
        if args.database == "postgres":
            if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
                sys.exit("Error: --database postgres needs DATABASE_URL=postgres://...")
            home.mkdir(parents=True)
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
            run_uprwatch(home, "init", timeout=3600, **env)
        else:
            copy_home(home)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")  # default_workers reads a setting
        from uprwatch.web.production import default_workers

        workers = args.workers or default_workers()  # what `uprwatch serve --production` starts
        server = Server(home, workers=workers, **env)
        server.start(timeout=900)  # every worker warms up at once: minutes on a busy machine
        base_url = server.url
    try:
        pages = page_urls(recommendation_ids(base_url))
        warm_up_rounds = asyncio.run(warm_up(base_url))
        load_before = os.getloadavg()
        cpu_before = process_cpu_seconds(server.process.pid) if server else 0.0
        figures = asyncio.run(run_clients(base_url, args.clients, args.duration, pages, args.think,
                                          export_urls() if args.exports else None, args.exports))
        load_after = os.getloadavg()
        server_cpu_s = process_cpu_seconds(server.process.pid) - cpu_before if server else None
    finally:
        if server is not None:
            server.stop()
    print(json.dumps({"database": args.database, "clients": args.clients, "think_s": args.think,
                      "duration_s": args.duration, "warm_up_rounds": warm_up_rounds, "export_share": args.exports,
                      "cpus": os.cpu_count(), "workers": workers if server else None,
                      "load_average_at_start": [round(x, 2) for x in load_at_start],
                      "load_average_before": [round(x, 2) for x in load_before],
                      "load_average_after": [round(x, 2) for x in load_after],
                      "server_cpu_s": round(server_cpu_s, 1) if server_cpu_s is not None else None,
                      "server_cpu_share": (round(server_cpu_s / args.duration / (os.cpu_count() or 1), 2)
                                           if server_cpu_s is not None else None),
                      **figures}, indent=2))


if __name__ == "__main__":
    main()
