"""The words the recommendations use, to suggest a spelling when a query finds nothing.

Read once per catalog from the unstemmed full-text index (FTS5's ``fts5vocab``, PostgreSQL's
``ts_stat``), so the words are exactly those a search can match. Only a query that matched nothing
asks, so building it (about 0.1 s at 41k rows) never slows an ordinary search.
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass

from django.db import connection

from uprwatch.search.backends import SQLITE_TABLES
from uprwatch.search.query import fold

MIN_DOCUMENTS = 2  # a word in one recommendation only is as likely a typo as a suggestion
_PLAIN = re.compile(r"^\w{3,}$", re.UNICODE)
_lock = threading.Lock()


@dataclass
class Vocabulary:
    documents: dict[str, int]  # word -> recommendations using it
    by_start: dict[str, list[str]]  # first letter -> words (the candidates for a correction)


def _read() -> dict[str, int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT word, ndoc FROM ts_stat('SELECT plain FROM search_text')")
        else:
            table = SQLITE_TABLES[True][0]
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows USING fts5vocab(main, {table}, row)")
            cursor.execute(f"SELECT term, doc FROM temp.{table}_rows")
        return {word: int(n) for word, n in cursor.fetchall()}


def for_catalog(catalog) -> Vocabulary:
    vocabulary = catalog.__dict__.get("_vocabulary")
    if vocabulary is None:
        with _lock:
            vocabulary = catalog.__dict__.get("_vocabulary")
            if vocabulary is None:
                documents = _read()
                by_start: dict[str, list[str]] = {}
                for word, n in documents.items():
                    if n >= MIN_DOCUMENTS and word.isalpha():
                        by_start.setdefault(word[0], []).append(word)
                vocabulary = Vocabulary(documents, by_start)
                catalog.__dict__["_vocabulary"] = vocabulary
    return vocabulary


def correction(catalog, token: str) -> str | None:
    """The corpus word closest to a query word the corpus never uses, or None (operators, phrases,
    prefixes, short or known words are left alone)."""
    word = fold(token)
    if not _PLAIN.match(word) or token in ("OR", "AND", "NOT") or word.isdigit():
        return None
    vocabulary = for_catalog(catalog)
    if vocabulary.documents.get(word, 0) > 0:
        return None
    candidates = [w for w in vocabulary.by_start.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.75)
    if not close:
        return None
    # Among equally close words, the one more recommendations use.
    return max(close, key=lambda w: (round(difflib.SequenceMatcher(None, word, w).ratio(), 2),
                                     vocabulary.documents[w]))
