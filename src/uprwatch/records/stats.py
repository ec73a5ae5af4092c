"""Figures about what the database holds (home page, ``uprwatch stats``), and the support rate."""

from __future__ import annotations

from django.db.models import Count

from uprwatch.records.loading import UPR_INFO_DATASET
from uprwatch.records.models import (
    Document,
    Provenance,
    Recommendation,
    Response,
    Review,
    State,
    VoluntaryPledge,
)


def dataset_stats() -> dict:
    """Headline counts; keys are part of the ``uprwatch stats --json`` interface."""
    responses = dict(Recommendation.objects.values_list("response").annotate(n=Count("id")).order_by())
    recommending_through = Recommendation.recommending_states.through
    return {
        "recommendations": Recommendation.objects.count(),
        "supported": responses.get(Response.SUPPORTED, 0),
        # "not supported" (UPR Info's third answer) counts as noted, and is given apart as well
        "noted": responses.get(Response.NOTED, 0) + responses.get(Response.NOT_SUPPORTED, 0),
        "not_supported": responses.get(Response.NOT_SUPPORTED, 0),
        "partially_supported": responses.get(Response.PARTIALLY_SUPPORTED, 0),
        "pending": responses.get(Response.PENDING, 0),
        "unknown": responses.get(Response.UNKNOWN, 0),
        "states_under_review": Review.objects.values("state").distinct().count(),
        "recommending_states": recommending_through.objects.values("state").distinct().count(),
        "sessions": Review.objects.values("session").distinct().count(),
        "reviews": Review.objects.count(),
        "pledges": VoluntaryPledge.objects.count(),
        # Source rows of UPR Info's database (41,066 in the bundle). Stays the same when an official
        # document merges several rows of one joint recommendation into one record.
        "upr_info_rows": Provenance.objects.filter(dataset=UPR_INFO_DATASET).count(),
        "documents": Document.objects.count(),
        "states": State.objects.count(),
    }


_ZERO = {response.replace(" ", "_"): 0 for response in Response.values}


def counts_by_session() -> list[dict]:
    """Recommendations per session and response, for the home page chart and table."""
    rows = (
        Recommendation.objects.values("review__session_id", "review__session__cycle_id", "review__session__year", "response")
        .annotate(n=Count("id"))
        .order_by("review__session_id")
    )
    table: dict[int, dict] = {}
    for row in rows:
        entry = table.setdefault(
            row["review__session_id"],
            {
                "session": row["review__session_id"],
                "cycle": row["review__session__cycle_id"],
                "year": row["review__session__year"],
                "total": 0,
                **_ZERO,
            },
        )
        entry[row["response"].replace(" ", "_")] = row["n"]
        entry["total"] += row["n"]
    return list(table.values())


def counts_by_cycle() -> list[dict]:
    rows = (
        Recommendation.objects.values("review__session__cycle_id", "response")
        .annotate(n=Count("id"))
        .order_by("review__session__cycle_id")
    )
    table: dict[int, dict] = {}
    for row in rows:
        entry = table.setdefault(row["review__session__cycle_id"], {"cycle": row["review__session__cycle_id"], "total": 0, **_ZERO})
        entry[row["response"].replace(" ", "_")] = row["n"]
        entry["total"] += row["n"]
    return list(table.values())


def support_rate(supported: int, partially: int, noted: int) -> float | None:
    """``supported / (supported + partially supported + noted)``, to 4 places; None with no answer yet.

    The one definition (README): the state profile, the brief and every table of rates use it, so they
    show the same figure for the same recommendations. Pending and unknown responses have no answer
    to count and are left out.
    """
    answered = supported + partially + noted
    return round(supported / answered, 4) if answered else None
