"""What the live sources add to the shared pages: on a recommendation's page, every source's stated
position (a disagreement is said plainly) and "Other UN mechanisms on this point"."""

from __future__ import annotations

from uprwatch.ui.panels import RECOMMENDATION_PANELS, STATE_PANELS, Panel


def positions_context(request, rec) -> dict | None:
    from uprwatch.sources.merge import disagreements, positions

    stated = positions(rec)
    if len(stated) < 2:
        return None  # one source: the page's "Response" line says it all
    return {"positions": stated, "disagreement": bool(disagreements(rec)), "rec": rec}


def mechanisms_context(request, rec) -> dict | None:
    from uprwatch.sources.models import MechanismRecommendation
    from uprwatch.sources.related import THRESHOLD, related_mechanisms

    if not MechanismRecommendation.objects.filter(states=rec.review.state_id).exists():
        return None
    return {"related": related_mechanisms(rec), "rec": rec, "threshold": THRESHOLD}


def coverage_context(request, state) -> dict:
    from uprwatch.sources.coverage import state_coverage

    return {"state": state, "rows": state_coverage(state)}


def register() -> None:
    if not any(p.template == "sources/coverage_panel.html" for p in STATE_PANELS):
        STATE_PANELS.append(Panel("sources/coverage_panel.html", coverage_context, order=1))
    templates = {p.template for p in RECOMMENDATION_PANELS}
    if "sources/positions_panel.html" not in templates:
        RECOMMENDATION_PANELS.append(Panel("sources/positions_panel.html", positions_context, order=5))
    if "sources/mechanisms_panel.html" not in templates:
        RECOMMENDATION_PANELS.append(Panel("sources/mechanisms_panel.html", mechanisms_context, order=15))
