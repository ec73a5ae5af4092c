"""Panels the analysis feature adds to the shared state, recommendation and search pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest

from uprwatch.analysis import recurrence
from uprwatch.records.models import Recommendation, State


def state_panel(request: HttpRequest, state: State) -> dict | None:
    return {"state": state, "recurring": recurrence.recurring_count(state)}


def lineage_panel(request: HttpRequest, rec: Recommendation) -> dict | None:
    from uprwatch.analysis.models import LineageLink
    from uprwatch.records.editors import can_edit_records as can_review

    context = {"rec": rec, "chain": recurrence.chain(rec), "can_edit_links": can_review(request.user)}
    if context["can_edit_links"]:
        # The direct links of this recommendation, each with a button a person uses to say "not a repeat".
        context["direct_links"] = list(
            LineageLink.objects.filter(recommendation=rec).select_related("earlier__review__session", "earlier__review__state")
            .order_by("earlier__review__session_id")
        )
    return context


def firsts_placeholder(request: HttpRequest, params) -> dict | None:
    """The search page's firsts panel loads itself with htmx: it is a second search over the same
    query, so the results show without waiting for it."""
    pairs = [(k, v) for k, v in params.to_query() if k not in ("sort",)] if params is not None else []
    if not pairs:
        return None
    return {"query": urlencode(pairs)}
