"""Tracking CLI: users, organisations, roles, tokens, audit export and the job runner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from uprwatch.cli import main
from uprwatch.tracking.models import ApiToken, Job, Membership, Organisation


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_users_orgs_tokens_audit_and_jobs(db):
    assert run("users", "create", "alice", "--email", "alice@example.org", input="alice-password-1\n").exit_code == 0
    assert run("users", "create", "bob", "--password", "bob-password-1").exit_code == 0
    duplicate = run("users", "create", "bob", "--password", "bob-password-1")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    assert run("users", "create", "eve", "--password", "short").exit_code == 1

    assert run("orgs", "create", "NK Escapees Coalition", "--admin", "alice").exit_code == 0
    assert run("orgs", "create", "Member Group", "--coalition", "nk-escapees-coalition").exit_code == 0
    assert Organisation.objects.get(slug="member-group").coalition.slug == "nk-escapees-coalition"
    assert run("orgs", "add-member", "nk-escapees-coalition", "bob", "--role", "contributor").exit_code == 0
    assert Membership.objects.get(user__username="bob").role == "contributor"
    missing = run("orgs", "add-member", "no-such-org", "bob")
    assert missing.exit_code == 1 and "no organisation" in missing.output
    assert run("orgs", "add-member", "nk-escapees-coalition", "nobody").exit_code == 1
    listed = json.loads(run("orgs", "list", "--json").output)
    assert {"slug": "nk-escapees-coalition", "name": "NK Escapees Coalition", "coalition": None,
            "members": {"alice": "admin", "bob": "contributor"}} in listed
    last_admin = run("orgs", "remove-member", "nk-escapees-coalition", "alice")
    assert last_admin.exit_code == 1 and "at least one admin" in last_admin.output

    audit_csv = run("orgs", "audit", "nk-escapees-coalition").output
    assert audit_csv.splitlines()[0] == "id,at,username,action,object_type,object_id,before,after"
    assert "membership" in audit_csv
    assert json.loads(run("orgs", "audit", "nk-escapees-coalition", "--format", "json").output)

    key = run("tokens", "create", "bob", "--name", "laptop").output.strip()
    assert key.startswith("upr_") and ApiToken.objects.get().key_hash == ApiToken.hash(key)
    assert "laptop" in run("tokens", "list").output
    assert run("tokens", "revoke", key).exit_code == 0
    assert ApiToken.objects.get().revoked_at is not None
    assert run("tokens", "revoke", key).exit_code == 1  # already revoked

    Job.objects.create(kind="watchlist_match", payload={"ids": [1], "reason": "ingest"})
    figures = json.loads(run("jobs", "run", "--json", "--no-deadlines").stdout)
    assert figures == {"jobs_done": 1, "jobs_failed": 0, "match_notifications": 0, "deadline_notifications": 0,
                       "queued": 0}
    Job.objects.create(kind="no_such_kind")
    failed = run("jobs", "run", "--json", "--no-deadlines")
    assert failed.exit_code == 1 and json.loads(failed.stdout)["jobs_failed"] == 1
    assert "unknown job kind" in Job.objects.get(kind="no_such_kind").error
