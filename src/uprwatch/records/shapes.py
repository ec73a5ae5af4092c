"""The public JSON shapes of the records: what the API, the CLI's ``--json``, search results, exports and
analysis all print for a recommendation. They live with the records so that every layer above can use them.
"""

from __future__ import annotations

from uprwatch.records.models import Recommendation


def recommendation_out(rec: Recommendation) -> dict:
    """The public JSON shape of a recommendation (also used by search results and exports)."""
    labels = list(rec.labels.all())
    return {
        "id": rec.pk,
        "paragraph": rec.paragraph,
        "text": rec.text,
        "state_under_review": rec.review.state.name,
        "recommending_states": [s.name for s in rec.recommending_states.all()],
        "session": rec.review.session_id,
        "cycle": rec.review.session.cycle_id,
        "year": rec.review.session.year,
        "response": rec.response,
        "response_source": rec.response_source,
        "already_implemented": rec.already_implemented,
        "action_category": rec.action_category,
        "action_origin": rec.action_origin,
        "action_confidence": rec.action_confidence,
        "issues": [label.term.name for label in labels if label.term.taxonomy == "issue"],
        "labels": [
            {
                "taxonomy": label.term.taxonomy,
                "code": label.term.code,
                "name": label.term.name,
                "origin": label.origin,
                "confidence": label.confidence,
                "model_version": label.model_version,
            }
            for label in labels
        ],
    }
