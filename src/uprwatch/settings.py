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

BASE_DIR = Path(__file__).resolve().parent
HOME = uprwatch_home()

DEFAULT_SECRET_KEY = "uprwatch-insecure-development-key"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = os.environ.get("UPRWATCH_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "uprwatch.ui.security.SecurityHeadersMiddleware",
    "uprwatch.ui.throttle.LoginThrottleMiddleware",
    "uprwatch.ui.database_errors.DataErrorMiddleware",
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

DATABASE_URL = os.environ.get("DATABASE_URL", "")
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
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = HOME / "uploads"

LOGIN_URL = "/accounts/login/"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "uprwatch@localhost")

# Largest document an editor may upload (bytes).
UPRWATCH_MAX_UPLOAD_BYTES = int(os.environ.get("UPRWATCH_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
# Longest PDF brief (recommendations) the web and API make; the CLI has no limit (reports/brief.py).
UPRWATCH_PDF_MAX_RECOMMENDATIONS = int(os.environ.get("UPRWATCH_PDF_MAX_RECOMMENDATIONS", "2500"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens, passwords and the secret key never reach a log line (see uprwatch.ui.security).
    "filters": {"redact_secrets": {"()": "uprwatch.ui.security.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("UPRWATCH_LOG_LEVEL", "WARNING")},
}

# --- deploy settings (owner: deploy; `uprwatch check --deploy` verifies them) ---
# UPRWATCH_HTTPS=1 means the site is reached over HTTPS through a reverse proxy that terminates TLS
# and sets X-Forwarded-Proto / X-Forwarded-For: cookies become Secure, HSTS is sent, http redirects.
HTTPS = os.environ.get("UPRWATCH_HTTPS", "0") == "1"
# Set by `uprwatch serve --production`: static files then come from collectstatic's STATIC_ROOT.
PRODUCTION = os.environ.get("UPRWATCH_PRODUCTION", "0") == "1"
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("UPRWATCH_SESSION_AGE", str(14 * 24 * 3600)))
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
# Subdomains and preload lists belong to whoever owns the domain, not to this app: opt in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("UPRWATCH_HSTS_SUBDOMAINS", "0") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("UPRWATCH_HSTS_PRELOAD", "0") == "1"
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS), ("security.W021", SECURE_HSTS_PRELOAD))
    if not chosen
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()] or (
    [f"https://{h}" for h in ALLOWED_HOSTS if h != "*" and not h.startswith(".")] if HTTPS else []
)

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Login throttling (uprwatch.ui.throttle): failures allowed per user name and per client address
# within the window. The file cache is shared by every gunicorn worker on the machine.
UPRWATCH_LOGIN_FAILURES_PER_USER = int(os.environ.get("UPRWATCH_LOGIN_FAILURES_PER_USER", "5"))
UPRWATCH_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("UPRWATCH_LOGIN_FAILURES_PER_ADDRESS", "20"))
UPRWATCH_LOGIN_WINDOW_SECONDS = int(os.environ.get("UPRWATCH_LOGIN_WINDOW_SECONDS", "900"))
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
}
AUTHENTICATION_BACKENDS = ["uprwatch.ui.throttle.ThrottledModelBackend"]
UPRWATCH_PAGE_CACHE_SECONDS = int(os.environ.get("UPRWATCH_PAGE_CACHE_SECONDS", "60"))
# --- end deploy settings ---

# The address uprwatch is reached at, for links in answers given outside a web request (the stdio MCP
# server's citations); HTTP answers use the address the client used.
UPRWATCH_PUBLIC_URL = os.environ.get("UPRWATCH_PUBLIC_URL", "http://127.0.0.1:8000")
# Requests one MCP client (a token, else an address) may send to /mcp/ a minute; 0 turns the limit off.
UPRWATCH_MCP_REQUESTS_PER_MINUTE = int(os.environ.get("UPRWATCH_MCP_REQUESTS_PER_MINUTE", "120"))

# Live sources: where `uprwatch sync uhri` downloads OHCHR's Universal Human Rights Index export.
UPRWATCH_UHRI_EXPORT_URL = os.environ.get(
    "UPRWATCH_UHRI_EXPORT_URL", "https://dataex.ohchr.org/uhri/export-results/export-full-en.json"
)
