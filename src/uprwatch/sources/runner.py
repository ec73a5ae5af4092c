"""Run the live sources in turn (``uprwatch sync``, the Data sources page), then send the alerts they trigger.

Each source merges in its own transaction, so one failing source (unreachable, garbage answer) leaves
the database as it was *for that source* and the next one still runs; its error is reported and kept
for the Data sources page. Only one sync runs at a time on a home (a lock file): cron and a button
pressed on the page cannot run the same pass twice.

From the web a sync is a background job (``Job`` kind ``source_sync``): the page queues it and starts
``uprwatch jobs run --kind source_sync`` detached, so the request returns at once; cron's ``uprwatch jobs
run`` would pick it up as well.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from uprwatch.errors import Conflict, UserError
from uprwatch.sources import status as source_status

JOB_KIND = "source_sync"


def _sync_upr_info() -> dict:
    from uprwatch.sources.upr_info import sync_upr_info

    return sync_upr_info().to_json()


def _sync_uhri() -> dict:
    from uprwatch.sources.sync import sync_uhri

    return sync_uhri()


RUNNERS: dict[str, Callable[[], dict]] = {"uhri": _sync_uhri, "upr-info": _sync_upr_info}
SOURCES = tuple(RUNNERS)


class SyncRunning(Conflict):
    """Another sync is running on this home."""


@contextmanager
def sync_lock():
    path = Path(settings.HOME) / "sources" / "sync.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncRunning("another sync is running on this uprwatch home; try again when it has finished") from None
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def sync_is_running() -> bool:
    """Whether a process holds the sync lock now."""
    path = Path(settings.HOME) / "sources" / "sync.lock"
    if not path.exists():
        return False
    with open(path) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def mark_interrupted() -> int:
    """Sync jobs left "running" by a runner that died (a kill, a reboot) are failed, so a new sync can start
    and the page does not show a run that is over. A source's "running" state is corrected the same way."""
    from uprwatch.tracking.models import Job

    if sync_is_running():
        return 0
    # A runner takes its job a moment before it takes the lock: a job started in the last minute is spared.
    recent = timezone.now() - datetime.timedelta(minutes=1)
    running = [job.pk for job in Job.objects.filter(kind=JOB_KIND, status=Job.Status.RUNNING)
               if _started(job) is None or _started(job) < recent]
    for name in (*SOURCES, "un-documents"):
        if source_status.read_status(name).get("state") == "running":
            source_status.write_status(name, state="failed", error="interrupted before it finished (the next sync "
                                       "resumes from the last page it fetched)")
    return Job.objects.filter(pk__in=running, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, finished_at=timezone.now(),
        error="interrupted: the runner stopped before the sync finished")


def _started(job) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat((job.result or {}).get("started_at", ""))
    except (TypeError, ValueError):
        return None


def run_sources(names: list[str] | None = None, *, alerts: bool = True) -> dict:
    """Run each source in turn; a source's failure is reported in its entry (``error``) and the next runs.

    Then the alert jobs the new recommendations queued are processed at once (campaign matches), so a
    campaign hears about a new recommendation to its state without waiting for the next ``jobs run``.
    """
    names = list(names or SOURCES)
    outcome: dict = {"sources": {}, "alerts": {"match_notifications": 0}}
    with sync_lock():
        for name in names:
            try:
                outcome["sources"][name] = RUNNERS[name]()
            except (UserError, ImportError) as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if isinstance(exc, ImportError):
                    message = f"{name} is not available in this installation ({exc})"
                source_status.write_status(name, state="failed", error=message)
                outcome["sources"][name] = {"error": message}
        if alerts:
            outcome["alerts"] = send_alerts()
    return outcome


def send_alerts() -> dict:
    """Process the queued campaign-match jobs now (the rest of the queue is left to ``jobs run``)."""
    from uprwatch.tracking.alerts import run_jobs

    figures = run_jobs(limit=1000, deadlines=False, kinds=("watchlist_match",))
    return {"match_notifications": figures["match_notifications"], "jobs_done": figures["jobs_done"],
            "jobs_failed": figures["jobs_failed"]}


def handle_job(job) -> int:
    """The ``source_sync`` job: run the sources it names; its result holds each source's report."""
    result = run_sources(job.payload.get("sources") or None)
    job.result = result
    failed = [name for name, o in result["sources"].items() if o.get("error")]
    if failed:
        raise UserError("; ".join(f"{n}: {result['sources'][n]['error']}" for n in failed))
    return result["alerts"]["match_notifications"]


def queue_sync(sources: list[str], user=None, start: bool = True):
    """Queue a sync job (from the web) and start a runner for it in the background."""
    from uprwatch.tracking.models import Job

    unknown = [s for s in sources if s not in RUNNERS]
    if unknown or not sources:
        from uprwatch.errors import Invalid

        raise Invalid(f"unknown source(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(SOURCES)}")
    mark_interrupted()
    active = Job.objects.filter(kind=JOB_KIND, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if active is not None:
        raise SyncRunning(f"a sync is already {active.status} (job {active.pk}); wait for it to finish")
    job = Job.objects.create(kind=JOB_KIND, payload={"sources": sources, "user": getattr(user, "pk", None),
                                                     "queued_at": timezone.now().isoformat()})
    if start and settings.UPRWATCH_SOURCES_START_JOBS:
        from django.db import transaction

        transaction.on_commit(start_runner)
    return job


def start_runner() -> None:
    """``uprwatch jobs run --kind source_sync`` as a detached process (it outlives the request)."""
    log = Path(settings.HOME) / "sources" / "jobs.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        subprocess.Popen([sys.executable, "-m", "uprwatch.cli", "jobs", "run", "--kind", JOB_KIND, "--no-deadlines"],
                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                         env={**os.environ, "UPRWATCH_HOME": str(settings.HOME)})


def overview() -> tuple[list[dict], list]:
    """Per source: the last successful sync and its figures, the current state (running, failed) and errors."""
    from uprwatch.records.models import ImportBatch
    from uprwatch.tracking.models import Job

    mark_interrupted()
    rows = []
    for name in (*SOURCES, "un-documents"):
        last = source_status.last_sync(name)
        current = source_status.read_status(name)
        summary = (last.summary or {}) if last else {}
        upr = summary.get("upr", summary)
        rows.append({
            "source": name,
            "address": {"upr-info": settings.UPRWATCH_UPR_INFO_URL, "un-documents": settings.UPRWATCH_UN_DOCUMENTS_URL,
                        "uhri": getattr(settings, "UPRWATCH_UHRI_EXPORT_URL", "")}.get(name, ""),
            "last_sync": last.started_at if last else None,
            "syncs": ImportBatch.objects.filter(kind=source_status.BATCH_KINDS[name]).count(),
            "counts": {k: upr.get(k) for k in ("added", "updated", "unchanged", "merged") if upr.get(k) is not None},
            "pages": summary.get("pages"),
            "unrecognised": summary.get("unrecognised") or {},
            "state": current.get("state", ""),
            "state_at": current.get("at", ""),
            "progress": {k: current[k] for k in ("pages", "entities") if k in current},
            "error": current.get("error", "") if current.get("state") == "failed" else "",
            "syncable": name in RUNNERS,
        })
    jobs = list(Job.objects.filter(kind=JOB_KIND).order_by("-id")[:5])
    return rows, jobs
