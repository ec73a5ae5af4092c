"""Pages: state profile (with CSV of every chart's data), pair view, recurring recommendations, and the
firsts panel the search page loads with htmx. Thin over ``profiles``, ``firsts`` and ``recurrence``."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from uprwatch.analysis import charts, profiles, recurrence
from uprwatch.records.lookup import StateNotFound, find_state
from uprwatch.records.models import State
from uprwatch.records.stamp import current_stamp

# table name -> (path in the profile, columns): the CSV behind each chart and table of the profile page
PROFILE_TABLES = {
    "received-by-cycle": (("as_reviewed", "by_cycle"), ["cycle", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "received-by-issue": (("as_reviewed", "by_issue"), ["issue", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "received-actions": (("as_reviewed", "action_categories"), ["category", "name", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "recommenders": (("as_reviewed", "top_recommending_states"), ["state", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "received-issues-over-time": (("as_reviewed", "issues_over_time"), ["cycle", "issue", "count"]),
    "made-by-cycle": (("as_recommender", "by_cycle"), ["cycle", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "made-by-issue": (("as_recommender", "by_issue"), ["issue", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "made-actions": (("as_recommender", "action_categories"), ["category", "name", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
    "targets": (("as_recommender", "top_targets"), ["state", "total", "supported", "partially_supported", "noted", "other", "support_rate"]),
}
TOP_ISSUES_CHART = 12


def profile(request: HttpRequest, slug: str) -> HttpResponse:
    state = get_object_or_404(State, slug=slug)
    data = profiles.cached_state_profile(state)
    received, made = data["as_reviewed"], data["as_recommender"]
    # URLs built once and filled in per row: reversing a URL per table row costs more than the queries
    profile_url = reverse("analysis:profile", args=["SLUG"])
    pair_url = reverse("analysis:pair", args=["FROM", "TO"])
    links = {
        "recommenders": [dict(row, profile_url=profile_url.replace("SLUG", row["slug"]),
                              pair_url=pair_url.replace("FROM", row["slug"]).replace("TO", state.slug))
                         for row in received["top_recommending_states"]],
        "targets": [dict(row, profile_url=profile_url.replace("SLUG", row["slug"]),
                         pair_url=pair_url.replace("FROM", state.slug).replace("TO", row["slug"]))
                    for row in made["top_targets"]],
    }
    top_issues = [row["issue"] for row in received["by_issue"][:TOP_ISSUES_CHART]]
    context = {
        "state": state,
        "stamp": current_stamp(),
        "profile": data,
        "charts": {
            "received_cycles": charts.responses_by(received["by_cycle"], "cycle", "cycle",
                                                   f"Recommendations to {state.name} per cycle, by response"),
            "received_actions": charts.responses_by(received["action_categories"], "name", "action category",
                                                    f"Recommendations to {state.name} by action category and response"),
            "received_issues": charts.issues_over_time(received["issues_over_time"], top_issues),
            "made_cycles": charts.responses_by(made["by_cycle"], "cycle", "cycle",
                                               f"Recommendations by {state.name} per cycle, by response"),
        },
        "links": links,
        "has_received": received["total"] > 0,
        "has_made": made["total"] > 0,
    }
    return render(request, "analysis/profile.html", context)


def profile_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    if table not in PROFILE_TABLES:
        raise Http404(f"no table {table}")
    state = get_object_or_404(State, slug=slug)
    (part, key), columns = PROFILE_TABLES[table]
    rows = profiles.cached_state_profile(state)[part][key]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{state.slug}-{table}.csv"'
    writer = csv.DictWriter(response, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return response


def pair(request: HttpRequest, recommender: str, reviewed: str) -> HttpResponse:
    source = get_object_or_404(State, slug=recommender)
    target = get_object_or_404(State, slug=reviewed)
    return render(request, "analysis/pair.html", {"pair": profiles.pair_view(source, target),
                                                  "source": source, "target": target})


def recurring(request: HttpRequest, slug: str) -> HttpResponse:
    state = get_object_or_404(State, slug=slug)
    return render(request, "analysis/recurring.html", {"state": state, "rows": recurrence.recurring(state)})


def analysis_home(request: HttpRequest) -> HttpResponse:
    """Find a state's profile by any name it goes by, or ask who raised something first."""
    from uprwatch.analysis.firsts import first_raised
    from uprwatch.search.query import QueryError
    from uprwatch.search.service import SearchParams

    context: dict = {"state_name": request.GET.get("state", ""), "q": request.GET.get("q", ""),
                     "sur": request.GET.get("sur", ""), "by": request.GET.get("by", "")}
    status = 200
    if context["state_name"]:
        try:
            state = find_state(context["state_name"])
        except StateNotFound as exc:
            context["state_error"], status = str(exc), 400
        else:
            return redirect("analysis:profile", state.slug)
    if context["q"] or context["sur"] or context["by"]:
        try:
            context["result"] = first_raised(SearchParams.from_querydict(
                {"q": context["q"], "sur": context["sur"], "by": context["by"]}))
        except QueryError as exc:
            context["error"], status = str(exc), 400
    return render(request, "analysis/home.html", context, status=status)


def firsts_panel(request: HttpRequest) -> HttpResponse:
    from uprwatch.analysis.firsts import first_raised
    from uprwatch.search.query import QueryError
    from uprwatch.search.service import SearchParams

    try:
        result = first_raised(SearchParams.from_querydict(request.GET))
    except QueryError as exc:
        return render(request, "analysis/firsts_panel.html", {"error": str(exc)}, status=400)
    return render(request, "analysis/firsts_panel.html", {"result": result})


def lineage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors add a link the model missed, or say a link is not a repeat, from the recommendation page."""
    from django.contrib import messages

    from uprwatch.analysis.lineage import confirm_link, reject_link
    from uprwatch.errors import Invalid, NotAllowed
    from uprwatch.records.editors import can_edit_records as can_review

    if request.method != "POST":
        return redirect(reverse("web:recommendation", args=[pk]) + "#lineage")
    if not can_review(request.user):
        raise NotAllowed("only editors may link recommendations")
    raw = request.POST.get("earlier", "").strip().lstrip("#")
    if not raw.isdecimal():
        raise Invalid("give the number of the earlier recommendation (the # shown on its page and in search results)")
    earlier = int(raw)
    if request.POST.get("action") == "unlink":
        reject_link(pk, earlier, user=request.user)
        messages.success(request, f"#{earlier} is no longer shown as repeated by this recommendation.")
    else:
        confirm_link(pk, earlier, user=request.user)
        messages.success(request, f"Linked: this recommendation repeats #{earlier}.")
    return redirect(reverse("web:recommendation", args=[pk]) + "#lineage")
