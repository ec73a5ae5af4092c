"""Running on a shared server: configuration checks and the gunicorn command line.

``uprwatch check [--deploy]`` and ``uprwatch serve --production`` are thin over these functions.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core import checks


@dataclass(frozen=True)
class Finding:
    level: str  # "error", "warning", "info"
    id: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, str]:
        return {"level": self.level, "id": self.id, "message": self.message, "hint": self.hint}


def _level(message: checks.CheckMessage) -> str:
    if message.level >= checks.ERROR:
        return "error"
    if message.level >= checks.WARNING:
        return "warning"
    return "info"


def run_checks(deploy: bool) -> list[Finding]:
    """Django's system checks plus uprwatch's (``uprwatch.web.checks``), silenced ones left out."""
    from uprwatch.web.checks import backup_checks, migration_checks

    messages = checks.run_checks(include_deployment_checks=deploy, databases=["default"]) + migration_checks()
    if not any(m.id == "uprwatch.E006" or m.id == "uprwatch.E005" for m in messages):
        messages += backup_checks()
    return [
        Finding(_level(m), m.id or "", str(m.msg), str(m.hint or ""))
        for m in messages
        if not m.is_silenced()
    ]


def failing(findings: list[Finding], deploy: bool) -> list[Finding]:
    """What makes the check fail: errors always, and warnings too for a deployment check."""
    levels = {"error", "warning"} if deploy else {"error"}
    return [f for f in findings if f.level in levels]


def pending_migrations() -> list[str]:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def collect_static() -> None:
    """Copy static files into UPRWATCH_HOME/static for whitenoise (only changed files are copied)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def default_workers() -> int:
    if settings.WEB_CONCURRENCY:
        return max(1, settings.WEB_CONCURRENCY)
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def gunicorn_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line; the access log leaves out query strings (they may name people)."""
    return [
        sys.executable, "-m", "gunicorn", "uprwatch.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread",
        "--timeout", "120",
        "--graceful-timeout", "20",
        # Longer than a reader's pause between pages, so a browser's (or proxy's) kept-alive connection is
        # not closed just as it sends the next request (gunicorn's default is 2 s).
        "--keep-alive", "5",
        "--max-requests", "5000",
        "--max-requests-jitter", "500",
        "--access-logfile", "-",
        "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "--error-logfile", "-",
    ]


def production_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["UPRWATCH_PRODUCTION"] = "1"
    env["UPRWATCH_HOME"] = str(settings.HOME)
    env.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    return env
