"""Shared fixtures.

The test database is loaded ONCE per session with the real bundled dataset (41,066 UPR Info
recommendations and 947 pledges), so tests check real figures. Tests use the ``db`` fixture (each
test in a rolled-back transaction). Do not use ``transactional_db`` without
``serialized_rollback``: it flushes the tables and would empty the dataset for later tests.

Personas, as in healthchecks: Alice (admin), Bob (member), Charlie (outsider).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

# Fuzzing (hypothesis, schemathesis) draws the same examples on every run, so CI's verdict is repeatable
# and a failure reproduces locally. HYPOTHESIS_PROFILE=explore draws new ones, to look for more bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from uprwatch.records.loading import load_bundled_dataset

    with django_db_blocker.unblock():
        load_bundled_dataset()
        # the full-text index, committed once so every test's search sees the whole dataset
        from uprwatch.search.indexing import rebuild_text_index

        rebuild_text_index()


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
