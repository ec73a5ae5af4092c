"""Lineage of recommendations across cycles.

For every recommendation, the similar recommendations made to the same State under Review in
earlier cycles. Two texts are linked when

    score = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic >= LINK_THRESHOLD

where ``lexical`` is the cosine of TF-IDF vectors (word uni- and bigrams, IDF fitted on all the
recommendations to that state) and ``semantic`` the cosine of the wordllama embeddings the search
feature stores. The weight and threshold were chosen on hand-labelled pairs
(``uprwatch/data/analysis/lineage-pairs.csv``; ``benchmarks/lineage_eval.py`` prints precision and
recall). A recommendation keeps at most ``MAX_LINKS`` earlier links, best first.

Links are computed per State under Review (its recommendations are compared with each other only),
and a state is recomputed only when its recommendations changed (``LineageRun.fingerprint``).

Text similarity misses repeats worded very differently, typically one ask inside a longer
recommendation: the Republic of Korea's 2013 "Provide adequate protection to asylum seekers and
cross-border refugees ... the principle of non-refoulement" and Canada's 2009 "Take immediate measures
to implement the recommendations ... of the Committee against Torture, particularly on ... the
non-refoulement of refugees from the Democratic People's Republic of Korea" score 0.29. Rules that
would link them (best-clause TF-IDF, a shared rare word plus semantic similarity, clause embeddings)
were tried and added thousands of links of which only a third to two thirds were repeats in hand-checked
samples (``uprwatch/data/analysis/README.md``), so a person links such pairs instead (``confirm_link``:
``origin="human"``); recomputing never removes them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

import numpy as np
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from uprwatch.analysis.models import LineageLink, LineageRun
from uprwatch.analysis.similarity import SemanticVectors, lexical_vectors
from uprwatch.records.models import Recommendation, State
from uprwatch.records.signals import LABELS_ONLY

log = logging.getLogger(__name__)

METHOD = "tfidf12+wordllama256/v1@0.40"
LEXICAL_WEIGHT = 0.5
LINK_THRESHOLD = 0.40
MAX_LINKS = 5


def combined_score(lexical: float, semantic: float, weight: float = LEXICAL_WEIGHT) -> float:
    return weight * lexical + (1 - weight) * semantic


def fingerprint(state: State) -> str:
    """Changes whenever a recommendation to the state is added, removed or edited."""
    figures = Recommendation.objects.filter(review__state=state).aggregate(
        n=Count("id"), last_id=Max("id"), last_change=Max("updated_at")
    )
    return hashlib.sha256(f"{METHOD}|{figures['n']}|{figures['last_id']}|{figures['last_change']}".encode()).hexdigest()


def _state_vectors(state: State, semantic: SemanticVectors) -> tuple[list[int], np.ndarray, object, np.ndarray]:
    """(ids, cycles, TF-IDF rows, embeddings) of the recommendations to one State under Review.

    Rows marked ``duplicate_of`` another are left out: they would only link to their own twin.
    """
    rows = list(
        Recommendation.objects.filter(review__state=state, duplicate_of__isnull=True)
        .order_by("id")
        .values_list("id", "review__session__cycle_id", "text")
    )
    ids = [r[0] for r in rows]
    texts = [r[2] for r in rows]
    if not rows:
        return ids, np.zeros(0, dtype=int), None, np.zeros((0, 1), dtype=np.float32)
    return ids, np.asarray([r[1] for r in rows]), lexical_vectors(texts), semantic.for_texts(ids, texts)


def links_for_state(state: State, semantic: SemanticVectors, threshold: float = LINK_THRESHOLD) -> list[LineageLink]:
    ids, cycles, lexical, embedded = _state_vectors(state, semantic)
    links: list[LineageLink] = []
    for cycle in sorted(set(cycles.tolist()))[1:]:
        later = np.flatnonzero(cycles == cycle)
        earlier = np.flatnonzero(cycles < cycle)
        lex = (lexical[later] @ lexical[earlier].T).toarray()
        sem = embedded[later] @ embedded[earlier].T
        score = combined_score(lex, sem)
        for i, row in enumerate(later):
            above = np.flatnonzero(score[i] >= threshold)
            best = above[np.argsort(-score[i, above], kind="stable")][:MAX_LINKS]
            links += [
                LineageLink(
                    recommendation_id=ids[row], earlier_id=ids[earlier[j]], lexical=round(float(lex[i, j]), 4),
                    semantic=round(float(sem[i, j]), 4), score=round(float(score[i, j]), 4), method=METHOD,
                )
                for j in best
            ]
    return links


def score_pairs(pairs: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """(lexical, semantic) of each (later id, earlier id) pair, exactly as lineage computes them
    (for the evaluation of the thresholds). Both recommendations must be to the same state."""
    semantic = SemanticVectors()
    sur = dict(Recommendation.objects.filter(pk__in={i for p in pairs for i in p}).values_list("pk", "review__state_id"))
    cache: dict[int, tuple] = {}
    scores = []
    for later, earlier in pairs:
        state_id = sur[later]
        if state_id not in cache:
            ids, _cycles, lexical, embedded = _state_vectors(State.objects.get(pk=state_id), semantic)
            cache[state_id] = ({pk: i for i, pk in enumerate(ids)}, lexical, embedded)
        index, lexical, embedded = cache[state_id]
        i, j = index[later], index[earlier]
        scores.append((float((lexical[i] @ lexical[j].T).toarray()[0, 0]), float(embedded[i] @ embedded[j])))
    return scores


def compute_lineage(states: Iterable[State] | None = None, force: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """(Re)compute the links of the given States under Review (default: every state reviewed).

    A state whose recommendations have not changed since its last run is skipped unless ``force``.
    Each state is replaced in its own transaction, so readers never see half a state's links.
    Returns ``{"states", "computed", "links"}``.
    """
    if states is None:
        states = State.objects.filter(reviews__isnull=False).distinct().order_by("name")
    states = list(states)
    runs = {run.state_id: run for run in LineageRun.objects.filter(state__in=states)}
    semantic = None
    computed = total_links = 0
    for done, state in enumerate(states, 1):
        mark = fingerprint(state)
        run = runs.get(state.pk)
        if force or run is None or run.fingerprint != mark or run.method != METHOD:
            if semantic is None:
                semantic = SemanticVectors()
            links = links_for_state(state, semantic)
            with transaction.atomic():
                # A plain id list, not a join: inside one long transaction PostgreSQL has no statistics
                # for the rows just written and planned the joined DELETE as nested seq scans (minutes).
                state_ids = list(Recommendation.objects.filter(review__state=state).values_list("pk", flat=True))
                LineageLink.objects.filter(recommendation_id__in=state_ids, origin="machine").delete()
                # a pair a person linked keeps its human link (and its decision), not a machine copy
                human = set(LineageLink.objects.filter(recommendation_id__in=state_ids, origin="human")
                            .values_list("recommendation_id", "earlier_id"))
                links = [link for link in links if (link.recommendation_id, link.earlier_id) not in human]
                LineageLink.objects.bulk_create(links, batch_size=2000)
                LineageRun.objects.update_or_create(
                    state=state, defaults={"method": METHOD, "fingerprint": mark, "links": len(links)}
                )
            computed += 1
            total_links += len(links)
        else:
            total_links += run.links
        if progress:
            progress(done, len(states))
    return {"states": len(states), "computed": computed, "links": total_links}


class LinkError(ValueError):
    """A link a person asked for that cannot be a lineage link."""


def _link_pair(later_id: int, earlier_id: int) -> tuple[Recommendation, Recommendation]:
    recs = Recommendation.objects.select_related("review__session").in_bulk([later_id, earlier_id])
    for pk in (later_id, earlier_id):
        if pk not in recs:
            raise LinkError(f"no recommendation {pk}")
    later, earlier = recs[later_id], recs[earlier_id]
    if later.review.state_id != earlier.review.state_id:
        raise LinkError(f"recommendations {later_id} and {earlier_id} were made to different States under Review")
    if earlier.review.session.cycle_id >= later.review.session.cycle_id:
        raise LinkError(f"recommendation {earlier_id} (cycle {earlier.review.session.cycle_id}) is not from a cycle "
                        f"before that of {later_id} (cycle {later.review.session.cycle_id})")
    return later, earlier


@transaction.atomic
def confirm_link(later_id: int, earlier_id: int, user=None) -> LineageLink:
    """A person's judgement that ``later_id`` repeats ``earlier_id`` (same State under Review, earlier
    cycle). A machine link between them becomes human; otherwise a human link is made, with the two
    texts' scores kept for information. Raises ``LinkError`` with a message for any other pair."""
    _link_pair(later_id, earlier_id)
    ((lexical, semantic),) = score_pairs([(later_id, earlier_id)])
    link, _created = LineageLink.objects.update_or_create(
        recommendation_id=later_id, earlier_id=earlier_id,
        defaults={"origin": "human", "decided_by": user, "decided_at": timezone.now(),
                  "lexical": round(lexical, 4), "semantic": round(semantic, 4),
                  "score": round(combined_score(lexical, semantic), 4), "method": "human"},
    )
    return link


