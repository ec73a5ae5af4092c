"""Shared fixtures.

The test database is loaded ONCE per session with the real bundled dataset (41,066 UPR Info
recommendations and 947 pledges), so tests check real figures. Tests use the ``db`` fixture (each
test in a rolled-back transaction). Do not use ``transactional_db`` without
``serialized_rollback``: it flushes the tables and would empty the dataset for later tests.

Personas, as in healthchecks: Alice (admin), Bob (member), Charlie (outsider).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import global_settings
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

# Fuzzing (hypothesis, schemathesis) draws the same examples on every run, so CI's verdict is repeatable
# and a failure reproduces locally. HYPOTHESIS_PROFILE=explore draws new ones, to look for more bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def _use_worker_home() -> None:
    """Under ``pytest -n N`` each xdist worker gets a home of its own (``var/test-gw0``, ...): the files
    under UPRWATCH_HOME (the data stamp, search vectors, the file caches that hold login throttling and
    cached pages, uploads) would otherwise pass between two tests running at the same time."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    home = Path(settings.HOME)
    worker_home = home.parent / f"{home.name}-{worker}"
    (worker_home / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    os.environ["UPRWATCH_HOME"] = str(worker_home)  # for code that reads it (the CLI's home lookup)
    moved = {name: type(value)(str(value).replace(str(home), str(worker_home), 1))
             for name, value in (("HOME", settings.HOME), ("STATIC_ROOT", settings.STATIC_ROOT),
                                 ("MEDIA_ROOT", settings.MEDIA_ROOT))}
    caches = {alias: {**config, "LOCATION": config["LOCATION"].replace(str(home), str(worker_home), 1)}
              if "LOCATION" in config else config for alias, config in settings.CACHES.items()}
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["NAME"] = str(worker_home / Path(settings.DATABASES["default"]["NAME"]).name)
    # override_settings sends setting_changed, which resets the cache handlers and file storages
    override_settings(**moved, CACHES=caches).enable()


_use_worker_home()

# Tests create hundreds of users (the personas below, per test) and sign them in: Django's default
# PBKDF2 (1,000,000 iterations, ~0.3 s of CPU a password) was half the unit lane's CPU. MD5 hashes new
# passwords here; the real hashers stay listed, so a password hashed by a CLI subprocess still checks.
# No test is about the hasher's cost; tests/test_security.py checks sign-in behaviour, not hashes.
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher",
                                    *global_settings.PASSWORD_HASHERS]).enable()


def _skip_constraint_checks_after_no_write() -> None:
    """Django's TestCase ends every test with ``connection.check_constraints()``, on SQLite a ``PRAGMA
    foreign_key_check`` of every table: ~0.06 s of CPU with the dataset loaded, after each of ~1,100 tests.
    A foreign-key violation needs a written row, and sqlite3's ``total_changes`` counts every row this
    connection inserts, updates or deletes: when it has not moved since a full check that found nothing,
    the check would find nothing again and is skipped. Any write runs the full check as before."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    full_check = DatabaseWrapper.check_constraints
    clean_at: dict[int, tuple[object, int]] = {}  # id(sqlite3 connection) -> (it, total_changes when clean)

    def check_constraints(self, table_names=None):
        raw = self.connection
        if table_names is not None or raw is None:
            return full_check(self, table_names)
        last = clean_at.get(id(raw))
        if last is not None and last[0] is raw and last[1] == raw.total_changes:
            return None
        full_check(self, table_names)
        clean_at[id(raw)] = (raw, raw.total_changes)
        return None

    DatabaseWrapper.check_constraints = check_constraints


_skip_constraint_checks_after_no_write()


def _fill_test_database() -> None:
    from uprwatch.records.loading import load_bundled_dataset
    from uprwatch.search.indexing import rebuild_text_index

    load_bundled_dataset()
    # the full-text index, committed once so every test's search sees the whole dataset
    rebuild_text_index()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database with the bundled dataset, copied from a cache built once per code version
    (tests/database_cache.py): each xdist worker copies it in about a second instead of rebuilding it."""
    import database_cache

    with django_db_blocker.unblock():
        state = database_cache.setup_test_database(_fill_test_database)
    yield
    with django_db_blocker.unblock():
        database_cache.teardown_test_database(state)


@pytest.fixture(autouse=True)
def _no_page_cache(settings, request):
    """Tests change data without the stamps a real change bumps (direct ORM writes, rolled back after):
    a page cached by one test must not answer another. tests/test_pagecache.py turns it on itself."""
    if "pagecache" not in request.keywords:
        settings.UPRWATCH_PAGE_CACHE_SECONDS = 0
        # the same for cached exports; and the anonymous CPU budget (tests/test_costs.py turns both on)
        # would otherwise be spent by the suite's many anonymous exports from one address
        settings.UPRWATCH_EXPORT_CACHE_SECONDS = 0
        settings.UPRWATCH_ANONYMOUS_CPU_SECONDS = 1e9


@pytest.fixture
def alice(db, django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.org", "alice-password-1", is_staff=True)


@pytest.fixture
def bob(db, django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.org", "bob-password-1")


@pytest.fixture
def charlie(db, django_user_model):
    return django_user_model.objects.create_user("charlie", "charlie@example.org", "charlie-password-1")


@pytest.fixture
def coalition(alice, bob, charlie):
    """Tracking personas: Alice admins the coalition, Bob contributes to it, Charlie admins another organisation."""
    from types import SimpleNamespace

    from uprwatch.tracking.organisations import create_organisation, set_membership

    coalition = create_organisation("Coalition to Stop Forced Repatriation", admin=alice)
    set_membership(coalition, bob, "contributor")
    other = create_organisation("Other Rights Group", admin=charlie)
    return SimpleNamespace(org=coalition, other=other, alice=alice, bob=bob, charlie=charlie)


# The browser fixtures are registered here, once for the whole run: a session-scoped fixture imported
# into each test module would start one Playwright per module, and Playwright's sync API refuses to
# start while another one is running in the same thread.
from browser_support import browser, page, server_home, server_url  # noqa: E402, F401
