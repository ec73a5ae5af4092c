"""Result rows in the shared shape of ``uprwatch.api.records.recommendation_out``, fetched in bulk.

Three flat queries per page instead of model instances and prefetches: this is most of a search's time,
so it matters for the speed targets. ``tests/test_search.py`` checks the two shapes stay identical.
"""

from __future__ import annotations

from uprwatch.records.models import Label, Recommendation


def recommendations_out(ids: list[int]) -> list[dict]:
    """``recommendation_out(rec)`` for each id, in the order given (unknown ids are skipped)."""
    if not ids:
        return []
    rows = Recommendation.objects.filter(pk__in=ids).values_list(
        "id", "paragraph", "text", "review__state__name", "review__session_id", "review__session__cycle_id",
        "review__session__year", "response", "response_source", "already_implemented", "action_category",
        "action_origin", "action_confidence",
    ).order_by()
    states: dict[int, list[str]] = {}
    through = Recommendation.recommending_states.through
    for rec_id, name in through.objects.filter(recommendation_id__in=ids).values_list(
        "recommendation_id", "state__name"
    ).order_by("state__name"):
        states.setdefault(rec_id, []).append(name)
    labels: dict[int, list[dict]] = {}
    for rec_id, taxonomy, code, name, origin, confidence, version in Label.objects.filter(
        recommendation_id__in=ids
    ).values_list("recommendation_id", "term__taxonomy", "term__code", "term__name", "origin", "confidence",
                  "model_version").order_by("id"):
        labels.setdefault(rec_id, []).append(
            {"taxonomy": taxonomy, "code": code, "name": name, "origin": origin, "confidence": confidence,
             "model_version": version}
        )
    out: dict[int, dict] = {}
    for (pk, paragraph, text, sur, session, cycle, year, response, source, implemented, action, origin,
         confidence) in rows:
        rec_labels = labels.get(pk, [])
        out[pk] = {
            "id": pk,
            "paragraph": paragraph,
            "text": text,
            "state_under_review": sur,
            "recommending_states": states.get(pk, []),
            "session": session,
            "cycle": cycle,
            "year": year,
            "response": response,
            "response_source": source,
            "already_implemented": implemented,
            "action_category": action,
            "action_origin": origin,
            "action_confidence": confidence,
            "issues": [label["name"] for label in rec_labels if label["taxonomy"] == "issue"],
            "labels": rec_labels,
        }
    return [out[pk] for pk in ids if pk in out]
