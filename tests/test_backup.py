"""Backups that restore everything: ``uprwatch dump`` carries the uploaded evidence files with their
checksums, ``restore`` writes them back and verifies them, a missing file is a 404 with a message (never
a 500), and ``uprwatch check`` warns while the uploads folder is not covered by a backup."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from uprwatch.cli import main
from uprwatch.reports.dump import (
    DumpError,
    database_snapshot,
    dump_database,
    dumped_models,
    read_header,
    restore_database,
    validate_dump,
)
from uprwatch.tracking import assessments, events
from uprwatch.tracking.models import EvidenceItem
from uprwatch.web.checks import backup_checks

pytestmark = pytest.mark.django_db

# Binary content with every byte value, a PNG and a text file: byte-for-byte means byte-for-byte.
FILES = {
    "report.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 4000,  # ~1 MB: spans file chunks of the dump
    "photo.png": b"\x89PNG\r\n\x1a\n" + os.urandom(5000),
    "notes.txt": "Témoignage — “quoted”\n".encode() * 50,
}


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def evidence(coalition, uploads):
    event = events.create_event(coalition.alice, coalition.org, title="Forced returns", occurred_on="2023-10-09",
                                visibility="published")
    items = [assessments.add_evidence(coalition.alice, event, citation=name, upload=SimpleUploadedFile(name, data))
             for name, data in FILES.items()]
    return event, items


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored(item: EvidenceItem, root: Path) -> bytes:
    return (root / item.file.name).read_bytes()


def test_dump_holds_every_evidence_file_with_its_checksum(evidence, uploads, tmp_path):
    _event, items = evidence
    path = tmp_path / "backup.jsonl.gz"
    summary = dump_database(path)
    header = validate_dump(path)
    assert header["version"] == 2
    listed = {f["name"]: f for f in header["files"]}
    assert set(listed) == {item.file.name for item in items}
    for item in items:
        assert listed[item.file.name]["sha256"] == _sha(FILES[item.citation])
        assert listed[item.file.name]["size"] == len(FILES[item.citation])
    assert summary.files == 3 and summary.file_bytes == sum(map(len, FILES.values()))
    assert header["missing_files"] == []


def test_restore_brings_every_file_back_byte_for_byte_and_verified(evidence, uploads, tmp_path):
    _event, items = evidence
    path = tmp_path / "backup.jsonl.gz"
    dump_database(path)
    before = database_snapshot()
    for model in dumped_models():  # an empty database ...
        model._base_manager.all()._raw_delete(connection.alias)
    for item in items:  # ... and an empty uploads folder, as on a new server
        (uploads / item.file.name).unlink()
    summary = restore_database(path, migrate=False)
    assert summary.files == 3
    assert database_snapshot() == before
    for item in EvidenceItem.objects.all():
        assert _stored(item, uploads) == FILES[item.citation]
        assert item.file.open("rb").read() == FILES[item.citation]


def _rewrite(path: Path, change) -> Path:
    """The dump with its lines passed through ``change`` and a recomputed outer checksum (so only the
    per-file checksums can notice)."""
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    body = [change(line) for line in lines[:-1]]
    digest = hashlib.sha256(b"".join(body)).hexdigest()
    trailer = json.loads(lines[-1])
    trailer["sha256"] = digest
    out = path.with_name("changed.jsonl.gz")
    out.write_bytes(gzip.compress(b"".join(body) + json.dumps(trailer).encode() + b"\n"))
    return out


def test_a_damaged_file_in_the_dump_is_refused_before_anything_is_written(evidence, uploads, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    dump_database(path)

    def flip(line: bytes) -> bytes:
        if line.startswith(b'["@file"') and b"notes" not in line:
            record = json.loads(line)
            record[2] = record[2][:-8] + ("A" * 8 if not record[2].endswith("A" * 8) else "B" * 8)
            return json.dumps(record).encode() + b"\n"
        return line

    with pytest.raises(DumpError, match="checksum or size differs"):
        validate_dump(_rewrite(path, flip))

    def escape(line: bytes) -> bytes:
        return line.replace(b"tracking/evidence/", b"../../evil/") if line.startswith((b'{"format"', b'["@file"')) \
            else line

    with pytest.raises(DumpError, match="outside the uploads folder"):
        validate_dump(_rewrite(path, escape))


def test_a_version_1_dump_without_files_still_restores(tmp_path):
    from test_dump import write_dump

    path = write_dump(tmp_path / "v1.jsonl.gz", [], models=[{"model": "records.bloc", "columns": ["id", "code"],
                                                             "count": 0}])
    assert validate_dump(path)["version"] == 1


def test_a_missing_file_is_a_404_with_a_message_never_a_500(client, evidence, uploads):
    _event, items = evidence
    item = items[0]
    (uploads / item.file.name).unlink()
    response = client.get(f"/tracking/evidence/{item.pk}/file/")
    assert response.status_code == 404
    assert "missing from the server" in response.content.decode()
    present = client.get(f"/tracking/evidence/{items[1].pk}/file/")
    assert present.status_code == 200 and b"".join(present.streaming_content) == FILES[items[1].citation]


def test_check_warns_until_the_uploads_are_covered_by_a_dump(evidence, uploads, tmp_path):
    _event, items = evidence
    assert [m.id for m in backup_checks()] == ["uprwatch.W011"]  # never dumped
    dump_database(tmp_path / "backup.jsonl.gz")
    assert backup_checks() == []
    later = uploads / items[0].file.name
    os.utime(later, (later.stat().st_atime, later.stat().st_mtime + 3600))  # uploaded after the dump
    assert [m.id for m in backup_checks()] == ["uprwatch.W012"]
    later.unlink()
    assert "uprwatch.W010" in [m.id for m in backup_checks()]


def test_cli_dump_and_check_say_what_they_did(evidence, uploads, tmp_path):
    result = CliRunner().invoke(main, ["dump", str(tmp_path / "b.jsonl.gz")])
    assert result.exit_code == 0, result.output
    assert "3 uploaded files" in result.output


# --- a fresh home, on SQLite and on PostgreSQL ---------------------------------------------------------

def _uprwatch(args: list[str], home: Path, database_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["UPRWATCH_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-c", "from uprwatch.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _round_trip(evidence, tmp_path, database_url: str | None) -> None:
    _event, items = evidence
    original = tmp_path / "backup.jsonl.gz"
    dump_database(original)
    home = tmp_path / "fresh-home"
    home.mkdir()
    done = _uprwatch(["restore", "--no-index", str(original)], home, database_url)
    said = " ".join((done.stdout + done.stderr).split())  # rich wraps long lines
    assert "3 uploaded files (checksums verified)" in said
    for item in items:
        assert (home / "uploads" / item.file.name).read_bytes() == FILES[item.citation]
    # and the restored home dumps the same files again
    again = tmp_path / "again.jsonl.gz"
    _uprwatch(["dump", str(again)], home, database_url)
    assert read_header(again)["files"] == read_header(original)["files"]


@pytest.mark.slow
def test_round_trip_into_a_fresh_sqlite_home(evidence, tmp_path):
    _round_trip(evidence, tmp_path, None)


@pytest.mark.slow
@pytest.mark.postgres
def test_round_trip_into_a_fresh_postgresql_database(evidence, tmp_path):
    from test_dump import fresh_postgres_database, postgres_url

    base = postgres_url()
    if not base:
        pytest.skip("no PostgreSQL: set UPRWATCH_TEST_POSTGRES_URL (the CI's PostgreSQL pass runs this)")
    url, drop = fresh_postgres_database(base)
    try:
        _round_trip(evidence, tmp_path, url)
    finally:
        drop()
