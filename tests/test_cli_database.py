"""A command run before `uprwatch init`, or against a database that is not there, says so."""

from __future__ import annotations

from browser_support import run_uprwatch

from uprwatch.cli import database_problem


def test_commands_before_init_say_to_run_init(tmp_path):
    for args in (("search", "women"), ("profile", "China"), ("classify", "evaluate", "--train-sessions", "1-2",
                                                               "--test-sessions", "3")):
        result = run_uprwatch(tmp_path, *args, check=False, timeout=120)
        assert result.returncode == 1, result.stderr
        assert "run `uprwatch init` first" in result.stderr
        assert "Traceback" not in result.stderr


def test_unreachable_postgresql_is_a_message(tmp_path):
    result = run_uprwatch(tmp_path, "search", "women", check=False, timeout=120,
                          DATABASE_URL="postgres://nobody:secret@127.0.0.1:9/none")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot open the database:")
    assert "Traceback" not in result.stderr


def test_other_errors_are_not_mistaken_for_a_missing_database():
    from django.db.utils import OperationalError

    assert database_problem(ValueError("no such table: x")) is None
    assert database_problem(OperationalError("database is locked")) is None
    assert "uprwatch init" in database_problem(OperationalError("no such table: records_state"))
