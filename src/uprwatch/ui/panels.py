"""Panels that features add to shared pages (state page, recommendation page, search page).

A feature registers a panel in its ``AppConfig.ready()``::

    from uprwatch.ui.panels import STATE_PANELS, Panel
    STATE_PANELS.append(Panel("calendar/state_panel.html", next_review_context, order=10))

The context function gets ``(request, obj)`` and returns a dict for the template, or ``None`` to
show nothing. Slow panels should render a placeholder that loads itself with htmx (``hx-get``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest, object], dict | None]
    order: int = 50


STATE_PANELS: list[Panel] = []
RECOMMENDATION_PANELS: list[Panel] = []
SEARCH_PANELS: list[Panel] = []


def render_panels(panels: list[Panel], request: HttpRequest, obj: object) -> list[SafeString]:
    rendered = []
    for panel in sorted(panels, key=lambda p: p.order):
        context = panel.context(request, obj)
        if context is not None:
            # render_to_string autoescapes: panel templates get the same protection as pages.
            rendered.append(mark_safe(render_to_string(panel.template, context, request=request)))
    return rendered
