"""Queries behind the browsing pages: states, reviews and recommendations."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from uprwatch.errors import NotFound
from uprwatch.records.models import NOTED_RESPONSES, Recommendation, Review, State


class RecommendationNotFound(NotFound, Recommendation.DoesNotExist):
    """No recommendation has this id (404). Still a ``Recommendation.DoesNotExist`` for the pages that
    answer it with a page of their own."""

    def __init__(self, pk: int):
        super().__init__(f"no recommendation {pk}")


def states_with_counts() -> QuerySet[State]:
    # Two correlated subqueries: annotating both counts over joins multiplies received × made rows
    # per state (34 s for the states page on the real data).
    received = (
        Recommendation.objects.filter(review__state=OuterRef("pk")).order_by()
        .values("review__state").annotate(n=Count("id")).values("n")
    )
    through = Recommendation.recommending_states.through
    made = through.objects.filter(state=OuterRef("pk")).order_by().values("state").annotate(n=Count("id")).values("n")
    return State.objects.annotate(
        received=Coalesce(Subquery(received, output_field=IntegerField()), 0),
        made=Coalesce(Subquery(made, output_field=IntegerField()), 0),
    ).order_by("name")


def reviews_of(state: State) -> list[dict]:
    """The state's reviews, newest first, with response counts."""
    reviews = (
        Review.objects.filter(state=state)
        .select_related("session")
        .annotate(
            total=Count("recommendations", distinct=True),
            supported=Count("recommendations", filter=Q(recommendations__response="supported"), distinct=True),
            noted=Count("recommendations", filter=Q(recommendations__response__in=NOTED_RESPONSES), distinct=True),
            pledge_count=Count("pledges", distinct=True),
        )
        .order_by("-session_id")
    )
    return list(reviews)


def recommendations_made_by(state: State) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(recommending_states=state).with_related().order_by("-review__session_id", "id")


def recommendations_of_review(review: Review) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(review=review).with_related().order_by("id")


def recommendation_detail(pk: int) -> Recommendation:
    """:raises RecommendationNotFound: for an id no recommendation has"""
    try:
        return (
            Recommendation.objects.with_related()
            .prefetch_related("provenance__batch", "provenance__document")
            .get(pk=pk)
        )
    except Recommendation.DoesNotExist:
        raise RecommendationNotFound(pk) from None
