"""CPU cost of the expensive anonymous requests (exports, matrices, briefs) on the bundled data, and what
the cost limits make of a second and a third one from the same client.

For each URL, three anonymous requests from one address, in-process (Django's test client over a copy of
the prepared test home): the CPU seconds of the first (measured on the thread, the streamed body
included), then the status of the next two — a cache hit (the identical request) costs nothing, and a
different request after the budget is spent is a 429. Prints one JSON object.

    .venv/bin/python benchmarks/cost_bench.py [--budget 20]

Target: no anonymous request over 2 s of CPU without a cap (a 429 with a clear message once the client's
budget is spent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

URLS = [
    "/reports/matrix/?sur=China&format=xlsx",
    "/reports/matrix/?sur=China&format=docx",
    "/reports/brief/?sur=China&format=html",
    "/reports/brief/?sur=China",
    "/api/reports/brief?sur=China",
    "/search/export.xlsx?q=women",
    "/search/export.csv?q=women",
    "/search/export.json?q=women",
    "/search/export.xlsx?q=",
    "/api/recommendations/export?format=xlsx",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=20.0, help="UPRWATCH_ANONYMOUS_CPU_SECONDS")
    args = parser.parse_args()
    from browser_support import copy_home

    home = Path(tempfile.mkdtemp(prefix="uprwatch-cost-")) / "home"
    copy_home(home)
    os.environ["UPRWATCH_HOME"] = str(home)
    os.environ["UPRWATCH_ANONYMOUS_CPU_SECONDS"] = str(args.budget)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    rows = []
    for number, url in enumerate(URLS):
        address = f"198.51.100.{number + 1}"

        def get(target: str, address: str = address):
            started_cpu, started = time.thread_time(), time.perf_counter()
            response = client.get(target, REMOTE_ADDR=address)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return response, len(body), time.thread_time() - started_cpu, time.perf_counter() - started

        first, size, cpu, wall = get(url)
        again, _, again_cpu, _ = get(url)
        other = url + ("&" if "?" in url else "?") + "page=2"
        third, _, _, _ = get(other)
        rows.append({
            "url": url, "status": first.status_code, "bytes": size, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
            "identical_again": again.status_code, "identical_again_cpu_s": round(again_cpu, 3),
            "identical_again_from_cache": again.headers.get("X-Uprwatch-Cache") == "hit",
            "different_after": third.status_code,
        })
    over = [r for r in rows if r["cpu_s"] > 2]
    print(json.dumps({
        "budget_cpu_s": args.budget, "load_average": [round(x, 2) for x in os.getloadavg()],
        "requests_over_2s": len(over),
        "over_2s_capped": all(r["different_after"] == 429 for r in over),
        "requests": rows,
    }, indent=2))


if __name__ == "__main__":
    main()
