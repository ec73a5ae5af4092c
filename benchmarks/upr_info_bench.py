"""Speed of `uprwatch sync upr-info`: our own time per page against a local server speaking UPR Info's API.

    python benchmarks/upr_info_bench.py [--entities 20000] [--page-size 200]

Builds a fresh SQLite home in a temporary folder (migrations and the reference tables only), serves
``--entities`` UPR Info entities (China, 200 sessions' worth of new recommendations) from a local Uwazi-like
server (tests/source_servers.py) and runs one full pass with no politeness pause, then a second pass over
the unchanged source. Prints one JSON object:

- ``own_ms_per_page``: our work per page while paging (decode, check, write the page to the run folder);
- ``map_and_merge_ms_per_page``: mapping the entities and merging them into the database, per page;
- ``host_ms_per_page``: waiting for the (local) host, mostly the server's own JSON encoding;
- ``full_pass_minutes_at_264k``: a full pass over UPR Info's ~264,000 entities at the default pause and page
  size, our share and the pause's: the pass is bounded by the pause, not by our code, when the pause
  dominates;
- ``unchanged_requests`` / ``unchanged_seconds``: what a second pass over an unchanged source costs;
- ``repass``: a pass after one entity changed: every page read again, every other record found unchanged
  (the usual nightly case), with our CPU per page and projected to 264,000 entities.

Our CPU is the honest figure on a loaded machine (``load_average`` says how loaded it was); wall figures
include waiting for the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="uprwatch-upr-info-bench-"))
    os.environ["UPRWATCH_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "uprwatch.settings"
    subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v0"], check=True, env=os.environ)
    import django

    django.setup()
    from django.conf import settings
    from source_servers import UwaziServer, upr_info_entity

    from uprwatch.records.loading import load_reference_tables
    from uprwatch.sources import uwazi
    from uprwatch.sources.upr_info import sync_upr_info

    load_reference_tables()
    responses = ("Supported", "Noted", "Not Supported")
    entities = [
        upr_info_entity(f"bench{n:07d}", sur="China", by=["Republic of Korea", "Japan"][: 1 + n % 2],
                        text=f"Take measures number {n} to protect the rights of minorities in region {n % 977}",
                        response=responses[n % 3], issues=["Minorities", "Freedom of expression"][: 1 + n % 2],
                        session=f"{41 + n % 14} - November 2023", created=1_700_000_000_000 + n)
        for n in range(args.entities)
    ]
    pages_seen: list[uwazi.PassReport] = []
    with UwaziServer(entities) as server:
        start, cpu = time.perf_counter(), time.process_time()
        report = sync_upr_info(base_url=server.url, pause=0, page_size=args.page_size,
                               on_progress=lambda current: pages_seen.append(current))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        passed = pages_seen[-1] if pages_seen else uwazi.PassReport()
        server.requests.clear()
        again_start = time.perf_counter()
        again = sync_upr_info(base_url=server.url, pause=0, page_size=args.page_size)
        again_seconds = time.perf_counter() - again_start
        again_requests = len(server.requests)
        # One entity edited: the whole source is paged again, every other record found unchanged.
        server.entities[0]["editDate"] = max(e["editDate"] for e in server.entities) + 1  # as Uwazi: edited now
        server.entities[0]["metadata"]["response"] = [{"value": "x", "label": "Noted"}]
        repass_start, repass_cpu = time.perf_counter(), time.process_time()
        repass = sync_upr_info(base_url=server.url, pause=0, page_size=args.page_size)
        repass_wall, repass_cpu = time.perf_counter() - repass_start, time.process_time() - repass_cpu
    pages = max(report.pages, 1)
    own = passed.seconds_own / max(passed.pages, 1)
    host = passed.seconds_fetching / max(passed.pages, 1)
    map_merge = max(wall - passed.seconds_own - passed.seconds_fetching, 0) / pages
    full_pages = 264_000 / settings.UPRWATCH_UPR_INFO_PAGE_SIZE
    ours_full = full_pages * (own + map_merge * settings.UPRWATCH_UPR_INFO_PAGE_SIZE / args.page_size)
    print(json.dumps({
        "entities": args.entities, "page_size": args.page_size, "pages": report.pages, "added": report.added,
        "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
        "own_ms_per_page": round(own * 1000, 2), "host_ms_per_page": round(host * 1000, 2),
        "map_and_merge_ms_per_page": round(map_merge * 1000, 2),
        "default_pause_seconds": settings.UPRWATCH_UPR_INFO_PAUSE_SECONDS,
        "default_page_size": settings.UPRWATCH_UPR_INFO_PAGE_SIZE,
        "full_pass_minutes_at_264k": {
            "ours_wall": round(ours_full / 60, 1),
            "ours_cpu_first_pass": round(full_pages * cpu / pages * settings.UPRWATCH_UPR_INFO_PAGE_SIZE
                                         / args.page_size / 60, 1),
            "pause": round(full_pages * settings.UPRWATCH_UPR_INFO_PAUSE_SECONDS / 60, 1),
        },
        "cpu_ms_per_page_first_pass": round(cpu / pages * 1000, 1),
        "repass": {"updated": repass.updated, "unchanged": repass.unchanged, "wall_seconds": round(repass_wall, 2),
                   "cpu_ms_per_page": round(repass_cpu / pages * 1000, 1),
                   "full_pass_minutes_at_264k_cpu": round(264_000 / args.page_size * repass_cpu / pages / 60, 1)},
        "unchanged_status": again.status, "unchanged_requests": again_requests,
        "unchanged_seconds": round(again_seconds, 3),
        "load_average": os.getloadavg()[0],
    }, indent=1))


if __name__ == "__main__":
    main()
