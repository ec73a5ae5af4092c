"""Keeping the full-text index and the vectors current.

``rebuild_text_index()`` refills the full-text tables from scratch (``uprwatch index``, ``uprwatch init``);
``reindex(ids)`` refreshes some recommendations (the ``recommendations_changed`` receiver). Both bump
the catalog stamp so every process reloads its in-memory columns on its next search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from uprwatch.records.models import Recommendation
from uprwatch.records.signals import LABELS_ONLY
from uprwatch.search import catalog, vectors
from uprwatch.search.backends import get_backend

log = logging.getLogger(__name__)
CHUNK = 5000


def rebuild_text_index(progress: Callable[[int, int], None] | None = None) -> int:
    """Refill the full-text tables (one transaction). Returns how many recommendations are indexed."""
    backend = get_backend()
    total = Recommendation.objects.count()
    done = 0
    with transaction.atomic():
        backend.clear()
        last = 0
        while True:
            rows = list(Recommendation.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:CHUNK])
            if not rows:
                break
            backend.index(rows)
            last = rows[-1][0]
            done += len(rows)
            if progress:
                progress(done, total)
    catalog.bump_stamp()
    return done


def text_index_is_current() -> bool:
    return get_backend().indexed_count() == Recommendation.objects.count()


def reindex(ids: list[int]) -> None:
    """Re-index these recommendations (new, changed or deleted) in the text index and the vectors."""
    ids = sorted(set(ids))
    rows = list(Recommendation.objects.filter(pk__in=ids).values_list("pk", "text"))
    backend = get_backend()
    found = {r[0] for r in rows}
    with transaction.atomic():
        backend.delete([pk for pk in ids if pk not in found])
        backend.index(rows)
    # Other processes reload on the stamp, and the vectors file is outside the database: both wait
    # for the commit (immediately when there is no transaction).
    transaction.on_commit(_after_reindex)


def _after_reindex() -> None:
    catalog.bump_stamp()
    if vectors.load_stored()[0].size:  # only keep vectors current once they have been built
        vectors.sync_vectors()


def on_recommendations_changed(sender, ids: list[int], reason: str = "", **kwargs) -> None:
    if reason in LABELS_ONLY:  # the words did not change; the facets (labels) reload on the stamp
        transaction.on_commit(catalog.bump_stamp)
        return
    try:
        reindex(ids)
    except Exception:  # the change itself has committed; a failed re-index must not break the caller
        log.exception("search: re-indexing %d recommendations failed (run `uprwatch index`)", len(ids))
