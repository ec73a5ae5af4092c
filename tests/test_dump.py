"""``uprwatch dump`` / ``uprwatch restore``: lossless round trips, refusals, and SQLite <-> PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection

from uprwatch.cli import main
from uprwatch.records.models import Label, Recommendation, Term
from uprwatch.reports.dump import (
    DumpError,
    database_snapshot,
    dump_database,
    dump_rows,
    dumped_models,
    read_header,
    restore_database,
    validate_dump,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def richer_database(coalition):
    """Beyond the bundled dataset: users, a machine label, tracking content with history and evidence."""
    from uprwatch.tracking import assessments

    rec = Recommendation.objects.filter(review__state__iso3="CHN").order_by("id").first()
    term = Term.objects.filter(taxonomy="issue").exclude(labels__recommendation=rec).first()
    Label.objects.create(recommendation=rec, term=term, origin="machine", confidence=0.8125, model_version="t/1")
    assessment = assessments.save_assessment(coalition.alice, coalition.org, rec.pk, status="not_implemented",
                                             rationale="Ünïcode — “quotes” & <tags>", publish=True)
    assessments.add_evidence(coalition.alice, assessment, citation="A report", date="2024-01-02")
    return coalition


@pytest.mark.slow  # the whole database out and back (~20 s)
def test_dump_then_restore_into_an_emptied_database_compares_equal(richer_database, tmp_path):
    before = database_snapshot()
    assert len(before["records.recommendation"]) == 41066
    assert any(row for row in before.get("tracking.assessment", []))
    path = tmp_path / "all.jsonl.gz"
    summary = dump_database(path)
    assert summary.counts["records.recommendation"] == 41066
    header = validate_dump(path)
    assert header["format"] == "uprwatch-dump" and "records" in header["migrations"]

    for model in dumped_models():  # empty every table (foreign keys are checked at commit only)
        model._base_manager.all()._raw_delete(connection.alias)
    assert Recommendation.objects.count() == 0

    restored = restore_database(path, migrate=False)
    assert restored.rows == summary.rows
    assert database_snapshot() == before
    # A label keeps its origin, confidence and model version; timestamps are not re-stamped.
    assert Label.objects.filter(origin="machine", confidence=0.8125, model_version="t/1").exists()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    path = write_dump(tmp_path / "small.jsonl.gz", [["records.bloc", [1, "EU"]]],
                      models=[{"model": "records.bloc", "columns": ["id", "code"], "count": 1}])
    blocs = list(database_snapshot()["records.bloc"])
    result = CliRunner().invoke(main, ["restore", str(path)])
    assert result.exit_code == 1
    assert "not empty" in result.output and "database unchanged" in result.output
    assert database_snapshot()["records.bloc"] == blocs


def write_dump(path: Path, rows: list, models: list, migrations: dict | None = None, trailer: bool = True,
               tamper: bool = False) -> Path:
    """A small dump written by hand, with a correct (or deliberately wrong) checksum."""
    header = {"format": "uprwatch-dump", "version": 1, "created_at": "2026-01-01T00:00:00+00:00",
              "uprwatch_version": "test", "database": "sqlite", "migrations": migrations or {}, "models": models}
    lines = [json.dumps(header).encode() + b"\n"] + [json.dumps(r).encode() + b"\n" for r in rows]
    digest = hashlib.sha256(b"".join(lines)).hexdigest()
    if tamper:
        lines[-1] = lines[-1].replace(b"EU", b"XX")
    with gzip.open(path, "wb") as out:
        out.writelines(lines)
        if trailer:
            out.write(json.dumps({"end": "uprwatch-dump", "rows": len(rows), "sha256": digest}).encode() + b"\n")
    return path


def put(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BLOC = {"model": "records.bloc", "columns": ["id", "code"], "count": 1}


@pytest.mark.parametrize("make, message", [
    (lambda p: put(p, b"id,name\n1,EU\n"), "not a gzip file"),
    (lambda p: put(p, gzip.compress(b'{"hello": "world"}\n')), "not an uprwatch dump"),
    (lambda p: put(p, gzip.compress(b"\x00\xff garbage")), "not valid JSON"),
    (lambda p: write_dump(p, [["records.bloc", [1, "EU"]]], [BLOC], tamper=True), "checksum mismatch"),
    (lambda p: write_dump(p, [["records.bloc", [1, "EU"]]], [BLOC], trailer=False), "truncated"),
    (lambda p: write_dump(p, [["records.bloc", [1, "EU"]]], [{**BLOC, "count": 2}]), "inconsistent"),
    (lambda p: write_dump(p, [["records.nothing", [1]]], [BLOC]), "not a row of a model"),
    (lambda p: put(p, gzip.compress(json.dumps({"format": "uprwatch-dump", "version": 99}).encode())),
     "format version 99"),
    (lambda p: write_dump(p, [], [{**BLOC, "count": 0}], migrations={"records": ["0999_future"]}), "newer uprwatch"),
])
def test_restore_rejects_foreign_corrupt_truncated_and_newer_dumps(tmp_path, make, message):
    path = make(tmp_path / "bad.jsonl.gz")
    before = Recommendation.objects.count()
    result = CliRunner().invoke(main, ["restore", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert Recommendation.objects.count() == before


@pytest.mark.slow  # dumps the whole database
def test_truncated_real_dump_is_rejected(tmp_path):
    path = tmp_path / "all.jsonl.gz"
    dump_database(path)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DumpError, match="damaged or truncated"):
        validate_dump(cut)
    assert read_header(cut)["format"] == "uprwatch-dump"  # the header alone is still readable


def test_dump_to_an_unwritable_path_fails_cleanly(tmp_path):
    result = CliRunner().invoke(main, ["dump", str(tmp_path / "missing" / "x.gz")])
    assert result.exit_code == 1 and "does not exist" in result.output
    result = CliRunner().invoke(main, ["dump", "/proc/uprwatch.jsonl.gz"])
    assert result.exit_code == 1 and "cannot write" in result.output


def test_dumped_models_cover_every_uprwatch_model_with_a_table():
    from django.apps import apps

    tables = set(connection.introspection.table_names())
    expected = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)
                if m._meta.app_config.name.startswith("uprwatch.") and m._meta.managed and not m._meta.proxy
                and m._meta.db_table in tables}
    labels = {m._meta.label_lower for m in dumped_models()}
    assert expected <= labels
    assert {"auth.user", "auth.group", "admin.logentry", "records.recommendation_recommending_states"} <= labels


# --- SQLite <-> PostgreSQL ---------------------------------------------------------------------------

def rows_of(path: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for label, row in dump_rows(path):
        found.setdefault(label, []).append(row)
    return found


def uprwatch(args: list[str], home: Path, database_url: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["UPRWATCH_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-m", "uprwatch.cli", *args], env=env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]


def fresh_postgres_database(base_url: str) -> tuple[str, callable]:
    """A new empty PostgreSQL database on the server of ``base_url``; returns its URL and a dropper."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(base_url)
    name = f"uprwatch_dump_{uuid.uuid4().hex[:8]}"
    admin = dict(host=config["HOST"] or "localhost", port=config["PORT"] or 5432, user=config["USER"],
                 password=config["PASSWORD"], dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = base_url.rsplit("/", 1)[0] + "/" + name
    return url, drop


def postgres_url() -> str | None:
    if connection.vendor == "postgresql":
        return os.environ.get("DATABASE_URL")
    return os.environ.get("UPRWATCH_TEST_POSTGRES_URL")


@pytest.mark.slow
@pytest.mark.postgres
def test_dump_moves_between_sqlite_and_postgresql_both_ways(richer_database, tmp_path):
    """Dump this database, restore it into the other engine, dump that, restore back: same rows all along."""
    base = postgres_url()
    if not base:
        pytest.skip("no PostgreSQL: set UPRWATCH_TEST_POSTGRES_URL (the CI's PostgreSQL pass runs this)")
    original = tmp_path / "original.jsonl.gz"
    dump_database(original)
    expected = rows_of(original)
    pg_url, drop = fresh_postgres_database(base)
    try:
        if connection.vendor == "postgresql":
            hops = [("sqlite", None), ("postgresql", pg_url)]
        else:
            hops = [("postgresql", pg_url), ("sqlite", None)]
        source = original
        for number, (vendor, url) in enumerate(hops):
            home = tmp_path / f"home-{number}"
            home.mkdir()
            uprwatch(["restore", "--no-index", str(source)], home, url)
            again = tmp_path / f"from-{vendor}.jsonl.gz"
            uprwatch(["dump", str(again)], home, url)
            assert read_header(again)["database"] == vendor
            assert rows_of(again) == expected, f"rows differ after a round trip through {vendor}"
            source = again
    finally:
        drop()


# --- dumps written before a model was renamed ---------------------------------------------------------

def test_a_dump_written_when_campaigns_were_watchlists_restores_as_campaigns(tmp_path):
    """Before tracking's migration 0004 the campaign model was ``Watchlist``: its dumps name
    ``tracking.watchlist``, its many-to-many tables and ``watchlist_id`` columns, and its content type and
    permissions. ``restore`` reads them as the campaign they are."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import User

    from uprwatch.records.models import State
    from uprwatch.tracking import campaigns
    from uprwatch.tracking.models import AuditEntry, Campaign, Notification

    r1, r2, r3 = Recommendation.objects.filter(review__state__iso3="CHN").order_by("id").values_list("pk", flat=True)[:3]
    china, cuba = (State.objects.get(iso3=code).pk for code in ("CHN", "CUB"))
    at = "2026-12-02T18:05:48.397683+00:00"
    # Tables and rows exactly as the code before the rename dumped them (`uprwatch dump`, uprwatch 0.1.0).
    old = {
        "admin.logentry": (["id", "action_time", "user_id", "content_type_id", "object_id", "object_repr",
                            "action_flag", "change_message"], [[1, at, 1, ["tracking", "watchlist"], "1", "Escapees", 1, "[]"]]),
        "auth.user": (["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                       "is_staff", "is_active", "date_joined"],
                      [[1, "!", None, False, "alice", "", "", "alice@example.org", False, True, at]]),
        "auth.user_user_permissions": (["id", "user_id", "permission_id"], [[1, 1, ["tracking", "change_watchlist"]]]),
        "tracking.auditentry": (["id", "organisation_id", "user_id", "username", "action", "object_type", "object_id",
                                 "before", "after", "at"],
                                [[1, 1, 1, "alice", "create", "watchlist", "1", None, {"id": 1, "name": "Escapees"}, at]]),
        "tracking.membership": (["id", "user_id", "organisation_id", "role", "created_at"], [[1, 1, 1, "admin", at]]),
        "tracking.notification": (["id", "user_id", "kind", "watchlist_id", "key", "message", "url",
                                   "recommendation_ids", "created_at", "read_at", "emailed_at"],
                                  [[1, 1, "watchlist_match", 1, "match:x", "2 new", "", [r1], at, None, None]]),
        "tracking.organisation": (["id", "name", "slug", "coalition_id", "created_at"],
                                  [[1, "Coalition", "coalition", None, at]]),
        "tracking.watchlist": (["id", "organisation_id", "name", "description", "query", "visibility", "version",
                                "created_by_id", "created_at", "updated_at"],
                               [[1, 1, "Escapees", "", "", "private", 1, 1, at, at]]),
        "tracking.watchlist_excluded": (["id", "watchlist_id", "recommendation_id"], [[1, 1, r3]]),
        "tracking.watchlist_pinned": (["id", "watchlist_id", "recommendation_id"], [[1, 1, r1], [2, 1, r2]]),
        "tracking.watchlist_states": (["id", "watchlist_id", "state_id"], [[1, 1, china], [2, 1, cuba]]),
    }
    path = write_dump(
        tmp_path / "before-0004.jsonl.gz",
        [[label, row] for label, (_columns, rows) in old.items() for row in rows],
        models=[{"model": label, "columns": columns, "count": len(rows)} for label, (columns, rows) in old.items()],
        migrations={"tracking": ["0001_initial", "0002_job_running", "0003_evidence_visibility"]},
    )

    assert restore_database(path, migrate=False).rows == sum(len(rows) for _columns, rows in old.values())

    campaign = Campaign.objects.get()
    assert (campaign.pk, campaign.name, campaign.organisation.name) == (1, "Escapees", "Coalition")
    assert set(campaign.pinned.values_list("pk", flat=True)) == {r1, r2}
    assert set(campaign.excluded.values_list("pk", flat=True)) == {r3}
    assert set(campaign.states.values_list("iso3", flat=True)) == {"CHN", "CUB"}
    assert campaigns.recommendation_ids(campaign) == {r1, r2}
    assert Notification.objects.get().campaign == campaign
    alice = User.objects.get(username="alice")
    assert alice.has_perm("tracking.change_campaign")
    assert LogEntry.objects.get().get_edited_object() == campaign
    # The audit log keeps calling campaigns "watchlist", before and after the rename.
    assert AuditEntry.objects.get().object_type == "watchlist"
