"""Django settings, read from the environment.

``DATABASE_URL`` selects PostgreSQL (``postgres://...``); without it the database is SQLite in
``UPRWATCH_HOME``. Production settings (``SECRET_KEY``, ``ALLOWED_HOSTS``, email) come from the
environment too; ``uprwatch check --deploy`` says what is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from uprwatch.home import uprwatch_home


# Every setting is read from the environment through these helpers, and only here: the README's
# "Configuration" lists each one (tests/test_documentation.py checks that it does).
def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(env(name, str(default)))


def env_flag(name: str) -> bool:
    """A switch: on only when set to ``1``."""
    return env(name, "0") == "1"


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated values, blanks dropped."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]

BASE_DIR = Path(__file__).resolve().parent
HOME = uprwatch_home()

DEFAULT_SECRET_KEY = "uprwatch-insecure-development-key"
SECRET_KEY = env("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_flag("UPRWATCH_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # intcomma: every count on a page with thousands separators
    "ninja",  # serves /api/docs from its own static files instead of a CDN (offline, CSP 'self')
    "uprwatch.records",
    "uprwatch.search",
    "uprwatch.documents",
    "uprwatch.classify",
    "uprwatch.analysis",
    "uprwatch.calendar",
    "uprwatch.tracking",
    "uprwatch.reports",
    "uprwatch.sources",
    "uprwatch.web",
]

MIDDLEWARE = [
    "uprwatch.web.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "uprwatch.ui.security.SecurityHeadersMiddleware",
    # before anything reads a body (the login throttle reads the login form)
    "uprwatch.web.bodylimit.BodySizeLimitMiddleware",
    "uprwatch.ui.throttle.LoginThrottleMiddleware",
    "uprwatch.web.costs.ExpensiveRequestMiddleware",
    "uprwatch.ui.user_errors.UserErrorMiddleware",
    "uprwatch.web.pagecache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "uprwatch.urls"
WSGI_APPLICATION = "uprwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "uprwatch.sqlite3"),
            # Keep connections between requests (as for PostgreSQL): reopening cost ~4 ms of CPU per request
            # (connect, PRAGMAs, schema parse, cold page cache), a third of a search at 41k rows.
            "CONN_MAX_AGE": 60,
            # WAL lets readers go on while an import writes; see https://www.sqlite.org/wal.html
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["uprwatch.formats"]  # one date format everywhere: see formats/en/formats.py
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = HOME / "uploads"

LOGIN_URL = "/accounts/login/"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "uprwatch@localhost")

# Largest document an editor may upload (bytes).
UPRWATCH_MAX_UPLOAD_BYTES = env_int("UPRWATCH_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# Longest PDF brief (recommendations) the web and API make; the CLI has no limit (reports/brief.py).
UPRWATCH_PDF_MAX_RECOMMENDATIONS = env_int("UPRWATCH_PDF_MAX_RECOMMENDATIONS", 2500)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest ingest request (several documents at once), in bytes (UPRWATCH_MAX_EVIDENCE_BYTES: below).
# Bodies over these limits are refused from their Content-Length before being read (web/bodylimit.py).
UPRWATCH_MAX_INGEST_BYTES = env_int("UPRWATCH_MAX_INGEST_BYTES", 200 * 1024 * 1024)
# Days an invitation link stays valid (tracking/organisations.py); it is also single-use and only the
# account of the invited e-mail address may accept it.
UPRWATCH_INVITATION_DAYS = env_int("UPRWATCH_INVITATION_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens, passwords and the secret key never reach a log line (see uprwatch.ui.security).
    "filters": {"redact_secrets": {"()": "uprwatch.ui.security.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("UPRWATCH_LOG_LEVEL", "WARNING")},
}

# --- deploy settings (owner: deploy; `uprwatch check --deploy` verifies them) ---
# UPRWATCH_HTTPS=1 means the site is reached over HTTPS through a reverse proxy that terminates TLS
# and sets X-Forwarded-Proto / X-Forwarded-For: cookies become Secure, HSTS is sent, http redirects.
HTTPS = env_flag("UPRWATCH_HTTPS")
# Set by `uprwatch serve --production`: static files then come from collectstatic's STATIC_ROOT.
PRODUCTION = env_flag("UPRWATCH_PRODUCTION")
# gunicorn workers of `uprwatch serve --production` without --workers (gunicorn's own variable name);
# 0: 2 per CPU core + 1, at most 8.
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 0)
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("UPRWATCH_SESSION_AGE", 14 * 24 * 3600)
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
# Subdomains and preload lists belong to whoever owns the domain, not to this app: opt in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("UPRWATCH_HSTS_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_flag("UPRWATCH_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS), ("security.W021", SECURE_HSTS_PRELOAD))
    if not chosen
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or (
    [f"https://{h}" for h in ALLOWED_HOSTS if h != "*" and not h.startswith(".")] if HTTPS else []
)

EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Login throttling (uprwatch.ui.throttle): failures allowed per user name and per client address
# within the window. The file cache is shared by every gunicorn worker on the machine.
UPRWATCH_LOGIN_FAILURES_PER_USER = env_int("UPRWATCH_LOGIN_FAILURES_PER_USER", 5)
UPRWATCH_LOGIN_FAILURES_PER_ADDRESS = env_int("UPRWATCH_LOGIN_FAILURES_PER_ADDRESS", 20)
UPRWATCH_LOGIN_WINDOW_SECONDS = env_int("UPRWATCH_LOGIN_WINDOW_SECONDS", 900)
# Password-reset e-mails (uprwatch.ui.throttle): requests allowed per e-mail address and per client
# address within the window; more answer 429 and send nothing.
UPRWATCH_PASSWORD_RESETS_PER_EMAIL = env_int("UPRWATCH_PASSWORD_RESETS_PER_EMAIL", 3)
UPRWATCH_PASSWORD_RESETS_PER_ADDRESS = env_int("UPRWATCH_PASSWORD_RESETS_PER_ADDRESS", 10)
UPRWATCH_PASSWORD_RESET_WINDOW_SECONDS = env_int("UPRWATCH_PASSWORD_RESET_WINDOW_SECONDS", 3600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Public pages for anonymous visitors (uprwatch.web.pagecache), shared by the server's workers (one
    # worker's page serves them all): at most ~500 pages on disk, ~100 MB.
    "pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(HOME / "cache" / "pages"), "OPTIONS": {"MAX_ENTRIES": 500}},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(HOME / "cache" / "throttle"),
    },
    # Answers to identical expensive anonymous requests (uprwatch.web.costs): ~50 downloads on disk.
    "exports": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(HOME / "cache" / "exports"), "OPTIONS": {"MAX_ENTRIES": 50}},
}
AUTHENTICATION_BACKENDS = ["uprwatch.ui.throttle.ThrottledModelBackend"]
UPRWATCH_PAGE_CACHE_SECONDS = env_int("UPRWATCH_PAGE_CACHE_SECONDS", 60)
# Expensive anonymous requests (uprwatch.web.costs): CPU seconds per client address per window for
# exports, matrices and briefs (then 429), and how long identical ones are answered from the cache.
UPRWATCH_ANONYMOUS_CPU_SECONDS = env_float("UPRWATCH_ANONYMOUS_CPU_SECONDS", 20)
UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS = env_int("UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS", 600)
UPRWATCH_EXPORT_CACHE_SECONDS = env_int("UPRWATCH_EXPORT_CACHE_SECONDS", 600)
# How many exports, matrices and briefs are built at once on the whole server (uprwatch.web.slots; the
# others wait their turn, so pages keep the remaining CPUs); 0 = half the CPUs, at least one.
UPRWATCH_EXPENSIVE_SLOTS = env_int("UPRWATCH_EXPENSIVE_SLOTS", 0)
# 1: every answer carries "Server-Timing: cpu;dur=<ms>, total;dur=<ms>", the CPU its thread spent building
# it and how long the server held it (benchmarks/load.py sets it to report them per page kind; off by default).
UPRWATCH_SERVER_TIMING = env("UPRWATCH_SERVER_TIMING", "0") == "1"
# --- end deploy settings ---

# The address uprwatch is reached at, for links in answers given outside a web request (the stdio MCP
# server's citations); HTTP answers use the address the client used.
UPRWATCH_PUBLIC_URL = env("UPRWATCH_PUBLIC_URL", "http://127.0.0.1:8000")
# Requests one MCP client (a token, else an address) may send to /mcp/ a minute; 0 turns the limit off.
UPRWATCH_MCP_REQUESTS_PER_MINUTE = env_int("UPRWATCH_MCP_REQUESTS_PER_MINUTE", 120)

# Live sources: where `uprwatch sync uhri` downloads OHCHR's Universal Human Rights Index export.
UPRWATCH_UHRI_EXPORT_URL = env(
    "UPRWATCH_UHRI_EXPORT_URL", "https://dataex.ohchr.org/uhri/export-results/export-full-en.json"
)

# Where the site is reached (https://upr.example.org), for absolute links in alert emails.
UPRWATCH_SITE_URL = env("UPRWATCH_SITE_URL")
# A CSV of deadline rules replacing the shipped calendar/deadline-rules.csv (see README "Calendar").
UPRWATCH_CALENDAR_RULES = env("UPRWATCH_CALENDAR_RULES") or None
# Largest evidence file a person may attach to an assessment or event (bytes).
UPRWATCH_MAX_EVIDENCE_BYTES = env_int("UPRWATCH_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024)

# --- live sources: UPR Info's database and UN documents (owner: sources; see README "Keeping up to date") ---
# Every address is a setting, so tests, mirrors and outside checks point uprwatch elsewhere.
UPRWATCH_UN_DOCUMENTS_URL = env("UPRWATCH_UN_DOCUMENTS_URL", "https://documents.un.org")
UPRWATCH_UPR_INFO_URL = env("UPRWATCH_UPR_INFO_URL", "https://upr-info-database.uwazi.io")
# Seconds between two pages of UPR Info's API: a courtesy to a small NGO's server (tests set 0).
UPRWATCH_UPR_INFO_PAUSE_SECONDS = env_float("UPRWATCH_UPR_INFO_PAUSE_SECONDS", 0.5)
# Entities per page of UPR Info's API: 264,000 entities are 1,320 pages, 11 minutes of pauses.
UPRWATCH_UPR_INFO_PAGE_SIZE = env_int("UPRWATCH_UPR_INFO_PAGE_SIZE", 200)
# First wait after a 429 or 5xx answer from any source (doubled after each failure; Retry-After wins).
UPRWATCH_SOURCES_BACKOFF_SECONDS = env_float("UPRWATCH_SOURCES_BACKOFF_SECONDS", 2.0)
# The Data sources page starts the sync job it queues in a background process (0: leave it to cron's
# `uprwatch jobs run`).
UPRWATCH_SOURCES_START_JOBS = env("UPRWATCH_SOURCES_START_JOBS", "1") == "1"
# --- end live sources ---
