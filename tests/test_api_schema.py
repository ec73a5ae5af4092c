"""schemathesis against /api/openapi.json: no generated request may end in a server error (5xx), and
with schemathesis's default checks every answer (status, content type, body) is one the schema
documents, anonymously and with a token.

Requests go in-process to the Django WSGI app over the real dataset (the ``db`` fixture rolls each
operation's writes back). Anonymous requests reach the authenticated operations too: they must answer
401/403/404/422, never 500. ``UPRWATCH_SCHEMA_EXAMPLES`` sets the examples per operation (default 5: 55 operations, some of them heavy, on 2 shared cores).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from uprwatch.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
EXAMPLES = int(os.environ.get("UPRWATCH_SCHEMA_EXAMPLES", "5"))
DEFAULT_CHECK_EXAMPLES = int(os.environ.get("UPRWATCH_SCHEMA_CHECK_EXAMPLES", "3"))
# The coverage phase adds many boundary cases per operation (minutes each on 2 shared cores): opt in.
schema.config.phases.coverage.enabled = os.environ.get("UPRWATCH_SCHEMA_COVERAGE") == "1"


def test_the_schema_lists_every_feature():
    paths = set(schema.raw_schema["paths"])
    assert "/api/recommendations/{rec_id}" in paths or any(p.startswith("/api/recommendations/") for p in paths)
    assert len(paths) >= 10


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections would
    close the test's database connection mid-transaction on PostgreSQL; Django's test client
    disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttle_left():
    from django.core.cache import caches

    caches["throttle"].clear()


@pytest.mark.slow  # one operation takes up to a minute on 2 cores; make test-fast leaves it out
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case, db):
    case.call_and_validate(checks=[not_a_server_error])


@pytest.fixture
def token(db, django_user_model):
    """A member (editor) of an organisation, so the token's requests reach every role check."""
    from uprwatch.tracking.organisations import create_organisation, create_token

    user = django_user_model.objects.create_user("schema-editor", "editor@example.org", "a-long-passphrase-2024")
    create_organisation("Schema Coalition", admin=user)
    return create_token(user)[1]


@schema.parametrize()
@settings(max_examples=DEFAULT_CHECK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_default_checks_anonymous(case, db):
    """Everything the API answers an anonymous client is documented (schemathesis's default checks)."""
    case.call_and_validate()


@schema.parametrize()
@settings(max_examples=DEFAULT_CHECK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_default_checks_with_a_token(case, token):
    """The same with a token of an organisation's admin."""
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
