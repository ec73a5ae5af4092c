"""Lineage of recommendations across cycles.

For every recommendation, the similar recommendations made to the same State under Review in
earlier cycles. Each (later, earlier) pair gets three features:

- ``lexical``: cosine of TF-IDF vectors (word uni- and bigrams, IDF fitted on all the recommendations
  to that state);
- ``semantic``: cosine of the wordllama embeddings the search feature stores;
- ``rare_word``: the rarity of the rarest content word both texts use (``_rarest_shared``; rarity
  = log(n / df) / log(n) among the recommendations to that state, so "refoulement" or "Ntaganda" weigh
  much and "ensure", "rights" nothing),

and the pair is linked when a logistic regression over them reaches the threshold:

    score = 1 / (1 + exp(-(-3.172 + 2.64 lexical + 4.465 semantic + 1.066 rare_word))) >= 0.64

(``INTERCEPT``, ``COEFFICIENTS``, ``LINK_THRESHOLD``). The model is fitted by
``benchmarks/lineage_eval.py`` on 372 hand-labelled pairs (``uprwatch/data/analysis/lineage-pairs.csv``,
C = 1, lbfgs: deterministic); the threshold is the lowest at which the out-of-fold precision of its
2-fold cross-validation stays >= 0.9. Cross-validated per fold: precision 0.887 / 0.922, recall 0.583 /
0.546, where the v1 rule (``combined_score`` >= 0.40) had 0.921 / 0.943 and 0.537 / 0.463 on the same
halves. Over the whole bundled corpus the model stores 14,782 links instead of 12,239 (+2,865, -322);
a hand-read sample of those it adds holds 24 repeats in 30 (``lineage-spot-check.csv``). Features
tried and left out because they did not help under cross-validation (a rarity-weighted word
containment, rarity-weighted two-word key terms, the best clause-pair embedding cosine, the same first
verb, length ratio) are listed in ``uprwatch/data/analysis/README.md``. A recommendation keeps at most
``MAX_LINKS`` earlier links, best first.

Links are computed per State under Review (its recommendations are compared with each other only),
and a state is recomputed only when its recommendations changed (``LineageRun.fingerprint``, which
includes ``METHOD``: a new model recomputes every state once).

Text similarity still misses repeats worded very differently, typically one ask inside a longer
recommendation: the Republic of Korea's 2013 "Provide adequate protection to asylum seekers and
cross-border refugees ... the principle of non-refoulement" and Canada's 2009 "Take immediate measures
to implement the recommendations ... of the Committee against Torture, particularly on ... the
non-refoulement of refugees from the Democratic People's Republic of Korea" score 0.53 (Czechia's
"Protect North Korean refugees ... non-refoulement" 0.55): the shared rare word lifts them from the
v1 score of 0.29 but not to the threshold, and the lower threshold that would link them adds links of
which only about 6 in 10 are repeats (hand-read samples, see the data README). A person links such
pairs (``confirm_link``: ``origin="human"``); recomputing never removes them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from uprwatch.analysis.models import REJECTED, LineageLink, LineageRun
from uprwatch.analysis.similarity import SemanticVectors, content_words, lexical_vectors
from uprwatch.errors import Invalid, NotFound
from uprwatch.records.models import Recommendation, State
from uprwatch.records.signals import LABELS_ONLY

log = logging.getLogger(__name__)

# The link model (see the module docstring): ``benchmarks/lineage_eval.py`` prints the fit on the labelled
# pairs as ``refit_on_all_pairs`` and says whether these constants are it (``shipped_model_is_the_refit``).
FEATURES = ("lexical", "semantic", "rare_word")
INTERCEPT = -3.172
COEFFICIENTS = (2.64, 4.465, 1.066)
LINK_THRESHOLD = 0.64
METHOD = f"logit(tfidf12,wordllama256,rare)/v2@{LINK_THRESHOLD:.2f}"  # <= 40 characters
RARE_WORD_POWER = 16
LEXICAL_WEIGHT = 0.5  # of ``combined_score``: the v1 rule (>= 0.40), kept for the evaluation to compare
MAX_LINKS = 5


def combined_score(lexical: float, semantic: float, weight: float = LEXICAL_WEIGHT) -> float:
    """The v1 score (equal parts lexical and semantic), kept to compare with in the evaluation."""
    return weight * lexical + (1 - weight) * semantic


def link_score(features: dict[str, np.ndarray]) -> np.ndarray:
    """The model's probability that the later text repeats the earlier one (what LINK_THRESHOLD applies
    to), for arrays of pair features (``pair_features``)."""
    z = INTERCEPT + sum(weight * np.asarray(features[name], dtype=np.float64)
                        for name, weight in zip(FEATURES, COEFFICIENTS, strict=True))
    return 1.0 / (1.0 + np.exp(-z))


def fingerprint(state: State) -> str:
    """Changes whenever a recommendation to the state is added, removed or edited."""
    figures = Recommendation.objects.filter(review__state=state).aggregate(
        n=Count("id"), last_id=Max("id"), last_change=Max("updated_at")
    )
    return hashlib.sha256(f"{METHOD}|{figures['n']}|{figures['last_id']}|{figures['last_change']}".encode()).hexdigest()


@dataclass
class StateTexts:
    """What lineage compares, for the recommendations to one State under Review (one row each)."""

    ids: list[int]
    cycles: np.ndarray
    lexical: object  # TF-IDF rows (sparse)
    embedded: np.ndarray  # wordllama rows
    words: object  # binary content-word rows (sparse)
    rarity: np.ndarray  # per content word, see ``similarity.content_words``


def _state_vectors(state: State, semantic: SemanticVectors) -> StateTexts:
    """The texts of the recommendations to one State under Review, vectorised.

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
        return StateTexts(ids, np.zeros(0, dtype=int), None, np.zeros((0, 1), dtype=np.float32), None,
                          np.zeros(0, dtype=np.float32))
    words, rarity = content_words(texts)
    return StateTexts(ids, np.asarray([r[1] for r in rows]), lexical_vectors(texts), semantic.for_texts(ids, texts),
                      words, rarity)


