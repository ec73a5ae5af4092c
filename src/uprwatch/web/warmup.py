"""Warming a production worker: load what its first requests would otherwise wait for.

Each gunicorn worker builds the search catalog, reads the embedding model and the stored vectors, and
builds the profile arrays the first time a request needs them: seconds of work (more at 300k rows) that
fell on whichever visitor came first. ``uprwatch serve --production`` starts this in a background thread
of every worker instead; requests that arrive meanwhile simply do the same work themselves.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from django.db import connection

    try:
        from uprwatch.search import catalog, vectors

        current = catalog.get_catalog()
        vectors.embed_texts(["warm up"])
        vectors.matrix_for(current)
        from uprwatch.analysis import facts

        facts.get_facts()
    except Exception:  # a cold cache is slower, never wrong: the worker serves anyway
        logger.warning("warming up the worker failed; the first requests will load their data", exc_info=True)
    finally:
        connection.close()  # this thread's own connection


def start_warm_up() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="uprwatch-warm-up", daemon=True)
    thread.start()
    return thread
