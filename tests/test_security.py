"""Security: headers and CSP, CSRF, login throttling, auto-escaping, templates without inline script,
password validation, secrets kept out of logs, and `uprwatch check [--deploy]`."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from uprwatch.cli import main
from uprwatch.records.models import Recommendation
from uprwatch.ui.security import CONTENT_SECURITY_POLICY, RedactSecretsFilter, redact_secrets

SRC = Path(__file__).resolve().parent.parent / "src" / "uprwatch"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def clean_throttle():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def test_every_page_carries_security_headers(db, client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    # Anonymous pages may be cached; a member's pages may not (shared computers).
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_api_responses_carry_the_csp_too(db, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_signed_in_pages_are_not_cached(client, bob):
    client.force_login(bob)
    response = client.get("/")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_hsts_only_with_https(db, settings):
    assert "Strict-Transport-Security" not in Client().get("/").headers
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = Client().get("/", secure=True)  # a new client: middleware reads settings when it is built
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_https_setting_turns_on_secure_cookies_and_redirect(monkeypatch):
    import importlib

    import uprwatch.settings as project_settings

    monkeypatch.setenv("UPRWATCH_HTTPS", "1")
    monkeypatch.setenv("ALLOWED_HOSTS", "upr.example.org")
    try:
        fresh = importlib.reload(project_settings)
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE and fresh.SECURE_SSL_REDIRECT
        assert fresh.SECURE_HSTS_SECONDS >= 31536000
        assert fresh.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert fresh.CSRF_TRUSTED_ORIGINS == ["https://upr.example.org"]
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_csrf_is_enforced_on_forms(db, alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 403
    page = client.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def _fail_login(client: Client, username: str = "alice", address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_it_locks_an_account_after_five_failures(client, alice, settings):
    for _ in range(settings.UPRWATCH_LOGIN_FAILURES_PER_USER):
        assert _fail_login(client).status_code == 200  # the form again, with its error
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins for this account" in response.content
    # Not through another path either: the backend itself refuses while locked.
    same_client = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.1")
    assert authenticate(same_client, username="alice", password="alice-password-1") is None
    # Another account from the same address is not locked.
    assert client.post(LOGIN, {"username": "bob", "password": "x"}, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_nobody_can_lock_somebody_else_out(client, alice, settings):
    """The lock is per client and account: failures from an attacker's address do not lock Alice out of hers."""
    for _ in range(settings.UPRWATCH_LOGIN_FAILURES_PER_USER + 2):
        _fail_login(client, "alice", "203.0.113.66")
    assert _fail_login(client, "alice", "203.0.113.66").status_code == 429
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    elsewhere = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.2")
    assert authenticate(elsewhere, username="alice", password="alice-password-1") == alice


def test_it_locks_an_address_that_tries_many_names(client, db, settings):
    settings.UPRWATCH_LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("a", "b", "c"):
        _fail_login(client, name, "10.0.0.9")
    response = _fail_login(client, "d", "10.0.0.9")
    assert response.status_code == 429
    assert b"from your address" in response.content
    assert _fail_login(client, "d", "10.0.0.10").status_code == 200


def test_a_successful_sign_in_clears_the_count(client, alice, settings):
    for _ in range(settings.UPRWATCH_LOGIN_FAILURES_PER_USER - 1):
        _fail_login(client)
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    client.logout()
    for _ in range(settings.UPRWATCH_LOGIN_FAILURES_PER_USER - 1):
        assert _fail_login(client).status_code == 200


def test_the_lock_ends_after_the_window(client, alice, settings, monkeypatch):
    import time

    for _ in range(settings.UPRWATCH_LOGIN_FAILURES_PER_USER):
        _fail_login(client)
    assert _fail_login(client).status_code == 429
    later = time.time() + settings.UPRWATCH_LOGIN_WINDOW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302


def test_weak_passwords_are_refused(alice):
    for weak in ("password", "12345678", "alice-pw", "alice"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=alice)
    validate_password("a quiet river under Geneva", user=alice)


