"""Live sources with real processes: `uprwatch sync upr-info` killed mid-pass and resumed, and the Data
sources page in a real browser starting a background sync and showing its progress.

Each test works on a private copy of an initialised home (browser_support), against a local server
speaking UPR Info's API (source_servers).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest
from browser_support import UPRWATCH, Server, clean_environment, copy_home, query_home, run_uprwatch
from source_servers import UwaziServer, upr_info_entity

pytestmark = pytest.mark.browser

CHINA_45 = "models.Recommendation.objects.filter(review__state__iso3='CHN', review__session_id=45).count()"


def entities(count: int) -> list[dict]:
    return [upr_info_entity(f"live{n:04d}", sur="China", by=["Republic of Korea"], created=1_750_000_000_000 + n,
                            text=f"Guarantee the freedom of religion or belief of every community in prefecture {n}",
                            response=("Supported", "Noted", "Not Supported")[n % 3])
            for n in range(count)]


def wait_until(check, timeout: float = 120, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := check()):
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def test_a_killed_sync_leaves_the_database_unchanged_and_resumes(tmp_path):
    home = copy_home(tmp_path / "home")
    before = query_home(home, CHINA_45)
    with UwaziServer(entities(250)) as server:
        server.hold_from = 200  # the third page hangs: the process is killed while waiting for it
        env = clean_environment(home, UPRWATCH_UPR_INFO_URL=server.url, UPRWATCH_UPR_INFO_PAUSE_SECONDS="0",
                                UPRWATCH_UPR_INFO_PAGE_SIZE="100")
        process = subprocess.Popen([*UPRWATCH, "sync", "upr-info", "--json"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        cursor = home / "sources" / "upr-info" / "run" / "cursor.json"
        wait_until(lambda: cursor.exists() and json.loads(cursor.read_text())["pages"] == 2)
        wait_until(lambda: 200 in server.page_offsets())
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        server.release.set()
        assert query_home(home, CHINA_45) == before  # nothing of the pass is in the database
        server.requests.clear()
        result = run_uprwatch(home, "sync", "upr-info", "--json", UPRWATCH_UPR_INFO_URL=server.url,
                              UPRWATCH_UPR_INFO_PAUSE_SECONDS="0", UPRWATCH_UPR_INFO_PAGE_SIZE="100")
        report = json.loads(result.stdout)
        assert report["resumed_from"] == 200 and report["pages"] == 3 and report["added"] == 250
        assert server.page_offsets() == [200, 300]  # the pages it had were not asked for again
        assert report["unrecognised"] == {}
    assert query_home(home, CHINA_45) == before + 250
    assert not cursor.exists()  # the finished pass leaves no run behind


def test_staff_page_starts_a_background_sync_and_shows_its_progress(browser, tmp_path):
    home = copy_home(tmp_path / "home")
    run_uprwatch(home, "users", "create", "alice-s", "--email", "alice-s@example.org", "--password",
                 "alice-sources-pw-1", "--staff")
    before = query_home(home, CHINA_45)
    with UwaziServer(entities(250)) as source:
        source.hold_from = 200  # hold the third page until the page has shown the progress
        server = Server(home, UPRWATCH_UPR_INFO_URL=source.url, UPRWATCH_UPR_INFO_PAUSE_SECONDS="0",
                        UPRWATCH_UPR_INFO_PAGE_SIZE="100").start()
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # as browser_support's page: a failed load is reported by its response (browsers ask for /favicon.ico)
        page.on("console", lambda msg: errors.append(msg.text)
                if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        try:
            page.goto("/accounts/login/")
            page.get_by_label("User name").fill("alice-s")
            page.get_by_label("Password").fill("alice-sources-pw-1")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            page.get_by_role("link", name="Data sources").click()
            page.wait_for_url(re.compile(r"/sources/$"))
            row = page.locator('tr[data-source="upr-info"]')
            assert "never" in row.inner_text() and source.url in row.inner_text()
            page.get_by_role("button", name="Start sync").click()
            assert "started in the background" in page.get_by_role("status").inner_text()
            # the page polls: the job's progress appears without a reload
            progress = page.locator("#sync-progress")
            progress.wait_for()
            wait_until(lambda: "page 2" in (progress.inner_text() if progress.count() else ""), timeout=90)
            source.release.set()
            page.locator("#sync-jobs .job-status", has_text="done").wait_for(timeout=120_000)
            assert page.locator("#sync-progress").count() == 0
            cells = row.locator("td").all_inner_texts()
            assert cells[3] == "250" and "UTC" in cells[2]
            assert not errors, errors
        finally:
            context.close()
            server.stop()
    assert query_home(home, CHINA_45) == before + 250
