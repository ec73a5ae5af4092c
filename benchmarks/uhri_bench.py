"""Import a UHRI-format export of N records, then run the search benchmark at that size.

    UPRWATCH_HOME=/tmp/uh-uhri python benchmarks/uhri_bench.py --records 270000 [--skip-search] [--export PATH]
    DATABASE_URL=postgres://... UPRWATCH_HOME=/tmp/uh-uhri-pg python benchmarks/uhri_bench.py --records 270000

The database is SQLite in ``UPRWATCH_HOME``, or PostgreSQL with ``DATABASE_URL`` (an empty database: the
run migrates it). On PostgreSQL the import's CPU is the sync process's own plus the database server's for
it (``import_db_cpu_s``: the PostgreSQL processes serving the sync's connection, read from ``/proc``, so
the server must run on this machine), and the search benchmark's server CPU per request includes the
database's share the same way.

1. prepares the home if it holds no data (schema, the bundled UPR Info rows, the text index; no
   lineage/classifier/vectors steps, which ``uprwatch init`` would add and which the sync does not need);
2. writes the export with ``benchmarks/uhri_generate.py`` (kept in the home for re-runs);
3. runs ``uprwatch sync uhri --file EXPORT --json`` as a child process: wall time, CPU time and peak
   memory (the child's own ``getrusage``: CPU time and maximum resident set);
4. runs ``uprwatch sync uhri`` again (everything unchanged: the idempotent re-run's time);
5. unless ``--skip-search``, ``benchmarks/search_bench.py --no-datasette`` on the resulting database.

Prints one JSON object, with the load average beside the wall times (other jobs on the machine inflate
wall time, not CPU time). Targets (issue 17): import <= 10 min on 2 cores, peak memory <= 1.5 GB, then
faceted search p95 <= 30 ms including each query's first run, semantic p95 <= 60 ms.
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


def search_bench():
    """``benchmarks/search_bench.py`` as a module (for its ``DatabaseCpu``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("search_bench", ROOT / "benchmarks" / "search_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(command: list[str], env: dict) -> tuple[float, float, float, float | None, str, list[float]]:
    """(wall seconds, CPU seconds, peak RSS in MB of this child alone — ``wait4``'s own rusage —, the
    PostgreSQL server's CPU seconds for it (None on SQLite), stdout, the load average at the end).

    CPU seconds matter on a shared machine: wall time there mostly measures the other jobs."""
    import tempfile
    import threading

    database = search_bench().DatabaseCpu(f"uprwatch-uhri-bench-{os.getpid()}")
    done = threading.Event()

    def sample() -> None:  # a backend's CPU is read while it lives: it ends with the sync's connection
        while not done.wait(0.5):
            database.ns()

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, env=database.environment(env), stdout=out, stderr=err, text=True)
        sampler = threading.Thread(target=sample, daemon=True)
        if database.connection is not None:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        done.set()
        if sampler.is_alive():
            sampler.join()
        db_cpu = database.ns() / 1e9 if database.connection is not None else None
        database.close()
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.exit(f"{' '.join(command[:5])}... failed: {err.read().strip()[-2000:]}")
        return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, db_cpu, out.read(),
                [round(x, 2) for x in os.getloadavg()])


def rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=270_000)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--export", help="an export already written (default: written into the home once)")
    args = parser.parse_args()
    home = Path(os.environ.get("UPRWATCH_HOME", "/tmp/uh-uhri")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = environment(home)
    python = sys.executable
    subprocess.run([python, "-c", PREPARE], env=env, check=True, capture_output=True)
    export = Path(args.export) if args.export else home / f"uhri-{args.records}.json"
    generated = None
    if not export.exists():
        started = time.monotonic()
        subprocess.run([python, str(ROOT / "benchmarks" / "uhri_generate.py"), "--records", str(args.records),
                        "--output", str(export)], env=env, check=True, capture_output=True)
        generated = round(time.monotonic() - started, 1)
    sync = [python, "-m", "uprwatch.cli", "sync", "uhri", "--file", str(export), "--json"]
    load_before = [round(x, 2) for x in os.getloadavg()]
    wall, cpu, peak, db_cpu, out, load_after = timed(sync, env)
    report = json.loads(out)
    again_wall, again_cpu, again_peak, again_db_cpu, again_out, again_load = timed(sync, env)
    figures = {
        "database": "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "records": args.records, "export_bytes": export.stat().st_size, "generate_s": generated,
        "import_s": round(wall, 1), "import_cpu_s": round(cpu, 1), "import_db_cpu_s": rounded(db_cpu),
        "import_peak_mb": round(peak), "import_load_average": {"before": load_before, "after": load_after},
        "import_report": report, "rerun_s": round(again_wall, 1), "rerun_cpu_s": round(again_cpu, 1),
        "rerun_db_cpu_s": rounded(again_db_cpu), "rerun_peak_mb": round(again_peak),
        "rerun_load_average": again_load, "rerun_report_upr": json.loads(again_out)["upr"],
        "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "targets": {"import_s": 600, "import_peak_mb": 1536, "search_p95_ms_with_first_runs": 30,
                    "semantic_p95_ms": 60},
    }
    if not args.skip_search:
        result = subprocess.run([python, str(ROOT / "benchmarks" / "search_bench.py"), "--no-datasette"], env=env,
                                capture_output=True, text=True, check=False)
        figures["search"] = json.loads(result.stdout) if result.returncode == 0 else result.stderr[-2000:]
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
