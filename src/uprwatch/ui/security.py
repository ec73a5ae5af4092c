"""Security headers on every response, and a log filter that keeps secrets out of logs.

Django's ``SecurityMiddleware`` already sends HSTS (when HTTPS), nosniff, Referrer-Policy and COOP, and
``XFrameOptionsMiddleware`` sends X-Frame-Options; this adds what Django 5.2 lacks: a Content Security
Policy that allows no inline script, a Permissions-Policy, and ``Cache-Control: no-store`` on pages shown
to a signed-in user and on every answer to an API token (members at risk may share a computer; their
tracking pages and private JSON must not sit in a cache).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Scripts only from our own origin: no inline code, no eval. Vega renders through its AST
# interpreter (charts.js passes ``ast: true``) and htmx's eval is turned off in base.html.
# Inline *styles* stay allowed: Vega, htmx and Swagger UI set style attributes from their own code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if request.headers.get("Authorization"):
            # An API answer to a token may hold the organisation's private data: never in any cache,
            # whatever the view set (the session middleware leaves ``request.user`` anonymous for tokens).
            response.headers["Cache-Control"] = "private, no-store"
        elif user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


# key=value pairs (query strings, form bodies, URLs) and headers whose value is a secret.
_SECRET_PAIR = re.compile(
    r"(?i)\b([\w-]*(?:password|passwd|secret|token|api[_-]?key|sessionid|csrfmiddlewaretoken)[\w-]*)"
    r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)"
)
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|cookie)(\s*[=:]\s*)(bearer\s+|token\s+|basic\s+)?[^\s,;]+")
_URL_PASSWORD = re.compile(r"(?i)(\w+://[^:/\s@]+:)([^@\s]+)(@)")
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    """Replace passwords, tokens, cookies and the secret key in ``text`` by ``[redacted]``."""
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _SECRET_PAIR.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    secret = getattr(settings, "SECRET_KEY", "")
    if secret and len(secret) >= 8:
        text = text.replace(secret, REDACTED)
    return text


class RedactSecretsFilter(logging.Filter):
    """Logging filter: the formatted message never carries a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break logging
            return True
        cleaned = redact_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def next_url(request: HttpRequest, fallback: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``fallback``.

    Anything else would be an open redirect (``//elsewhere.example``, ``https://...``) or, for a word
    that is not a path, a ``NoReverseMatch`` inside ``redirect()`` (a 500).
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
