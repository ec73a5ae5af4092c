"""How long `uprwatch init` takes on a fresh UPRWATCH_HOME (SQLite), and a second, idempotent run.

    .venv/bin/python benchmarks/init_bench.py

Prints one JSON object: total seconds of each run and seconds per init step. Target: first run ≤ 60 s
on 2 cores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UPRWATCH = Path(sys.executable).with_name("uprwatch")
STEP = re.compile(r"([\w ]+?) ([\d.]+) s")


def run_init(home: str) -> dict:
    env = {**os.environ, "UPRWATCH_HOME": home}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    result = subprocess.run([str(UPRWATCH), "init"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"uprwatch init failed:\n{result.stderr[-2000:]}")
    summary = next((line for line in result.stderr.splitlines() if line.startswith("init finished")), "")
    steps = dict((name.strip(), float(secs)) for name, secs in STEP.findall(summary.partition("(")[2]))
    return {"seconds": round(seconds, 2), "steps": steps}


def main() -> None:
    home = tempfile.mkdtemp(prefix="uprwatch-init-bench-")
    try:
        first = run_init(home)
        second = run_init(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps({
        "benchmark": "init",
        "cpus": os.cpu_count(),
        "fresh_init_seconds": first["seconds"],
        "fresh_init_steps": first["steps"],
        "second_init_seconds": second["seconds"],
        "target_seconds": 60,
        "meets_target": first["seconds"] <= 60,
    }, indent=2))


if __name__ == "__main__":
    main()
