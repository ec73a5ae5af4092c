"""The search page, its exports, and the "similar recommendations" fragment."""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from uprwatch.records.models import ACTION_CATEGORIES, Recommendation
from uprwatch.search import exports
from uprwatch.search.filters import FILTER_TITLES, UPR_ONLY_FILTERS
from uprwatch.search.service import FACET_NAMES, QueryError, SearchParams, search
from uprwatch.search.similar import similar_to
from uprwatch.ui.panels import SEARCH_PANELS, render_panels

PAGE_SIZE = 20
FACET_TITLES = FILTER_TITLES  # the one filter table (search.filters)
SORT_CHOICES = [("relevance", "relevance"), ("session", "session, oldest first"),
                ("-session", "session, newest first"), ("state", "State under Review")]
MEANING_MODES = ("semantic", "hybrid")  # the UPR's alone: other mechanisms are searched by their words
MODE_CHOICES = [("auto", "words, then meaning if few match"), ("text", "words only"), ("semantic", "meaning"),
                ("hybrid", "words + meaning")]


def search_page(request: HttpRequest) -> HttpResponse:
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    error = None
    result = None
    try:
        params = SearchParams.from_querydict(request.GET)
        params.limit, params.offset = PAGE_SIZE, (page - 1) * PAGE_SIZE
        result = search(params)
        if "body" not in result["facets"]:
            result["facets"]["body"] = _mechanism_facet(params, result["matches"])
        for item in result["results"] + result["related"]:
            item["snippet"] = mark_safe(item["snippet"])  # built from escaped text by highlight.snippet_html
    except QueryError as exc:
        error = str(exc)
        params = SearchParams(q=request.GET.get("q", "")[:500])
    state = params.to_query()
    facets = []
    if result:
        for name in ("body", *FACET_NAMES):
            entries = result["facets"].get(name)
            if not entries:
                continue
            for entry in entries:
                if name == "body":
                    # one mechanism at a time: its results have another shape (no session, no response); the
                    # filters and modes that mean nothing for other mechanisms are left out of their links
                    dropped = {"body", "page"} if entry["value"] == "UPR" else {"body", "page", *UPR_ONLY_FILTERS}
                    others = [(k, v) for k, v in state if k not in dropped
                              and not (k == "mode" and v in MEANING_MODES and entry["value"] != "UPR")]
                    toggled = others + ([] if entry["value"] == "UPR" else [("body", entry["value"])])
                    entry["url"] = "?" + urlencode(toggled)
                    continue
                # each value links to the same search with that value toggled (the URL is the whole state)
                others = [(k, v) for k, v in state if not (k == name and v == entry["value"])]
                toggled = others if entry["selected"] else state + [(name, entry["value"])]
                entry["url"] = "?" + urlencode(toggled)
            entries.sort(key=lambda e: not e["selected"])  # stable: selected values first, then as counted
            facets.append({"name": name, "title": FACET_TITLES[name], "entries": entries,
                           "open": any(e["selected"] for e in entries) or name in ("body", "sur", "response", "issue")})
    pages = math.ceil(result["count"] / PAGE_SIZE) if result else 0
    query_prefix = urlencode(state)
    mechanisms = bool(result and result["results"] and "mechanism" in result["results"][0])
    # pins and saved searches are for UPR recommendations (other mechanisms' records are not campaign items)
    save_form = None if mechanisms else _tracking_controls(request, result, query_prefix)
    context = {
        "params": params,
        "result": result,
        "error": error,
        "facets": facets,
        "page": page,
        "pages": pages,
        "previous_url": f"?{query_prefix}&page={page - 1}" if page > 1 else None,
        "next_url": f"?{query_prefix}&page={page + 1}" if page < pages else None,
        "sort_choices": SORT_CHOICES,
        "mode_choices": MODE_CHOICES,
        "export_query": query_prefix,
        "hidden_filters": [(k, v) for k, v in state if k not in ("q", "sort", "mode", "exact", "expand")],
        "unexpanded_url": "?" + urlencode(state + [("expand", "0")]),
        "mechanisms": mechanisms,
        # the panels (firsts, ...) answer UPR searches
        "panels": [] if any(v != "UPR" for v in params.body) else render_panels(SEARCH_PANELS, request, params),
        "save_form": save_form,
        "action_legend": ACTION_CATEGORIES.items(),
    }
    return render(request, "search/search.html", context, status=400 if error else 200)


# What apps above search add to a signed-in person's results: tracking puts a pin control on each result
# and returns the "save this search" form. They register here in their AppConfig.ready() (search sits
# below tracking in the layers, so it cannot ask tracking itself).
RESULT_CONTROLS: list[Callable[[object, dict, str], object]] = []


def _tracking_controls(request: HttpRequest, result: dict | None, query: str):
    """For a signed-in person: what the registered apps add to the results (the last form returned)."""
    if not result or not request.user.is_authenticated:
        return None
    form = None
    for controls in RESULT_CONTROLS:
        form = controls(request.user, result, query) or form
    return form


def _mechanism_facet(params: SearchParams, upr_count: int) -> list[dict]:
    """The UN-mechanism facet beside a UPR search, once other mechanisms are loaded (``uprwatch sync uhri``)."""
    from uprwatch.search.expansion import expand
    from uprwatch.search.query import parse_query
    from uprwatch.search.service import mechanism_facet, mechanisms_loaded

    if not mechanisms_loaded():
        return []
    parsed = parse_query(params.q, exact=params.exact)
    if params.expand:  # the same words as the UPR search beside it
        parsed, _ = expand(parsed)
    return mechanism_facet(params, parsed, upr_count)


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        params = SearchParams.from_querydict(request.GET)
        return exports.export_response(params, fmt)
    except QueryError as exc:
        return HttpResponse(f"Error: {exc}\n", status=400, content_type="text/plain; charset=utf-8")


def similar(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pairs = similar_to(pk, k=10)
    except Recommendation.DoesNotExist:
        return HttpResponse("no such recommendation", status=404, content_type="text/plain")
    records = Recommendation.objects.with_related().in_bulk([pk for pk, _ in pairs])
    items = [{"rec": records[pk], "score": score} for pk, score in pairs if pk in records]
    template = "search/_similar_list.html" if request.headers.get("HX-Request") else "search/similar.html"
    return render(request, template, {"similar": items, "rec": Recommendation.objects.with_related().get(pk=pk)})
