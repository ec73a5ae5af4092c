"""The "Similar recommendations" section on every recommendation page.

Computing neighbours may first need the vectors built, so the panel is a placeholder that loads the
list with htmx (and links to it for browsers without JavaScript).
"""

from __future__ import annotations

from uprwatch.ui.panels import RECOMMENDATION_PANELS, Panel


def similar_panel_context(request, rec) -> dict:
    return {"rec": rec}


def register() -> None:
    if not any(p.template == "search/similar_panel.html" for p in RECOMMENDATION_PANELS):
        RECOMMENDATION_PANELS.append(Panel("search/similar_panel.html", similar_panel_context, order=20))
