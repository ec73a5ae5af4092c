"""The classify panel on the recommendation page: both taxonomies, and the way to the review queue."""

from __future__ import annotations

from uprwatch.classify.crosswalk import themes_for_issues
from uprwatch.classify.review import can_review
from uprwatch.records.models import Origin, Term


def recommendation_panel_context(request, rec) -> dict | None:
    labels = [label for label in rec.labels.all() if label.term.taxonomy == Term.Taxonomy.ISSUE]
    themes_given = [label for label in rec.labels.all() if label.term.taxonomy == Term.Taxonomy.THEME]
    derived = themes_for_issues([label.term.code for label in labels])
    has_machine = any(label.origin == Origin.MACHINE for label in labels) or rec.action_origin == Origin.MACHINE
    return {
        "rec": rec,
        "derived_themes": derived,
        "themes_given": themes_given,
        "has_machine": has_machine,
        "can_review": can_review(request.user) and has_machine,
    }
