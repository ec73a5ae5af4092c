"""Bad input on the command line ends in one ``Error: ...`` line and exit 1 or 2, never a traceback.

Each case here was a traceback before it was fixed (an audit of every command with bad arguments).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from uprwatch.cli import main

HUGE = "3" * 40  # beyond any database integer


def run(*args: str):
    # catch_exceptions=False: an uncaught exception fails the test with its traceback instead of passing quietly
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("args", [
    ("lineage", "--link", HUGE, "1"),
    ("lineage", "--link", "1", HUGE),
    ("lineage", "--unlink", HUGE, HUGE),
])
def test_lineage_ids_too_large_for_the_database(db, args):
    result = run(*args)
    assert result.exit_code == 1
    assert error_line(result) == f"Error: no recommendation {HUGE}"


@pytest.mark.parametrize(("train", "test"), [(HUGE, "17-20"), ("1-16", f"17-{HUGE}"), ("1-16", "1000")])
def test_classify_evaluate_rejects_sessions_beyond_any_session(db, train, test):
    result = run("classify", "evaluate", "--train-sessions", train, "--test-sessions", test)
    assert result.exit_code == 1
    assert error_line(result).startswith("Error: no session ")
    assert "sessions are numbered 1 to 999" in result.stderr


@pytest.mark.parametrize("limit", ["-1", HUGE])
def test_jobs_run_limit_out_of_range_is_a_usage_error(db, limit):
    result = run("jobs", "run", "--limit", limit)
    assert result.exit_code == 2
    assert "Invalid value for '--limit'" in result.stderr


@pytest.mark.parametrize("port", ["-1", "0", "99999999"])
def test_serve_port_out_of_range_is_a_usage_error(port):
    result = run("serve", "--port", port)
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.stderr


def test_search_json_output_to_a_missing_folder(db, tmp_path):
    target = tmp_path / "no-such-folder" / "out.json"
    result = run("search", "torture", "--format", "json", "--output", str(target))
    assert result.exit_code == 1
    assert error_line(result) == f"Error: cannot write {target}: No such file or directory"
    assert not target.parent.exists()


@pytest.mark.parametrize(("username", "message"), [
    ("u" * 151, "Error: username is 151 characters long; the limit is 150"),
    ("a\x00b", "Error: username contains a NUL character"),
])
def test_users_create_refuses_a_name_the_database_cannot_store(db, username, message):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    result = run("users", "create", username, "--password", "long-enough-password")
    assert result.exit_code == 1
    assert error_line(result) == message
    assert get_user_model().objects.count() == users  # (PostgreSQL cannot look up a name with a NUL)


def test_tokens_create_refuses_an_overlong_name(db, django_user_model):
    from uprwatch.tracking.models import ApiToken

    django_user_model.objects.create_user("erin", password="long-enough-password")
    result = run("tokens", "create", "erin", "--name", "n" * 101)
    assert result.exit_code == 1
    assert error_line(result) == "Error: name is 101 characters long; the limit is 100"
    assert not ApiToken.objects.filter(user__username="erin").exists()


def test_orgs_add_member_cannot_demote_the_last_admin(db, django_user_model):
    from uprwatch.tracking.models import Membership

    django_user_model.objects.create_user("erin", password="long-enough-password")
    assert run("orgs", "create", "Escapee Aid", "--admin", "erin").exit_code == 0
    result = run("orgs", "add-member", "escapee-aid", "erin", "--role", "viewer")
    # before: exit 0 and an organisation nobody could manage (remove-member already refused this)
    assert result.exit_code == 1
    assert error_line(result) == "Error: an organisation keeps at least one admin"
    assert Membership.objects.get(organisation__slug="escapee-aid", user__username="erin").role == "admin"


def test_serve_with_a_host_that_is_not_an_address(db):
    result = run("serve", "--host", "bad host", "--port", "8150")
    assert result.exit_code == 1
    assert error_line(result) == 'Error: "bad host:8150" is not a valid port number or address:port pair.'


def test_users_create_refuses_an_email_that_is_not_one(db, django_user_model):
    result = run("users", "create", "erin", "--email", "erin.example.org", "--password", "long-enough-password")
    assert result.exit_code == 1
    assert error_line(result) == "Error: not an email address: 'erin.example.org'"
    assert not django_user_model.objects.filter(username="erin").exists()
