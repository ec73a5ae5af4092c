"""Signals other parts of uprwatch listen to.

``recommendations_changed`` is sent whenever recommendations are added or changed outside the
bundled load — a document ingest, a merge, a label decision — with ``ids`` (list of recommendation
primary keys) and ``reason`` (e.g. "ingest", "classify", "review"). The search index, the vectors,
the classifiers, the lineage links and the campaign alerts keep themselves current by connecting
receivers to it.

Receivers run *inside* the sender's transaction, each in a savepoint: the derived rows they write
(machine labels, index rows, lineage links, alert jobs) commit together with the change, or not at
all — a process killed after the commit can no longer leave them behind (tests/test_fault.py). A
receiver that fails is logged and rolled back to its savepoint without undoing the change itself.
Effects other processes observe (a cache stamp, files on disk) belong in ``transaction.on_commit``
inside the receiver.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

recommendations_changed = Signal()

# Reasons that change a recommendation's labels (issues, themes, action category) but never its text:
# receivers that derive from the text alone (the text index, the vectors, lineage) can skip them.
# "merge": a live source's record joined a recommendation already held (provenance, states, labels added).
LABELS_ONLY = frozenset({"classify", "review", "merge"})


def announce_recommendations_changed(ids: list[int], reason: str) -> None:
    """Run every receiver now, each in its own savepoint of the current transaction."""
    ids = list(ids)
    if not ids:
        return
    sync_receivers, _async_receivers = recommendations_changed._live_receivers(None)
    for receiver in sync_receivers:
        try:
            with transaction.atomic():
                receiver(signal=recommendations_changed, sender=None, ids=ids, reason=reason)
        except Exception:
            log.exception("recommendations_changed receiver %r failed (%s, %d ids)", receiver, reason, len(ids))
