"""Shared fixtures for tests that drive a real server: Playwright journeys, fault and load tests.

- ``prepared_home()``: a UPRWATCH_HOME after ``uprwatch init``, cached under ``var/test-browser/<key>``
  where the key hashes the bundled data, the migrations and the init steps (so a change to any of them
  builds a fresh one; an unchanged tree reuses it in a second).
- ``server_home`` / ``server_url`` (session): a private copy of that home, served by
  ``uprwatch serve --production`` on a free localhost port.
- ``page``: a Playwright page in Debian's ``/usr/bin/chromium`` (never ``playwright install``). When
  chromium is missing the browser tests skip, unless ``UPRWATCH_REQUIRE_BROWSER=1`` (set by ``.ci/run``)
  turns that into a failure.
- ``run_uprwatch(home, *args)``: run the CLI against a home.

The fixtures (``browser``, ``page``, ``server_home``, ``server_url``) are registered once in ``conftest.py``;
test modules import only the helper functions they use.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "uprwatch"
CACHE = ROOT / "var" / "test-browser"
CHROMIUM = Path(os.environ.get("UPRWATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
UPRWATCH = [sys.executable, "-m", "uprwatch.cli"]


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a server or CLI run on ``home``: SQLite (no DATABASE_URL), production-like."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "UPRWATCH_DEBUG"}}
    env.update({"UPRWATCH_HOME": str(home), "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "uprwatch.settings"})
    env.update(extra)
    return env


def run_uprwatch(home: Path, *args: str, timeout: float = 600, check: bool = True,
                 **env: str) -> subprocess.CompletedProcess:
    """Run ``uprwatch ARGS`` against ``home``; returns the finished process (stdout/stderr as text)."""
    result = subprocess.run([*UPRWATCH, *args], env=clean_environment(home, **env), capture_output=True,
                            text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"uprwatch {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def run_manage(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a Django management command (``python -m django ARGS``) against ``home``."""
    return subprocess.run([sys.executable, "-m", "django", *args], env=clean_environment(home),
                          capture_output=True, text=True, timeout=timeout, check=True)


def query_home(home: Path, expression: str):
    """Evaluate a Python expression (Django set up, ``models`` = uprwatch.records.models) against ``home``
    and return its value, JSON-decoded: what the page under test should show, from the database itself."""
    script = ("import json, django; django.setup(); from uprwatch.records import models; "
              f"print(json.dumps({expression}, default=str))")
    result = subprocess.run([sys.executable, "-c", script], env=clean_environment(home), capture_output=True,
                            text=True, timeout=300, check=True)
    return json.loads(result.stdout)


# The packages whose code ``uprwatch init`` runs (bootstrap.INIT_STEPS and what they import): a change to
# any of their modules may change what an initialised home holds, so it is part of the cache key.
INIT_PACKAGES = ("records", "documents", "search", "sources", "classify", "analysis", "calendar")
INIT_MODULES = ("bootstrap.py", "settings.py", "home.py", "snapshot.py", "wordvectors.py", "errors.py", "office.py")


def home_key() -> str:
    """Hash of what decides the content of an initialised home: data, migrations, static files (collected
    into it) and the code of every init step. A stale home would let browser tests pass on old data."""
    digest = hashlib.sha256()
    files = sorted(
        [*SRC.glob("*/migrations/*.py"), *(p for p in (SRC / "data").rglob("*") if p.is_file()),
         *(p for p in SRC.glob("*/static/**/*") if p.is_file()),
         *(p for package in INIT_PACKAGES for p in (SRC / package).rglob("*.py")),
         *(SRC / name for name in INIT_MODULES if (SRC / name).exists())]
    )
    for path in files:
        digest.update(str(path.relative_to(SRC)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepared_home() -> Path:
    """An initialised UPRWATCH_HOME (read it, copy it; do not serve it directly: it is shared)."""
    target = CACHE / home_key()
    if (target / "READY").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    # One build at a time on this machine: parallel runs wait for it instead of building the same home.
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "READY").exists():
            return target
        return _build_home(target)


def _build_home(target: Path) -> Path:
    building = CACHE / f"{target.name}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    run_uprwatch(building, "init", timeout=1800)
    run_manage(building, "collectstatic", "--noinput", "-v0")
    (building / "READY").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    try:
        building.rename(target)
    except OSError:  # another run finished first: use theirs
        shutil.rmtree(building, ignore_errors=True)
    for stale in CACHE.iterdir():  # keep only the current key (and the lock)
        if stale.is_dir() and stale.name != target.name:
            shutil.rmtree(stale, ignore_errors=True)
    return target


def copy_home(destination: Path) -> Path:
    """A private, writable copy of the prepared home."""
    source = prepared_home()
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("cache", "*.sqlite3-wal", "*.sqlite3-shm"))
    # A migration added while the cached home was being built is not in it yet: apply it to the copy.
    run_manage(destination, "migrate", "--noinput", "-v0")
    return destination


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f}s")


class Server:
    """``uprwatch serve`` on a home, as a subprocess; ``start()``/``kill()``/``stop()`` for fault tests."""

    def __init__(self, home: Path, production: bool = True, workers: int = 2, **env: str):
        self.home, self.production, self.workers, self.env = home, production, workers, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = home / "server.log"

    def start(self, timeout: float = 90) -> Server:
        args = [*UPRWATCH, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.production:
            args += ["--production", "--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            # own process group, so kill() reaches gunicorn's workers too
            self.process = subprocess.Popen(args, env=clean_environment(self.home, **self.env), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(self.url + "/", self.process, timeout=timeout)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}; server log:\n{self.log.read_text(errors='replace')[-3000:]}") from None
        return self

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): a power cut, not a shutdown."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def server_home(tmp_path_factory) -> Path:
    return copy_home(tmp_path_factory.mktemp("browser") / "home")


@pytest.fixture(scope="session")
def server_url(server_home: Path) -> Iterator[str]:
    server = Server(server_home).start()
    try:
        yield server.url
    finally:
        server.stop()


def chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("UPRWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (UPRWATCH_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server_url):
    """A fresh browser context (no cookies) per test; fails the test on any CSP violation or JS error."""
    with open_page(browser, server_url) as page:
        yield page


@contextmanager
def open_page(browser, base_url: str) -> Iterator:
    """A page in a fresh browser context on ``base_url`` (a test with a server of its own uses this);
    any JavaScript error, console error, CSP violation or failed sub-request fails the test at the end."""
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)  # 2 shared cores in CI: be patient, not flaky
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    # A failed load is reported by its URL (the console message does not name it); browsers ask for
    # /favicon.ico on their own, which is no error of ours.
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") and r.request.resource_type != "document"
            else None)
    page.errors = errors
    try:
        yield page
    finally:
        context.close()
    assert not errors, "browser reported errors:\n" + "\n".join(errors)
