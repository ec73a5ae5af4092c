"""The session's test database, built once per code version and copied into each test process.

Building it (migrations, the bundled dataset's 41,066 recommendations and 947 pledges, the full-text
index) costs ~35 s of CPU; copying a built one costs ~1 s. With ``pytest -n 2`` every xdist worker
needs its own database, so without this cache each worker would build it again.

- SQLite: the test database stays in memory, as Django makes it; it is filled from
  ``var/test-db/<key>.sqlite3`` through SQLite's backup API.
- PostgreSQL: each worker's ``test_<name>_gw<N>`` is ``CREATE DATABASE ... TEMPLATE test_<name>_cache_<key>``.

The key hashes what decides the built database's content: the bundled data, every migration, the
records and search packages (loading, indexing), every app's models and signal wiring, and this file.
A change to any of them builds a fresh copy (and removes the stale one); an unchanged tree reuses it.
One process builds at a time (a file lock): the other workers wait and then copy.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "uprwatch"
CACHE = ROOT / "var" / "test-db"
BUILD_PACKAGES = ("records", "search")
BUILD_MODULES = ("settings.py", "snapshot.py", "home.py", "errors.py", "wordvectors.py")


def cache_key(vendor: str) -> str:
    digest = hashlib.sha256(f"{vendor} {django.__version__} {sqlite3.sqlite_version}".encode())
    files = sorted(
        {*SRC.glob("*/migrations/*.py"), *(p for p in (SRC / "data").rglob("*") if p.is_file()),
         *(p for package in BUILD_PACKAGES for p in (SRC / package).rglob("*.py")),
         *SRC.glob("*/models.py"), *SRC.glob("*/apps.py"),
         *(SRC / name for name in BUILD_MODULES if (SRC / name).exists()), Path(__file__).resolve()}
    )
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def build_lock():
    """One build at a time on this machine (xdist workers, parallel runs): the others wait for it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def setup_test_database(fill: Callable[[], None]):
    """Create the test database from the cache (building the cache with ``fill`` first when it is missing).
    Returns what ``teardown_test_database`` needs."""
    from django.db import connection
    from django.test.utils import setup_databases

    def create(keepdb: bool):
        # No serialisation: no test uses serialized_rollback, and serialising 41k rows costs seconds.
        return setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set(),
                               keepdb=keepdb)

    key = cache_key(connection.vendor)
    with build_lock():
        if connection.vendor == "sqlite":
            return _setup_sqlite(key, create, fill)
        if connection.vendor == "postgresql":
            return _setup_postgresql(key, create, fill)
    config = create(keepdb=False)  # another engine: build it in place, as pytest-django would
    fill()
    return config, None


def teardown_test_database(state) -> None:
    from django.test.utils import teardown_databases

    config, memory_holder = state
    teardown_databases(config, verbosity=0, keepdb=False)
    if memory_holder is not None:
        memory_holder.close()


def _setup_sqlite(key: str, create, fill):
    from django.db import connection

    cached = CACHE / f"{key}.sqlite3"
    name = connection.creation._get_test_db_name()
    if not connection.creation.is_in_memory_db(name):
        raise RuntimeError(f"the SQLite test database is expected in memory, not {name}")
    if not cached.exists():
        config = create(keepdb=False)
        fill()
        building = CACHE / f"{key}.building-{os.getpid()}"
        target = sqlite3.connect(building)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        building.rename(cached)
        _remove_stale(lambda p: p.suffix == ".sqlite3" and p != cached)
        return config, None
    # An in-memory shared-cache database lives while one connection to it is open: this one holds it
    # from the copy until Django's own connection (same name) has opened it.
    holder = sqlite3.connect(name, uri=True, check_same_thread=False)
    source = sqlite3.connect(f"file:{cached}?mode=ro", uri=True)
    source.backup(holder)
    source.close()
    # keepdb: Django opens the filled database instead of a new one; its migrate finds nothing to apply.
    return create(keepdb=True), holder


def _setup_postgresql(key: str, create, fill):
    from django.db import connection

    template = f"test_{connection.settings_dict['NAME']}_cache_{key}"[:54]  # room for "_building" within 63
    test_name = connection.creation._get_test_db_name()
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        cached = cursor.fetchone() is not None
    if not cached:
        config = create(keepdb=False)
        fill()
        connection.close()  # CREATE DATABASE ... TEMPLATE needs the template without sessions
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(template + '_building')}")  # an interrupted build
            cursor.execute(f"CREATE DATABASE {quote(template + '_building')} TEMPLATE {quote(test_name)}")
            cursor.execute(f"ALTER DATABASE {quote(template + '_building')} RENAME TO {quote(template)}")
            prefix = f"test_{connection.settings_dict['NAME']}_cache_"
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                           [prefix.replace("_", r"\_") + "%", template])
            for (stale,) in cursor.fetchall():
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
        return config, None
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
        cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
    return create(keepdb=True), None


def _remove_stale(is_stale: Callable[[Path], bool]) -> None:
    for path in CACHE.iterdir():
        if is_stale(path) or ".building-" in path.name:
            path.unlink(missing_ok=True)
