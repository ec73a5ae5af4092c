"""Import a UHRI-format export of N records, then run the search benchmark at that size.

    UPRWATCH_HOME=/tmp/uh-uhri python benchmarks/uhri_bench.py --records 270000 [--skip-search]

1. prepares the home if it holds no data (schema, the bundled UPR Info rows, the text index; no
   lineage/classifier/vectors steps, which ``uprwatch init`` would add and which the sync does not need);
2. writes the export with ``benchmarks/uhri_generate.py`` (kept in the home for re-runs);
3. runs ``uprwatch sync uhri --file EXPORT --json`` as a child process: wall time and peak memory
   (the child's maximum resident set, ``getrusage``);
4. runs ``uprwatch sync uhri`` again (everything unchanged: the idempotent re-run's time);
5. unless ``--skip-search``, ``benchmarks/search_bench.py --no-datasette`` on the resulting database.

Prints one JSON object. Targets (issue 17): import <= 10 min on 2 cores, peak memory <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREPARE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
from uprwatch.records.models import Recommendation
if not Recommendation.objects.exists():
    from uprwatch.records.loading import load_bundled_dataset
    from uprwatch.search.indexing import rebuild_text_index
    load_bundled_dataset()
    rebuild_text_index()
print(Recommendation.objects.count())
"""


def environment(home: Path) -> dict:
    env = dict(os.environ, UPRWATCH_HOME=str(home), DJANGO_SETTINGS_MODULE="uprwatch.settings")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def timed(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB of this child alone — ``wait4``'s own rusage, stdout).

    CPU seconds matter on a shared machine: wall time there mostly measures the other jobs."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.exit(f"{' '.join(command[:5])}... failed: {err.read().strip()[-2000:]}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=270_000)
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args()
    home = Path(os.environ.get("UPRWATCH_HOME", "/tmp/uh-uhri")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = environment(home)
    python = sys.executable
    subprocess.run([python, "-c", PREPARE], env=env, check=True, capture_output=True)
    export = home / f"uhri-{args.records}.json"
    generated = None
    if not export.exists():
        started = time.monotonic()
        subprocess.run([python, str(ROOT / "benchmarks" / "uhri_generate.py"), "--records", str(args.records),
                        "--output", str(export)], env=env, check=True, capture_output=True)
        generated = round(time.monotonic() - started, 1)
    sync = [python, "-m", "uprwatch.cli", "sync", "uhri", "--file", str(export), "--json"]
    wall, cpu, peak, out = timed(sync, env)
    report = json.loads(out)
    again_wall, again_cpu, _again_peak, again_out = timed(sync, env)
    figures = {
        "records": args.records, "export_bytes": export.stat().st_size, "generate_s": generated,
        "import_s": round(wall, 1), "import_cpu_s": round(cpu, 1), "import_peak_mb": round(peak),
        "import_report": report, "rerun_s": round(again_wall, 1), "rerun_cpu_s": round(again_cpu, 1), "rerun_report_upr": json.loads(again_out)["upr"],
        "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "targets": {"import_s": 600, "import_peak_mb": 1536},
    }
    if not args.skip_search:
        result = subprocess.run([python, str(ROOT / "benchmarks" / "search_bench.py"), "--no-datasette"], env=env,
                                capture_output=True, text=True, check=False)
        figures["search"] = json.loads(result.stdout) if result.returncode == 0 else result.stderr[-2000:]
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
