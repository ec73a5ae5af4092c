"""A sync killed mid-import leaves the database as it was; run again, it completes (SIGKILL, real process)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from browser_support import run_manage, run_uprwatch
from test_fault import kill_after, snapshot

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


def test_killing_a_sync_leaves_before_or_after(tmp_path):
    from uhri_generate import generate

    from uprwatch.sources.uhri_writer import write_json

    export = tmp_path / "export.json"
    write_json(generate(6000, seed=3), export)
    reference = tmp_path / "reference"
    reference.mkdir()
    run_manage(reference, "migrate", "--noinput", "-v0")
    home = tmp_path / "killed"
    shutil.copytree(reference, home)
    before = snapshot(reference)
    started = time.monotonic()
    run_uprwatch(reference, "sync", "uhri", "--file", str(export))
    duration = time.monotonic() - started
    after = snapshot(reference)
    assert after["sources.SourceRecord"] > 1000 and after["sources.MechanismRecommendation"] > 1000

    # The transaction commits well before the command ends (the search index and vectors follow it), and
    # a loaded machine stretches the start-up: kill early first, then later, until one kill lands after.
    outcomes = []
    for fraction in (0.15, 0.3, 0.5, 0.8):
        exit_code = kill_after(["sync", "uhri", "--file", str(export)], home, duration * fraction)
        state = snapshot(home)
        assert state in (before, after), f"half-written after a kill at {fraction:.0%} of the sync"
        outcomes.append("after" if state == after else "before")
        if exit_code is not None or state == after:
            break
    assert "before" in outcomes, f"no kill landed inside the sync ({outcomes}): nothing was tested"
    if outcomes[-1] == "before":
        run_uprwatch(home, "sync", "uhri", "--file", str(export))
    assert snapshot(home) == after