def test_recommendation_text_is_escaped(db, client):
    rec = Recommendation.objects.order_by("id").first()
    rec.text = 'Ratify <script>alert("x")</script> the <img src=x onerror=alert(1)> convention'
    rec.save(update_fields=["text"])
    body = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def _templates() -> list[Path]:
    return [p for p in SRC.rglob("templates/**/*.html")]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_and_keep_autoescape(template: Path):
    """The CSP would block inline code in a browser; this says which template, before a member sees it."""
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script> (move code to a static .js file)"
    assert not EVENT_HANDLER.search(text), "on*= event handler attribute (use a static .js file)"
    assert not JS_URL.search(text), "javascript: URL"
    assert "{% autoescape off" not in text, "autoescape off: recommendation texts and user input are untrusted"
    assert "hx-on" not in text, "hx-on runs inline code (htmx eval is off)"


def test_redact_secrets():
    line = ("GET /api/x?token=abc123&q=ok password=hunter2 Authorization: Bearer eyJhbGci "
            "postgres://upr:s3cret@db/upr sessionid=zzz")
    cleaned = redact_secrets(line)
    for secret in ("abc123", "hunter2", "eyJhbGci", "s3cret", "zzz"):
        assert secret not in cleaned
    assert "q=ok" in cleaned and "postgres://upr:[redacted]@db/upr" in cleaned


def test_log_records_are_redacted(settings):
    settings.SECRET_KEY = "k" * 20 + "unique-secret-value"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad request %s with key %s",
                               ("?api_key=abcdef", settings.SECRET_KEY), None)
    RedactSecretsFilter().filter(record)
    message = record.getMessage()
    assert "abcdef" not in message and "unique-secret-value" not in message


def test_check_passes_on_a_healthy_development_setup(db):
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output


def test_check_deploy_names_each_problem(db):
    result = CliRunner().invoke(main, ["check", "--deploy", "--json"])
    assert result.exit_code == 1
    import json

    report = json.loads(result.stdout)
    ids = {f["id"] for f in report["findings"]}
    assert {"uprwatch.E002", "uprwatch.W001", "uprwatch.W002", "uprwatch.W003"} <= ids
    assert report["ok"] is False


def test_check_deploy_flags_debug(db, settings):
    settings.DEBUG = True
    result = CliRunner().invoke(main, ["check", "--deploy"])
    assert result.exit_code == 1
    assert "uprwatch.E001" in result.output


def test_check_deploy_passes_on_a_correctly_configured_server(db, settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "x9" * 20 + "a-long-and-random-production-secret"
    settings.ALLOWED_HOSTS = ["upr.example.org"]
    settings.HTTPS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    result = CliRunner().invoke(main, ["check", "--deploy"])
    assert result.exit_code == 0, result.output
    assert "Ready for a shared server." in result.output


HUGE = "3" * 40  # beyond any database integer


@pytest.mark.parametrize(("url", "expected"), [
    # a join: SQLite's driver refuses the number (400); PostgreSQL compares it as numeric (no match)
    (f"/api/tracking/events?recommendation={HUGE}", {200, 400}),
    ("/api/tracking/assessments?organisation=G%00x&recommendation=1", {200, 400}),  # NUL: PostgreSQL refuses it
    ("/search/?sur=Chi%00na", {200, 400}),
    (f"/api/recommendations/{HUGE}", {404}),
    (f"/recommendations/{HUGE}/", {404}),
    (f"/api/recommendations?session={HUGE}", {200, 400}),  # a filter matching nothing is fine too
    (f"/search/?session={HUGE}&action={HUGE}", {200, 400}),
])
def test_numbers_too_large_for_the_database_are_never_a_server_error(db, client, url, expected):
    response = client.get(url)
    assert response.status_code in expected, (url, response.status_code)
    if response.status_code == 400 and url.startswith("/api/"):
        assert response.json()["detail"].startswith(("a number", "the request contains"))


def test_a_production_worker_warms_its_caches_in_the_background(db):
    """The first visitor of a fresh gunicorn worker should not wait for the catalog, model and arrays."""
    from uprwatch.analysis import facts
    from uprwatch.search import catalog
    from uprwatch.web.warmup import start_warm_up

    catalog.invalidate()
    facts.invalidate()
    start_warm_up().join(timeout=300)
    assert catalog._catalog.current is not None and catalog._catalog.current.size > 40_000
    assert facts._facts.current is not None
