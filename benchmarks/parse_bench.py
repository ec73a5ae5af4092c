"""Parser speed: seconds to parse each Working Group report in ../shared on one core.

Prints one JSON object: per report pages, wall and CPU seconds (best of ``--repeat`` cold runs: the
state-name cache is emptied before each), the slowest, and the seconds per 30 pages (the target is a
30-page report in <= 2 s). CPU seconds stay meaningful when other work shares the machine.

    .venv/bin/python benchmarks/parse_bench.py [--repeat 2] [REPORT.pdf ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")

from uprwatch.documents.extraction import pdf_pages  # noqa: E402
from uprwatch.documents.parsing import lookup_state, parse_document  # noqa: E402

REPORTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "un-documents" / "wg-reports-2008-2014"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("reports", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    results = []
    for path in args.reports or sorted(REPORTS.glob("*.pdf")):
        pages = len(pdf_pages(path))
        runs = [_timed(path) for _ in range(args.repeat)]
        best = min(runs, key=lambda run: run[0])
        results.append({"document": path.name, "pages": pages, "seconds": round(best[0], 3),
                        "cpu_seconds": round(best[1], 3)})
    slowest = max(results, key=lambda r: r["seconds"])
    per_30 = max(r["seconds"] / r["pages"] * 30 for r in results)
    json.dump({
        "documents": len(results),
        "max_pages": max(r["pages"] for r in results),
        "slowest": slowest,
        "worst_seconds_per_30_pages": round(per_30, 3),
        "worst_cpu_seconds_per_30_pages": round(max(r["cpu_seconds"] / r["pages"] * 30 for r in results), 3),
        "mean_seconds": round(sum(r["seconds"] for r in results) / len(results), 3),
        "results": results,
    }, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _timed(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one cold parse (the state-name cache emptied, as in a fresh process)."""
    lookup_state.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    parse_document(path)
    return time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    main()