def pair_features(texts: StateTexts, later: np.ndarray, earlier: np.ndarray) -> dict[str, np.ndarray]:
    """Every feature of every (later, earlier) pair of rows: ``{name: array (len(later), len(earlier))}``."""
    return {
        "lexical": (texts.lexical[later] @ texts.lexical[earlier].T).toarray(),
        "semantic": texts.embedded[later] @ texts.embedded[earlier].T,
        "rare_word": _rarest_shared(texts.words, texts.rarity, later, earlier),
    }


def _rarest_shared(present, rarity: np.ndarray, later: np.ndarray, earlier: np.ndarray,
                   power: int = RARE_WORD_POWER) -> np.ndarray:
    """The rarity of the rarest content word both texts use (0 when they share none), as the soft
    maximum ``(sum of rarity ** power over the shared words) ** (1 / power)``, capped at 1: one sparse
    matrix product instead of a maximum per pair. (Two shared words of equal rarity count 1.04 times
    one, three 1.07 times.)"""
    if not rarity.size:
        return np.zeros((len(later), len(earlier)))
    weighted = present.multiply((rarity.astype(np.float64) ** power)[np.newaxis, :]).tocsr()
    shared = (weighted[later] @ present[earlier].T.astype(np.float64)).toarray()
    return np.minimum(shared ** (1 / power), 1.0)


def links_for_state(state: State, semantic: SemanticVectors, threshold: float = LINK_THRESHOLD) -> list[LineageLink]:
    texts = _state_vectors(state, semantic)
    links: list[LineageLink] = []
    for cycle in sorted(set(texts.cycles.tolist()))[1:]:
        later = np.flatnonzero(texts.cycles == cycle)
        earlier = np.flatnonzero(texts.cycles < cycle)
        features = pair_features(texts, later, earlier)
        lex, sem = features["lexical"], features["semantic"]
        score = link_score(features)
        for i, row in enumerate(later):
            above = np.flatnonzero(score[i] >= threshold)
            best = above[np.argsort(-score[i, above], kind="stable")][:MAX_LINKS]
            links += [
                LineageLink(
                    recommendation_id=texts.ids[row], earlier_id=texts.ids[earlier[j]],
                    lexical=round(float(lex[i, j]), 4), semantic=round(float(sem[i, j]), 4),
                    score=round(float(score[i, j]), 4), method=METHOD,
                )
                for j in best
            ]
    return links


