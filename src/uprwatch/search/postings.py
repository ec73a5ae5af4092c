"""Term postings held in memory, to rank full-text matches with BM25 in numpy.

FTS5's ``bm25()`` is an auxiliary function called once per matching row, and for a broad word it is
most of the query's cost: at 300,000 rows "women" matches 37k rows in 20 ms without ranking and in
120 ms with it. A server process (see ``build_with_catalog``) therefore keeps, next to its catalog, each
indexed term's rows and term frequencies (read once from FTS5's own index through an ``fts5vocab``
table, so the tokens are exactly FTS5's), and each row's length. A query is then matched by FTS5
*without* scores and ranked here with the formula FTS5 documents
(https://www.sqlite.org/fts5.html#the_bm25_function):

    score = sum over the query's terms of  idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))

with k1 = 1.2, b = 0.75 and idf = log((N - n + 0.5) / (n + 0.5)) (at least 1e-6). Words under NOT do not
count, as in FTS5. The scores equal ``bm25()``'s except for phrases: a phrase's rows are FTS5's match
for it, but its frequency in a row is taken as its rarest word's, since positions are not kept here
(tests check both). Only the stemmed index has postings (about 36 MB at 300k rows); ``exact:`` queries
and PostgreSQL keep their database's own ranking.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from uprwatch.search.query import And, Node, Not, Or, Phrase, Term

K1 = 1.2
B = 0.75


@dataclass
class Postings:
    terms: list[str]  # sorted as FTS5 sorts them (code points)
    starts: np.ndarray  # pairs of term t are rows[starts[t]:starts[t + 1]]
    rows: np.ndarray  # int32 catalog rows, ascending within a term
    tf: np.ndarray  # uint16 occurrences of the term in the row
    length: np.ndarray  # float32 tokens per catalog row
    documents: int  # rows indexed

    @property
    def nbytes(self) -> int:
        return self.starts.nbytes + self.rows.nbytes + self.tf.nbytes + self.length.nbytes

    @classmethod
    def build(cls, instances: Iterable[tuple[str, str]], ids: np.ndarray) -> Postings:
        """From FTS5's index: (term, comma-separated rowid of each of its occurrences), in term order.

        ``ids`` are the catalog's recommendation ids (ascending). Terms are taken in chunks of about a
        million occurrences, so the transient arrays stay small whatever the corpus.
        """
        terms: list[str] = []
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        chunk: list[str] = []
        size = 0
        for term, rowids in itertools.chain(instances, [(None, "")]):
            if term is not None:
                terms.append(term)
                chunk.append(rowids)
                size += len(rowids)
            if chunk and (term is None or size > 8_000_000):
                parts.append(_pairs(chunk, len(terms) - len(chunk), ids))
                chunk, size = [], 0
        rows_per_term, rows, tf = (np.concatenate(column) for column in zip(*parts, strict=True)) if parts else (
            np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.uint16))
        starts = np.r_[0, np.cumsum(rows_per_term)].astype(np.int64)
        length = np.bincount(rows, weights=tf, minlength=len(ids)).astype(np.float32)
        return cls(terms, starts, rows, tf, length, int((length > 0).sum()))

    def _term(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        t = bisect.bisect_left(self.terms, token)
        if t < len(self.terms) and self.terms[t] == token:
            return self.rows[self.starts[t]: self.starts[t + 1]], self.tf[self.starts[t]: self.starts[t + 1]]
        return self.rows[:0], self.tf[:0]

    def _prefix(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        lo = bisect.bisect_left(self.terms, token)
        hi = bisect.bisect_left(self.terms, token + "\U0010ffff")
        if hi - lo == 1:
            return self._term(self.terms[lo])
        rows = self.rows[self.starts[lo]: self.starts[hi]]
        tf = self.tf[self.starts[lo]: self.starts[hi]].astype(np.int64)
        if not len(rows):
            return rows, self.tf[:0]
        # A row holding several terms of the prefix counts every occurrence once.
        merged, inverse = np.unique(rows, return_inverse=True)
        return merged.astype(np.int32), np.bincount(inverse, weights=tf).astype(np.uint16)

    def scores(self, postings: list[tuple[np.ndarray, np.ndarray]], rows: np.ndarray) -> np.ndarray:
        """BM25 of each of ``rows`` (ascending catalog rows) for the query's (rows, tf) postings."""
        total = np.zeros(len(rows), dtype=np.float32)
        if not len(rows) or not self.documents:
            return total
        average = float(self.length.sum()) / self.documents
        norm = K1 * (1 - B + B * self.length[rows] / average)
        for posting_rows, tf in postings:
            n = len(posting_rows)
            if not n:
                continue
            idf = max(np.log((self.documents - n + 0.5) / (n + 0.5)), 1e-6)
            frequency = _at(posting_rows, tf, rows).astype(np.float32)
            total += idf * frequency * (K1 + 1) / (frequency + norm)
        return total

    def query_postings(self, node: Node, backend, ids: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """One (rows, tf) posting per word of the query not under a NOT, as FTS5's bm25 counts them.

        A word is looked up by its index tokens (FTS5's own tokenizer, through ``backend.tokens``). A
        phrase is one posting, as in FTS5: its rows are the database's match for the phrase alone, and
        its frequency in a row is that of its rarest word there (positions are not kept here). ``ids``
        are the catalog's recommendation ids.
        """
        if isinstance(node, Term):
            return [self._prefix(token) if node.prefix else self._term(token) for token in backend.tokens(node.word)]
        if isinstance(node, Phrase):
            words = [self._term(token) for word in node.words for token in backend.tokens(word)]
            matched, _ = backend.match(node, False, ranked=False)
            at = np.searchsorted(ids, matched)
            rows = np.sort(at[(at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == matched)]) if len(ids) else at
            if not words:
                return [(rows, np.ones(len(rows), dtype=np.int64))]
            tf = np.min([_at(word_rows, word_tf, rows) for word_rows, word_tf in words], axis=0)
            return [(rows, np.maximum(tf, 1))]
        if isinstance(node, And | Or):
            return [posting for child in node.children for posting in self.query_postings(child, backend, ids)]
        if isinstance(node, Not):
            return []
        raise ValueError(f"unknown query node {node!r}")


def _at(posting_rows: np.ndarray, tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The posting's term frequency at each of ``rows`` (0 where absent)."""
    if not len(posting_rows):
        return np.zeros(len(rows), dtype=np.int64)
    at = np.minimum(np.searchsorted(posting_rows, rows), len(posting_rows) - 1)
    return np.where(posting_rows[at] == rows, tf[at], 0).astype(np.int64)


def _pairs(chunk: list[str], first_term: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One chunk of terms: rows per term, then (row, tf) per term and row, by term then row."""
    counts = np.fromiter((s.count(",") + 1 for s in chunk), dtype=np.int64, count=len(chunk))
    docs = np.fromstring(",".join(chunk), dtype=np.int64, sep=",")
    if len(docs) != counts.sum():
        raise ValueError("the full-text index returned malformed postings")
    term_of = np.repeat(np.arange(first_term, first_term + len(chunk), dtype=np.int64), counts)
    # Catalog rows, not rowids: rowids outside the catalog (none, unless mid-reindex) are dropped.
    rows = np.searchsorted(ids, docs)
    known = (rows < len(ids)) & (ids[np.clip(rows, 0, max(len(ids) - 1, 0))] == docs)
    key = term_of[known] * (len(ids) + 1) + rows[known]
    if len(key) > 1 and (np.diff(key) < 0).any():  # FTS5 yields term then rowid order; never rely on it
        key.sort()
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    tf = np.diff(np.r_[first, len(key)])
    pair_term, pair_row = np.divmod(key[first], len(ids) + 1)
    rows_per_term = np.bincount(pair_term - first_term, minlength=len(chunk))
    return rows_per_term, pair_row.astype(np.int32), np.minimum(tf, 65535).astype(np.uint16)


_lock = threading.Lock()
_with_catalog = False


def build_with_catalog(enabled: bool = True) -> None:
    """Have every catalog come with postings (server processes: ``uprwatch.wsgi`` turns this on).

    A one-shot command does not: building them (0.4 s at 41k rows, 3 s at 300k) costs more than the
    database's own ranking of its one query.
    """
    global _with_catalog
    _with_catalog = enabled


def for_catalog(catalog, backend) -> Postings | None:
    """The catalog's postings, built once per catalog; None when not wanted or the backend has none."""
    if not _with_catalog or not hasattr(backend, "term_instances"):
        return None
    postings = catalog.__dict__.get("_postings")
    if postings is None:
        with _lock:
            postings = catalog.__dict__.get("_postings")
            if postings is None:
                postings = Postings.build(backend.term_instances(), catalog.ids)
                catalog.__dict__["_postings"] = postings
    return postings
