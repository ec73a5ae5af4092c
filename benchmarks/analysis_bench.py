"""Speed of the analysis feature: profile page, firsts, lineage for the whole corpus. Prints one JSON object.

    UPRWATCH_HOME=/tmp/uh-analysis-scale python benchmarks/analysis_bench.py --rows 300000

``--rows`` first grows the database to that many recommendations with the search benchmark's
``search_scale.grow`` (perturbed copies of the real rows; each copy keeps its State under Review,
recommending states and labels), then rebuilds the full-text index. Targets (issue 6): profile page
p95 <= 200 ms and firsts <= 100 ms on 300,000 rows; lineage for the whole corpus <= 10 minutes on 2 cores.
Profile pages are requested in-process through Django's test client (template rendering included,
no network); firsts are timed after the search catalog is loaded (its one-off build is reported apart).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

# Python puts this folder first on sys.path, where benchmarks/calendar.py would shadow the standard
# library's calendar module; search_scale.py is loaded from its file instead.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

FIRSTS_QUERIES = [
    {"q": "non-refoulement", "sur": "China"},
    {"q": "non-refoulement"},
    {"q": "torture"},
    {"q": "women"},
    {"q": "death penalty", "by": "France"},
    {"q": "\"national human rights institution\""},
    {"q": "freedom of expression", "sur": "Viet Nam"},
    {"q": "child labour OR trafficking"},
]
PROFILE_STATES = ["china", "united-states-of-america", "canada", "france", "cuba", "brazil", "india", "norway",
                  "democratic-peoples-republic-of-korea", "iran-islamic-republic-of", "mexico", "tuvalu"]


def percentiles(values: list[float], cpu: list[float] | None = None) -> dict:
    """Wall-time percentiles; with ``cpu`` (process CPU seconds of the same calls) also the CPU p50/p95,
    which other processes loading the machine do not inflate."""
    def p95_of(ordered: list[float]) -> float:
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]

    ordered = sorted(values)
    figures = {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
               "p95_ms": round(p95_of(ordered) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}
    if cpu:
        cpu_ordered = sorted(cpu)
        figures.update(cpu_p50_ms=round(statistics.median(cpu_ordered) * 1000, 1),
                       cpu_p95_ms=round(p95_of(cpu_ordered) * 1000, 1))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="analysis benchmark")
    parser.add_argument("--rows", type=int, default=0, help="grow the database to this many recommendations first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-lineage", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    # Measure building the page, not the anonymous page cache (uprwatch.web.pagecache) answering it.
    os.environ["UPRWATCH_PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from uprwatch.analysis.facts import get_facts
    from uprwatch.analysis.firsts import first_raised
    from uprwatch.analysis.lineage import compute_lineage
    from uprwatch.records.models import Recommendation, State
    from uprwatch.search.catalog import get_catalog
    from uprwatch.search.service import SearchParams

    figures: dict = {}
    if args.rows and Recommendation.objects.count() < args.rows:
        import importlib.util

        spec = importlib.util.spec_from_file_location("search_scale", HERE / "search_scale.py")
        search_scale = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(search_scale)

        from uprwatch.search.catalog import bump_stamp
        from uprwatch.search.indexing import rebuild_text_index

        started = time.perf_counter()
        search_scale.grow(args.rows)
        rebuild_text_index()
        bump_stamp()
        figures["grow_s"] = round(time.perf_counter() - started, 1)
    figures["recommendations"] = Recommendation.objects.count()

    # The in-memory arrays both features compute from are built once per process and data version
    # (the first request after a change pays this); their build is reported apart from the timings.
    started, cpu = time.perf_counter(), time.process_time()
    get_facts()
    figures["profile_facts_build_s"] = round(time.perf_counter() - started, 2)
    figures["profile_facts_build_cpu_s"] = round(time.process_time() - cpu, 2)
    started = time.perf_counter()
    get_catalog()
    figures["search_catalog_build_s"] = round(time.perf_counter() - started, 2)

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    slugs = [s for s in PROFILE_STATES if State.objects.filter(slug=s).exists()]
    for name, clear in (("profile_page_uncached", True), ("profile_page_cached", False)):
        timings, cpu_times = [], []
        if not clear:
            for slug in slugs:  # warm the cache once; the timed rounds then read it
                client.get(f"/states/{slug}/profile/")
        for _ in range(args.repeat):
            for slug in slugs:
                if clear:
                    cache.clear()  # every figure computed afresh, as after a data change
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(f"/states/{slug}/profile/")
                timings.append(time.perf_counter() - started)
                cpu_times.append(time.process_time() - cpu)
                assert response.status_code == 200, (slug, response.status_code)
        figures[name] = percentiles(timings, cpu_times)

    timings, cpu_times = [], []
    for round_number in range(args.repeat):
        for query in FIRSTS_QUERIES:
            params = SearchParams.from_querydict(query)
            started, cpu = time.perf_counter(), time.process_time()
            first_raised(params)
            timings.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu)
        if round_number == 0:  # each query's first run: nothing of it cached by the search feature yet
            figures["firsts_first_run"] = percentiles(timings, cpu_times)
    figures["firsts"] = percentiles(timings, cpu_times)

    if not args.skip_lineage:
        started, cpu = time.perf_counter(), time.process_time()
        summary = compute_lineage(force=True)
        figures["lineage_full_s"] = round(time.perf_counter() - started, 1)
        figures["lineage_full_cpu_s"] = round(time.process_time() - cpu, 1)  # this process only: load-independent
        figures["lineage_links"] = summary["links"]
        started = time.perf_counter()
        compute_lineage()
        figures["lineage_unchanged_s"] = round(time.perf_counter() - started, 1)
    figures["cpus"] = os.cpu_count()
    figures["load_average"] = os.getloadavg()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
