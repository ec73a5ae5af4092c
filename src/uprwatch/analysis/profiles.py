"""State profiles: a state as reviewed (what it was asked, how it answered) and as recommender.

Every figure is a handful of GROUP BY queries, so a profile stays fast on a large corpus. The shape
returned by ``state_profile`` is the ``uprwatch profile --json`` / ``GET /api/states/{slug}/profile``
interface.

The support rate is ``supported / (supported + partially supported + noted)``: recommendations still
pending or with an unknown response have no answer to count, so they are left out of the rate.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, QuerySet

from uprwatch.records.models import ACTION_CATEGORIES, Label, Recommendation, Response, Review, State, Term
from uprwatch.records.stats import support_rate

TOP = 15  # how many recommending states / targets / issues a profile lists
PROFILE_CACHE_SECONDS = 3600


def _response_row(counts: dict[str, int]) -> dict:
    supported = counts.get(Response.SUPPORTED, 0)
    partially = counts.get(Response.PARTIALLY_SUPPORTED, 0)
    # UPR Info's "not supported" is a way of not supporting: it counts as noted (and is shown apart too).
    not_supported = counts.get(Response.NOT_SUPPORTED, 0)
    noted = counts.get(Response.NOTED, 0) + not_supported
    return {
        "total": sum(counts.values()),
        "supported": supported,
        "partially_supported": partially,
        "noted": noted,
        "not_supported": not_supported,
        "other": sum(counts.values()) - supported - partially - noted,
        "support_rate": support_rate(supported, partially, noted),
    }


def _sum_by(rows: list[tuple], key) -> dict:
    """{key(row): response row} from rows ending in (..., response, n)."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[key(row)][row[-2]] += row[-1]
    return {k: _response_row(v) for k, v in counts.items()}


def _issue_rows(labels: QuerySet) -> tuple[list[dict], list[dict]]:
    """(support per issue, issue counts per cycle) from one query over the labels."""
    return _issue_summary(
        labels.values_list("term_id", "recommendation__review__session__cycle_id", "recommendation__response")
        .annotate(n=Count("id"))
        .order_by()
    )


def _issue_summary(rows) -> tuple[list[dict], list[dict]]:
    """(support per issue, issue counts per cycle) from rows (term id, cycle, response, n).

    Terms are mapped in Python rather than joined: with a term filter in SQL, SQLite's planner
    loops over every issue term first and the query gets ten times slower.
    """
    issue_names = dict(Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE).values_list("pk", "name"))
    by_issue: dict[str, dict[str, int]] = defaultdict(dict)
    over_time: dict[tuple[int, str], int] = defaultdict(int)
    for term_id, cycle, response, n in rows:
        issue = issue_names.get(term_id)
        if issue is None:
            continue
        by_issue[issue][response] = by_issue[issue].get(response, 0) + n
        over_time[(cycle, issue)] += n
    issues = sorted(({"issue": k, **_response_row(v)} for k, v in by_issue.items()), key=lambda r: (-r["total"], r["issue"]))
    timeline = [{"cycle": c, "issue": i, "count": n} for (c, i), n in sorted(over_time.items())]
    return issues, timeline


def _by_cycle(rows: list[tuple]) -> list[dict]:
    """Rows are (cycle, action category, response, n)."""
    grouped = _sum_by(rows, lambda r: r[0])
    return [{"cycle": cycle, **grouped[cycle]} for cycle in sorted(grouped)]


def _actions(rows: list[tuple]) -> list[dict]:
    grouped = _sum_by(rows, lambda r: r[1])
    return [
        {"category": key, "name": ACTION_CATEGORIES.get(key, "not coded"), **grouped[key]}
        for key in sorted(grouped, key=lambda k: (k is None, k or 0))
    ]


def _facts(queryset: QuerySet, *fields: str) -> list[tuple]:
    """One GROUP BY query: (*fields, cycle, action category, response, n). Every profile figure but
    the issues is summed from these rows in Python, which is faster than one query per figure."""
    return list(
        queryset.values_list(*fields, "review__session__cycle_id", "action_category", "response")
        .annotate(n=Count("id"))
        .order_by()
    )


def _counterparts(counts: dict[int, dict], exclude: State) -> list[dict]:
    """Top states on the other side, from {state id: response row}."""
    counts = {k: v for k, v in counts.items() if k is not None and k != exclude.pk}
    states = {pk: (name, slug) for pk, name, slug in State.objects.filter(pk__in=counts).values_list("pk", "name", "slug")}
    rows_out = [{"state": states[k][0], "slug": states[k][1], **v} for k, v in counts.items()]
    rows_out.sort(key=lambda r: (-r["total"], r["state"]))
    return rows_out[:TOP]


def cycle_comparison(state: State, issues_by_cycle: list[dict] | None = None,
                     by_cycle: list[dict] | None = None) -> list[dict]:
    """Between each pair of consecutive cycles the state was reviewed in: issues new, dropped and
    persisting (with counts in both cycles) and the change in support rate (percentage points)."""
    if issues_by_cycle is None:
        issues_by_cycle = _issue_rows(Label.objects.filter(recommendation__review__state=state))[1]
    if by_cycle is None:
        by_cycle = _by_cycle(_facts(Recommendation.objects.filter(review__state=state)))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in issues_by_cycle:
        counts[row["cycle"]][row["issue"]] = row["count"]
    rate = {row["cycle"]: row["support_rate"] for row in by_cycle}
    cycles = [row["cycle"] for row in by_cycle]
    comparisons = []
    for before, after in zip(cycles, cycles[1:], strict=False):
        old, new = counts.get(before, {}), counts.get(after, {})
        change = None
        if rate.get(before) is not None and rate.get(after) is not None:
            change = round((rate[after] - rate[before]) * 100, 1)
        comparisons.append({
            "from_cycle": before,
            "to_cycle": after,
            "new_issues": sorted(({"issue": i, "count": new[i]} for i in new.keys() - old.keys()),
                                 key=lambda r: (-r["count"], r["issue"])),
            "dropped_issues": sorted(({"issue": i, "count": old[i]} for i in old.keys() - new.keys()),
                                     key=lambda r: (-r["count"], r["issue"])),
            "persisting_issues": sorted(
                ({"issue": i, "before": old[i], "after": new[i]} for i in old.keys() & new.keys()),
                key=lambda r: (-(r["before"] + r["after"]), r["issue"]),
            ),
            "support_rate_before": rate.get(before),
            "support_rate_after": rate.get(after),
            "support_rate_change_points": change,
        })
    return comparisons


