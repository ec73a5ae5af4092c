"""The smaller findings of the outside review: deleted evidence leaves no trace of its content, private
JSON is never cached, upload errors show no internal text, password-reset e-mails are rate-limited."""

from __future__ import annotations

import gzip

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile

from uprwatch.reports.dump import dump_database
from uprwatch.tracking import assessments, audit, events, organisations
from uprwatch.tracking.models import AuditEntry

SECRETS = ("SECRET-CITATION-7f3", "SECRET-QUOTE-7f3", "secret-source-7f3.pdf")


@pytest.fixture
def event(coalition):
    return events.create_event(coalition.alice, coalition.org, title="Arrests", occurred_on="2023-10-09")


def _evidence(coalition, event):
    return assessments.add_evidence(coalition.bob, event, citation=SECRETS[0], quote=SECRETS[1],
                                    upload=SimpleUploadedFile(SECRETS[2], b"%PDF-1.4 witness statement"))


def _traces(coalition, tmp_path) -> list[str]:
    """Where the secrets still appear: the audit log, its exports, a dump."""
    found = []
    log = " ".join(str(e.before) + str(e.after) for e in AuditEntry.objects.all())
    found += [f"audit log: {s}" for s in SECRETS if s in log]
    for fmt in ("csv", "json"):
        text = audit.export(coalition.org, fmt)
        found += [f"audit {fmt}: {s}" for s in SECRETS if s in text]
    path = tmp_path / "dump.jsonl.gz"
    dump_database(path)
    text = gzip.decompress(path.read_bytes()).decode()
    found += [f"dump: {s}" for s in SECRETS if s in text]
    return found


def test_deleted_evidence_leaves_no_trace(coalition, event, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    item = _evidence(coalition, event)
    assessments.publish(coalition.alice, item)
    assert _traces(coalition, tmp_path)  # the secrets are there while the evidence exists
    stored = settings.MEDIA_ROOT / item.file.name
    assert stored.is_file()
    with pytest.raises(ValueError):  # the log stays append-only otherwise
        AuditEntry.objects.filter(object_type="evidenceitem").first().delete()
    with _committing():
        assessments.delete_evidence(coalition.alice, item)
    assert _traces(coalition, tmp_path) == []
    assert not stored.exists()
    # who did what and when is kept
    actions = list(AuditEntry.objects.filter(object_type="evidenceitem").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "publish"]


def test_deleting_an_event_forgets_its_evidence_too(coalition, event, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    item = _evidence(coalition, event)
    stored = settings.MEDIA_ROOT / item.file.name
    with _committing():
        events.delete_event(coalition.alice, event)
    assert _traces(coalition, tmp_path) == []
    assert not stored.exists()


class _committing:
    """Run the on_commit callbacks the block registers, as a real commit would (the test's transaction
    is rolled back, never committed)."""

    def __enter__(self):
        from django.test import TestCase

        self._context = TestCase.captureOnCommitCallbacks(execute=True)
        return self._context.__enter__()

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def test_private_json_to_a_token_is_never_cached(client, coalition):
    token = organisations.create_token(coalition.bob)[1]
    for path in ("/api/tracking/campaigns", "/api/tracking/events", "/api/tracking/preferences",
                 "/api/recommendations?q=torture"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"], path
    client.force_login(coalition.bob)
    assert "no-store" in client.get("/tracking/").headers["Cache-Control"]


@pytest.mark.parametrize("name, content", [
    ("damaged.docx", b"PK\x03\x04" + b"\x00" * 40),
    ("damaged.pdf", b"%PDF-1.4\n" + b"garbage " * 50),
    ("fake.docx", b"PK\x05\x06" + b"\x00" * 18),
])
def test_upload_errors_show_no_internal_text(client, coalition, name, content):
    token = organisations.create_token(coalition.bob)[1]
    response = client.post("/api/documents/parse", {"file": SimpleUploadedFile(name, content)},
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    detail = response.json()["detail"]
    for internal in ("Error:", "Error(", "/tmp", "uprwatch-upload-", "zipfile", "Traceback", "PdfiumError",
                     "BadZipFile", "KeyError"):
        assert internal not in detail, detail


def test_password_reset_emails_are_rate_limited(client, db, settings, django_user_model):
    caches["throttle"].clear()
    django_user_model.objects.create_user("zoe", "zoe@example.org", "a-long-passphrase-2024")
    for _ in range(settings.UPRWATCH_PASSWORD_RESETS_PER_EMAIL):
        assert client.post("/accounts/password_reset/", {"email": "zoe@example.org"},
                           REMOTE_ADDR="192.0.2.1").status_code == 302
    flooded = client.post("/accounts/password_reset/", {"email": "zoe@example.org"}, REMOTE_ADDR="192.0.2.2")
    assert flooded.status_code == 429 and "Try again in" in flooded.content.decode()
    assert int(flooded.headers["Retry-After"]) > 0
    assert len(mail.outbox) == settings.UPRWATCH_PASSWORD_RESETS_PER_EMAIL
    # the same limit for an address with no account: the answer says nothing about accounts
    for _ in range(settings.UPRWATCH_PASSWORD_RESETS_PER_EMAIL):
        client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, REMOTE_ADDR="192.0.2.3")
    assert client.post("/accounts/password_reset/", {"email": "nobody@example.org"},
                       REMOTE_ADDR="192.0.2.3").status_code == 429
    # and one client cannot spray many addresses
    settings.UPRWATCH_PASSWORD_RESETS_PER_ADDRESS = 2
    codes = [client.post("/accounts/password_reset/", {"email": f"p{i}@example.org"}, REMOTE_ADDR="192.0.2.9")
             .status_code for i in range(3)]
    assert codes == [302, 302, 429]
    caches["throttle"].clear()
