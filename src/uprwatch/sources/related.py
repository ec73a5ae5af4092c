""""Other UN mechanisms on this point": the same state's treaty-body and special-procedure records closest
to a UPR recommendation.

Closeness is the cosine of the search feature's wordllama vectors (``search.vectors.embed_texts``). A
record is shown when it reaches ``THRESHOLD``, at most ``LIMIT`` of them, best first. The threshold was
chosen on hand-labelled pairs (``data/sources/mechanism-pairs.csv``, ``python benchmarks/mechanism_links_eval.py``):
see the README for the precision it gives. The state's mechanism vectors are computed once per process and
data version (a state has a few hundred to a few thousand such records; embedding them takes well under a
second) — nothing is stored, so nothing goes stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from uprwatch.records.models import Recommendation
from uprwatch.sources.mechanisms import mechanism_out
from uprwatch.sources.models import MechanismRecommendation

THRESHOLD = 0.45
LIMIT = 5
CACHE_STATES = 32

_cache: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_lock = threading.Lock()


def _state_vectors(state_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, unit vectors) of every other-mechanism record on this state."""
    from django.db.models import Max

    from uprwatch.search.vectors import embed_texts

    rows = MechanismRecommendation.objects.filter(states=state_id)
    version = (state_id, rows.count(), rows.aggregate(m=Max("updated_at"))["m"])
    with _lock:
        if version in _cache:
            _cache.move_to_end(version)
            return _cache[version]
    pairs = list(rows.order_by("pk").values_list("pk", "text"))
    ids = np.asarray([pk for pk, _ in pairs], dtype=np.int64)
    vectors = embed_texts([text for _, text in pairs])
    with _lock:
        _cache[version] = (ids, vectors)
        while len(_cache) > CACHE_STATES:
            _cache.popitem(last=False)
    return ids, vectors


def score_pairs(upr_texts: list[str], mechanism_texts: list[str]) -> np.ndarray:
    """Cosine similarity of each pair (for the evaluation script)."""
    from uprwatch.search.vectors import embed_texts

    a, b = embed_texts(upr_texts), embed_texts(mechanism_texts)
    return np.einsum("ij,ij->i", a, b)


def related_mechanisms(rec: Recommendation, limit: int = LIMIT, threshold: float = THRESHOLD) -> list[dict]:
    """``mechanism_out`` dicts with a ``score``, best first, for the recommendation's State under Review."""
    from uprwatch.search.vectors import embed_texts

    ids, vectors = _state_vectors(rec.review.state_id)
    if not len(ids):
        return []
    scores = vectors @ embed_texts([rec.text])[0]
    order = np.lexsort((ids, -scores))
    keep = [int(i) for i in order[:limit] if scores[i] >= threshold]
    found = mechanism_out([int(ids[i]) for i in keep])
    for item, i in zip(found, keep, strict=True):
        item["score"] = round(float(scores[i]), 3)
    return found
