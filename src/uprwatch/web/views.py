"""Browsing pages: home, states, a state, a review, a recommendation."""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from uprwatch.records import browse, stats
from uprwatch.records.models import Label, Recommendation, Review, State
from uprwatch.ui import charts
from uprwatch.ui.panels import RECOMMENDATION_PANELS, STATE_PANELS, render_panels

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _home_figures() -> dict:
    """The home page's aggregates, cached until the data changes.

    They take several full scans; the key carries the search index stamp (bumped on every ingest,
    edit or relabelling) and the row counts, so a cached copy is never older than the data.
    """
    from uprwatch.records.stamp import current_stamp

    key = f"web:home:{current_stamp()}:{Recommendation.objects.count()}:{Label.objects.count()}"
    figures = cache.get(key)
    if figures is None:
        by_session = stats.counts_by_session()
        figures = {
            "stats": stats.dataset_stats(),
            "by_cycle": _with_coverage(stats.counts_by_cycle()),
            "by_session": by_session,
            "chart": charts.responses_by_session(by_session),
        }
        cache.set(key, figures, 3600)
    return figures


def home(request):
    return render(request, "web/home.html", _home_figures())


def _with_coverage(by_cycle: list[dict]) -> list[dict]:
    """Each cycle's figures with the states they cover, and the cycles with no data at all (said plainly)."""
    from uprwatch.sources.coverage import cycle_coverage

    covered = {row["cycle"]: row for row in cycle_coverage()}
    rows = [{**row, "coverage": covered.get(row["cycle"], {}).get("text", "")} for row in by_cycle]
    present = {row["cycle"] for row in rows}
    empty = dict.fromkeys(("supported", "partially_supported", "noted", "pending", "unknown"), 0)
    rows += [{"cycle": cycle, "total": 0, **empty, "coverage": row["text"]} for cycle, row in covered.items()
             if cycle not in present]
    return sorted(rows, key=lambda r: r["cycle"])


def states(request):
    return render(request, "web/states.html", {"states": browse.states_with_counts()})


def state(request, slug: str):
    state = get_object_or_404(State.objects.prefetch_related("blocs"), slug=slug)
    reviews = list(browse.reviews_of(state))
    summary = {key: sum(getattr(r, key) or 0 for r in reviews) for key in ("supported", "noted")}
    summary["received"] = sum(r.total or 0 for r in reviews)
    return render(
        request,
        "web/state.html",
        {
            "state": state,
            "summary": summary,
            "reviews": reviews,
            "made": _page(request, browse.recommendations_made_by(state)),
            "panels": render_panels(STATE_PANELS, request, state),
        },
    )


def review(request, slug: str, session: int):
    review = get_object_or_404(Review.objects.select_related("state", "session"), state__slug=slug, session_id=session)
    return render(
        request,
        "web/review.html",
        {
            "review": review,
            "page": _page(request, browse.recommendations_of_review(review)),
            "pledges": review.pledges.all(),
            "documents": review.documents.all(),
        },
    )


def recommendation(request, pk: int):
    try:
        rec = browse.recommendation_detail(pk)
    except Recommendation.DoesNotExist:
        return render(request, "web/404.html", {"what": f"recommendation {pk}"}, status=404)
    return render(
        request, "web/recommendation.html", {"rec": rec, "panels": render_panels(RECOMMENDATION_PANELS, request, rec)}
    )