def _total(rows: list[tuple]) -> dict:
    return _sum_by(rows, lambda r: "all").get("all") or _response_row({})


def state_profile(state: State) -> dict:
    """Everything the profile page, API and CLI show about one state, from SQL GROUP BYs (a one-off
    question, e.g. the CLI; long-running processes use ``fast_state_profile``)."""
    received = _facts(Recommendation.objects.filter(review__state=state))
    made = _facts(Recommendation.objects.filter(recommending_states=state), "review__state")
    # A joint recommendation counts once for each of its co-sponsors among the top recommenders.
    recommenders = list(
        Recommendation.recommending_states.through.objects.filter(recommendation__review__state=state)
        .values_list("state_id", "recommendation__response")
        .annotate(n=Count("id"))
        .order_by()
    )
    issue_query = ("term_id", "recommendation__review__session__cycle_id", "recommendation__response")
    received_issues = list(Label.objects.filter(recommendation__review__state=state).values_list(*issue_query)
                           .annotate(n=Count("id")).order_by())
    made_issues = list(Label.objects.filter(recommendation__recommending_states=state).values_list(*issue_query)
                       .annotate(n=Count("id")).order_by())
    return _profile(state, received, made, recommenders, received_issues, made_issues)


def fast_state_profile(state: State) -> dict:
    """``state_profile`` computed from this process's in-memory ``ProfileFacts`` (milliseconds at
    300,000 recommendations once they are built; see ``facts.py``)."""
    from uprwatch.analysis.facts import get_facts

    facts = get_facts()
    received_rows, made_rows = facts.received(state.pk), facts.made(state.pk)
    return _profile(
        state, facts.fact_rows(received_rows), facts.fact_rows(made_rows, with_sur=True),
        facts.recommender_rows(received_rows), facts.issue_rows(received_rows), facts.issue_rows(made_rows),
    )


def _profile(state: State, received: list[tuple], made: list[tuple], recommenders: list[tuple],
             received_issue_rows: list[tuple], made_issue_rows: list[tuple]) -> dict:
    """The profile from grouped rows: ``received`` (cycle, action category, response, n), ``made`` (State
    under Review pk, cycle, action category, response, n), ``recommenders`` (state pk, response, n) and
    issue rows (issue term pk, cycle, response, n)."""
    made_plain = [row[1:] for row in made]
    received_issues, received_timeline = _issue_summary(received_issue_rows)
    made_issues, made_timeline = _issue_summary(made_issue_rows)
    received_cycles = _by_cycle(received)
    return {
        "state": {"name": state.name, "iso3": state.iso3, "slug": state.slug, "regional_group": state.regional_group},
        "as_reviewed": {
            **_total(received),
            "sessions": sorted(Review.objects.filter(state=state).values_list("session_id", flat=True)),
            "by_cycle": received_cycles,
            "by_issue": received_issues,
            "action_categories": _actions(received),
            "top_recommending_states": _counterparts(_sum_by(recommenders, lambda r: r[0]), state),
            "issues_over_time": received_timeline,
        },
        "as_recommender": {
            **_total(made_plain),
            "by_cycle": _by_cycle(made_plain),
            "by_issue": made_issues[:TOP],
            "action_categories": _actions(made_plain),
            "top_targets": _counterparts(_sum_by(made, lambda r: r[0]), state),
            "issues_over_time": made_timeline,
        },
        "cycle_comparison": cycle_comparison(state, received_timeline, received_cycles),
    }


def cached_state_profile(state: State) -> dict:
    """``state_profile`` kept in the cache until the data changes.

    The key carries the search index stamp, which every process sees change (a file's mtime) when
    recommendations are ingested, edited or relabelled (``recommendations_changed``), so a cached
    profile is never older than the data.
    """
    from uprwatch.records.stamp import current_stamp

    key = f"analysis:profile:{state.pk}:{current_stamp()}"
    data = cache.get(key)
    if data is None:
        data = fast_state_profile(state)
        cache.set(key, data, PROFILE_CACHE_SECONDS)
    return data


def pair_view(recommender: State, reviewed: State) -> dict:
    """All recommendations from ``recommender`` to ``reviewed`` across cycles, by issue and response."""
    recs = (
        Recommendation.objects.filter(review__state=reviewed, recommending_states=recommender)
        .with_related()
        .order_by("review__session_id", "id")
    )
    labels = Label.objects.filter(recommendation__review__state=reviewed, recommendation__recommending_states=recommender)
    issues, _timeline = _issue_rows(labels)
    facts = _facts(Recommendation.objects.filter(review__state=reviewed, recommending_states=recommender))
    return {
        "from": {"name": recommender.name, "slug": recommender.slug},
        "to": {"name": reviewed.name, "slug": reviewed.slug},
        **_total(facts),
        "by_cycle": _by_cycle(facts),
        "by_issue": issues,
        "recommendations": recs,
    }
