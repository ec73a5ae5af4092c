"""Signals other parts of uprwatch listen to.

``recommendations_changed`` is sent (after the transaction commits) whenever recommendations are
added or changed outside the bundled load — a document ingest, a merge, a label decision — with
``ids`` (list of recommendation primary keys) and ``reason`` (e.g. "ingest", "classify", "review").
The search index, the vectors, the classifiers and the watchlist alerts keep themselves current by
connecting receivers to it.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

recommendations_changed = Signal()


def announce_recommendations_changed(ids: list[int], reason: str) -> None:
    """Send ``recommendations_changed`` once the current transaction has committed."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: recommendations_changed.send(sender=None, ids=ids, reason=reason))
