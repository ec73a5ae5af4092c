"""Sections tracking adds to the shared state and recommendation pages (only what the viewer may see)."""

from __future__ import annotations

from uprwatch.tracking import assessments, events
from uprwatch.tracking.models import Role
from uprwatch.tracking.organisations import organisations_of
from uprwatch.tracking.permissions import has_role
from uprwatch.tracking.pins import pin_controls


def state_panel(request, state) -> dict | None:
    timeline = events.state_timeline(request.user, state)[:20]
    return {"state": state, "timeline": timeline}


def recommendation_panel(request, rec) -> dict | None:
    user = request.user
    can_assess = [org for org in organisations_of(user) if has_role(user, org, Role.CONTRIBUTOR)]
    return {
        "rec": rec,
        "claim": assessments.state_claim(rec),
        "assessments": assessments.assessments_of(user, [rec.pk]).get(rec.pk, []),
        "events": events.visible_events(user).filter(recommendations=rec)[:20],
        "can_assess": can_assess,
        "pin": pin_controls(user, [rec.pk]).get(rec.pk),
    }