@transaction.atomic
def remove_link(later_id: int, earlier_id: int) -> bool:
    """Remove a link a person made; False when there was none. (A machine link comes back with the
    next recomputation, so only human links can be removed.)"""
    _link_pair(later_id, earlier_id)
    deleted, _ = LineageLink.objects.filter(recommendation_id=later_id, earlier_id=earlier_id, origin="human").delete()
    return bool(deleted)


def on_recommendations_changed(sender, ids: list[int], reason: str = "", **kwargs) -> None:
    """Keep links current: recompute the States under Review of the changed recommendations."""
    if reason in LABELS_ONLY:  # links are computed from the text alone
        return
    try:
        compute_lineage(State.objects.filter(reviews__recommendations__id__in=list(ids)).distinct())
    except Exception:  # the change itself has committed; stale links must not break the caller
        log.exception("lineage: recomputing links for %d changed recommendations failed (run `uprwatch lineage`)",
                      len(ids))


def lineage_step(console, options) -> None:
    """``uprwatch init`` step: links for every State under Review whose recommendations changed."""
    import time

    started = time.monotonic()
    summary = compute_lineage()
    console.print(f"lineage: {summary['links']} links over {summary['states']} States under Review "
                  f"({summary['computed']} recomputed, {time.monotonic() - started:.1f} s)")