def features_of_pairs(pairs: list[tuple[int, int]]) -> list[dict[str, float]]:
    """The features of each (later id, earlier id) pair, exactly as lineage computes them (for the
    evaluation and for links a person makes). Both recommendations must be to the same state."""
    semantic = SemanticVectors()
    rows = Recommendation.objects.filter(pk__in={i for p in pairs for i in p})
    sur = dict(rows.values_list("pk", "review__state_id"))
    # a duplicate row is left out of the state's vectors: it scores as the row it duplicates (same text)
    same = {pk: original or pk for pk, original in rows.values_list("pk", "duplicate_of_id")}
    cache: dict[int, tuple[dict[int, int], StateTexts]] = {}
    found = []
    for later, earlier in pairs:
        state_id = sur[later]
        if state_id not in cache:
            texts = _state_vectors(State.objects.get(pk=state_id), semantic)
            cache[state_id] = ({pk: i for i, pk in enumerate(texts.ids)}, texts)
        index, texts = cache[state_id]
        features = pair_features(texts, np.asarray([index[same[later]]]), np.asarray([index[same[earlier]]]))
        found.append({name: float(values[0, 0]) for name, values in features.items()})
    return found


def score_pairs(pairs: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """(lexical, semantic) of each (later id, earlier id) pair."""
    return [(f["lexical"], f["semantic"]) for f in features_of_pairs(pairs)]


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
                # ... and a pair a person rejected stays rejected (its row is kept, hidden from every page)
                human = set(LineageLink._base_manager.filter(recommendation_id__in=state_ids,
                                                             origin__in=("human", REJECTED))
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


class LinkError(Invalid):
    """A link a person asked for that cannot be a lineage link."""


class LinkNotFound(NotFound, LinkError):
    """A link names a recommendation that does not exist (404)."""


def _link_pair(later_id: int, earlier_id: int) -> tuple[Recommendation, Recommendation]:
    for pk in (later_id, earlier_id):
        # an id no database integer can hold names no recommendation (the drivers raise, not match nothing)
        if not 0 < pk < 2**63:
            raise LinkNotFound(f"no recommendation {pk}")
    recs = Recommendation.objects.select_related("review__session").in_bulk([later_id, earlier_id])
    for pk in (later_id, earlier_id):
        if pk not in recs:
            raise LinkNotFound(f"no recommendation {pk}")
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
    (features,) = features_of_pairs([(later_id, earlier_id)])
    # _base_manager: a pair a person rejected before is found (and becomes a link again), not duplicated
    link, _created = LineageLink._base_manager.update_or_create(
        recommendation_id=later_id, earlier_id=earlier_id,
        defaults={"origin": "human", "decided_by": user, "decided_at": timezone.now(),
                  "lexical": round(features["lexical"], 4), "semantic": round(features["semantic"], 4),
                  "score": round(float(link_score(features)), 4), "method": "human"},
    )
    return link


@transaction.atomic
def remove_link(later_id: int, earlier_id: int) -> bool:
    """Remove a link a person made; False when there was none. (A machine link comes back with the
    next recomputation, so only human links can be removed.)"""
    _link_pair(later_id, earlier_id)
    deleted, _ = LineageLink.objects.filter(recommendation_id=later_id, earlier_id=earlier_id, origin="human").delete()
    return bool(deleted)


@transaction.atomic
def reject_link(later_id: int, earlier_id: int, user=None) -> bool:
    """A person's judgement that ``later_id`` does not repeat ``earlier_id``: a person's link is removed, a
    machine link is kept as rejected so that recomputing does not bring it back. False when there was none."""
    _link_pair(later_id, earlier_id)
    link = LineageLink.objects.filter(recommendation_id=later_id, earlier_id=earlier_id).first()
    if link is None:
        return False
    if link.origin == "human":
        link.delete()
    else:
        link.origin, link.decided_by, link.decided_at = REJECTED, user, timezone.now()
        link.save(update_fields=["origin", "decided_by", "decided_at"])
    return True


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
