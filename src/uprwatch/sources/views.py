"""The "Data sources" page for staff: each live source's last sync, figures, errors, and a sync button.

The button never syncs inside the request (a full UPR Info pass takes 10-15 minutes): it queues a
``source_sync`` job and starts a runner in the background (``sources.runner.queue_sync``); the page then
polls a small fragment (htmx, every two seconds while a sync is queued or running) for its progress.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from uprwatch.errors import UserError
from uprwatch.sources import runner


def _require_staff(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied("only staff may see and start the data sources' syncs")
    return None


def _context() -> dict:
    sources, jobs = runner.overview()
    active = next((j for j in jobs if j.status in ("queued", "running")), None)
    return {"sources": sources, "jobs": jobs, "active": active, "syncable": runner.SOURCES}


@require_http_methods(["GET"])
def data_sources(request: HttpRequest) -> HttpResponse:
    if (refused := _require_staff(request)) is not None:
        return refused
    return render(request, "sources/data_sources.html", _context())


@require_http_methods(["GET"])
def status_fragment(request: HttpRequest) -> HttpResponse:
    if (refused := _require_staff(request)) is not None:
        return refused
    return render(request, "sources/_status.html", _context())


@require_POST
def start_sync(request: HttpRequest) -> HttpResponse:
    if (refused := _require_staff(request)) is not None:
        return refused
    chosen = [s for s in request.POST.getlist("sources") if s]
    try:
        job = runner.queue_sync(chosen, user=request.user)
    except UserError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sync of {', '.join(chosen)} started in the background (job {job.pk}).")
    return redirect("sources:data-sources")
