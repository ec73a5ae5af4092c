"""uprwatch's own system checks, run by ``uprwatch check`` next to Django's.

Deployment checks (``uprwatch check --deploy``) catch what makes a shared server unsafe or broken:
debug pages on, the development secret key, only local host names, e-mail that goes nowhere. The
migration checks (run by `uprwatch check` only, not registered): model changes without a migration
file, or a database behind its schema.
"""

from __future__ import annotations

import os
from io import StringIO

from django.conf import settings
from django.core import checks

from uprwatch.settings import DEFAULT_SECRET_KEY

LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "[::1]"}


@checks.register("uprwatch", deploy=True)
def deployment_checks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.DEBUG:
        problems.append(checks.Error(
            "Debug pages are on (UPRWATCH_DEBUG=1): they show code, settings and data to anyone.",
            hint="Unset UPRWATCH_DEBUG on a shared server.", id="uprwatch.E001",
        ))
    if settings.SECRET_KEY == DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        problems.append(checks.Error(
            "SECRET_KEY is the development key or too short: anyone could forge sessions.",
            hint='Set SECRET_KEY to a long random value, e.g. python -c "import secrets; '
                 'print(secrets.token_urlsafe(50))".',
            id="uprwatch.E002",
        ))
    if not set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS:
        problems.append(checks.Warning(
            "ALLOWED_HOSTS names only this machine: members cannot reach the server by its name.",
            hint="Set ALLOWED_HOSTS to the server's host name(s), comma-separated.", id="uprwatch.W001",
        ))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(checks.Error(
            "ALLOWED_HOSTS contains '*': forged Host headers could poison password-reset links.",
            hint="List the real host names.", id="uprwatch.E003",
        ))
    if not settings.HTTPS:
        problems.append(checks.Warning(
            "UPRWATCH_HTTPS is not set: passwords and session cookies would cross the network in clear.",
            hint="Put the server behind an HTTPS reverse proxy (Caddy, nginx) and set UPRWATCH_HTTPS=1.",
            id="uprwatch.W002",
        ))
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "dummy.EmailBackend", "locmem.EmailBackend")):
        problems.append(checks.Warning(
            "E-mail is not sent anywhere (console backend): alerts and password resets will be lost.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.",
            id="uprwatch.W003",
        ))
    return problems


@checks.register("uprwatch")
def home_checks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    home = settings.HOME
    if not os.access(home, os.W_OK):
        return [checks.Error(f"UPRWATCH_HOME {home} is not writable.", id="uprwatch.E007")]
    return []


def migration_checks() -> list[checks.CheckMessage]:
    """Not registered with Django: `migrate` runs the registered checks and must not be blocked by them.

    ``uprwatch check`` calls this itself.
    """
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    problems: list[checks.CheckMessage] = []
    try:
        call_command("makemigrations", check=True, dry_run=True, interactive=False, stdout=StringIO(),
                     stderr=StringIO())
    except SystemExit:
        problems.append(checks.Error(
            "Some model changes have no migration file.",
            hint="A developer must run `python -m django makemigrations` and commit the result.",
            id="uprwatch.E004",
        ))
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # an unreachable database is itself the finding
        problems.append(checks.Error(f"Cannot read the database: {exc}", id="uprwatch.E005"))
    else:
        if pending:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
            problems.append(checks.Error(
                f"{len(pending)} migration(s) not applied to the database ({names}"
                f"{', ...' if len(pending) > 5 else ''}).",
                hint="Run `uprwatch init` (it applies migrations and is idempotent).", id="uprwatch.E006",
            ))
    return problems


def backup_checks() -> list[checks.CheckMessage]:
    """Whether the uploaded files (evidence) are covered by a backup; run by ``uprwatch check``.

    ``uprwatch dump`` puts the uploads folder's files into the dump and notes the dump in UPRWATCH_HOME
    (``last-dump.json``). Warned: files the database names that are missing from the uploads folder
    (their downloads answer 404), uploads when no dump was ever made here, and uploads newer than the
    last dump.
    """
    from pathlib import Path

    from uprwatch.reports.dump import last_dump, referenced_files, safe_upload_path

    problems: list[checks.CheckMessage] = []
    names = referenced_files()
    missing = [n for n in names if not safe_upload_path(n).is_file()]
    if missing:
        problems.append(checks.Warning(
            f"{len(missing)} uploaded file(s) the database refers to are missing from the uploads folder "
            f"{settings.MEDIA_ROOT} (e.g. {missing[0]}); their downloads answer 404.",
            hint="Restore them with `uprwatch restore` from a dump made by this version (dumps hold the files), "
                 "or copy the uploads folder back from a file backup.",
            id="uprwatch.W010",
        ))
    present = [n for n in names if n not in missing]
    if not present:
        return problems
    record = last_dump()
    if record is None:
        problems.append(checks.Warning(
            f"{len(present)} uploaded file(s) in {settings.MEDIA_ROOT} are not covered by any backup: "
            "`uprwatch dump` was never run on this home.",
            hint="Run `uprwatch dump FILE` (it includes the uploaded files) nightly from cron; see the README's "
                 "backup section.",
            id="uprwatch.W011",
        ))
        return problems
    import datetime as dt

    since = dt.datetime.fromisoformat(record["created_at"]).timestamp()
    newer = [n for n in present if safe_upload_path(n).stat().st_mtime > since]
    if newer or not Path(record.get("path", "")).is_file():
        problems.append(checks.Warning(
            f"The uploads folder {settings.MEDIA_ROOT} is not covered by the last backup "
            f"({record['created_at'][:19]}, {record.get('path')}): "
            + (f"{len(newer)} file(s) were uploaded since." if newer else "that dump file is gone."),
            hint="Run `uprwatch dump FILE` again (it includes the uploaded files); schedule it from cron.",
            id="uprwatch.W012",
        ))
    return problems
