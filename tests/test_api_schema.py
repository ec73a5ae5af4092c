"""schemathesis against /api/openapi.json with its default checks: no server error, and every answer's
status, content type, headers and body as the schema documents them; schema-valid requests accepted and
schema-violating ones refused. Run anonymously, with a member's token (Bob, a contributor) and with an
admin's (Alice), for every operation.

Requests go in-process to the Django WSGI app over the real dataset (the ``db`` fixture rolls each
operation's writes back). The project's ``schemathesis.toml`` (also read by ``schemathesis run``) lists
what a schema cannot state: content the API checks against the data or a grammar. Examples are few and
derandomized (the same requests on every run; the suite stays fast on 2 cores):
``UPRWATCH_SCHEMA_EXAMPLES`` (default 2) sets how many per operation, ``HYPOTHESIS_PROFILE=explore`` draws
new ones, and ``UPRWATCH_SCHEMA_COVERAGE=1`` adds schemathesis's boundary cases (minutes per operation).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import negated_parameters

from uprwatch.wsgi import application

CONFIG = SchemathesisConfig.from_path(str(Path(__file__).resolve().parent.parent / "schemathesis.toml"))
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)
EXAMPLES = int(os.environ.get("UPRWATCH_SCHEMA_EXAMPLES", "2"))
# The coverage phase adds many boundary cases per operation (minutes each on 2 shared cores): opt in.
schema.config.phases.coverage.enabled = os.environ.get("UPRWATCH_SCHEMA_COVERAGE") == "1"
# derandomized by conftest's "repeatable" profile (HYPOTHESIS_PROFILE=explore draws new examples)
examples = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


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
def _quick_passwords(settings):
    """The personas' passwords hashed with a fast hasher: PBKDF2 for three users per operation took minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_throttle_left():
    from django.core.cache import caches

    caches["throttle"].clear()


def _token(user) -> str:
    from uprwatch.tracking.organisations import create_token

    return create_token(user)[1]


def _call(case, token: str | None = None) -> None:
    headers = None
    # A case that leaves out (or garbles) the Authorization header on purpose checks the 401: keep it so.
    if token and ("Authorization", ParameterLocation.HEADER) not in set(negated_parameters(case.meta)):
        headers = {"Authorization": f"Bearer {token}"}
    case.call_and_validate(headers=headers)


@pytest.mark.slow
@schema.parametrize()
@examples
def test_default_checks_anonymous(case, db):
    """Everything the API answers an anonymous client is documented (schemathesis's default checks)."""
    _call(case)


@pytest.mark.slow
@schema.parametrize()
@examples
def test_default_checks_with_a_members_token(case, coalition):
    """The same with the token of Bob, a contributor to the coalition: the role checks' 403s."""
    _call(case, _token(coalition.bob))


@pytest.mark.slow
@schema.parametrize()
@examples
def test_default_checks_with_an_admins_token(case, coalition):
    """The same with the token of Alice, the coalition's admin: writes that succeed."""
    _call(case, _token(coalition.alice))


def test_the_reports_say_that_they_need_a_selection(client, db):
    """A brief or matrix about nothing is a 400 the schema states: one object parameter that requires one of
    ``sur``, ``q`` and ``campaign`` (sent as ordinary query parameters)."""
    for path in ("/api/reports/brief", "/api/reports/matrix"):
        parameters = schema.raw_schema["paths"][path]["get"]["parameters"]
        selection = next(p for p in parameters if p["name"] == "selection")
        assert selection["required"] and selection["style"] == "form" and selection["explode"]
        assert sorted(one["required"][0] for one in selection["schema"]["anyOf"]) == ["campaign", "q", "sur"]
        assert not any(p["name"] in ("sur", "q", "campaign") for p in parameters)
        response = client.get(path, {"sur": " "})
        assert response.status_code == 400 and "say what the report is about" in response.json()["detail"]
        assert client.get(path, {"sur": "China", "q": "torture"}).status_code == 200


def test_integer_parameters_are_bounded_by_the_database(db):
    for path, operations in schema.raw_schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                kind = parameter["schema"].get("items", parameter["schema"])
                if kind.get("type") == "integer":
                    assert "minimum" in kind and "maximum" in kind, (path, parameter["name"])
