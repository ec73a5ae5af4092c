"""Term postings held in memory, to match and rank full-text queries with BM25 in numpy.

FTS5's ``bm25()`` is an auxiliary function called once per matching row, and for a broad word it is
most of the query's cost: at 300,000 rows "women" matches 37k rows in 20 ms without ranking and in
120 ms with it. A server process (see ``build_with_catalog``) therefore keeps, next to its catalog, each
indexed term's rows, term frequencies and token positions (read once from the database's own index:
FTS5's through an ``fts5vocab`` table, PostgreSQL's tsvectors through ``unnest``, so the tokens are
exactly the database's), and each row's length. A query's rows are found here (``match_rows``): words by
their rows, phrases by consecutive positions, AND / OR / NOT as set operations, the same rows the
database's match returns (tests compare them); prefixes (``refug*``) and words with no token are left to
the database, whose semantics for them are its own. The rows are then ranked with the formula FTS5
documents (https://www.sqlite.org/fts5.html#the_bm25_function):

    score = sum over the query's terms of  idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))

with k1 = 1.2, b = 0.75 and idf = log((N - n + 0.5) / (n + 0.5)) (at least 1e-6). Words under NOT do not
count, as in FTS5. The scores equal ``bm25()``'s except for phrases, whose frequency in a row is taken as
its rarest word's (tests check both). A query's first run thus asks the database nothing: FTS5 matching
a phrase such as "freedom of expression" walks the position lists of every word, "of" included, and the
phrase used to be matched twice (for the rows, then for its postings); PostgreSQL's ``ts_rank`` over a
broad word's 16k rows took 100-400 ms at 128k rows. On PostgreSQL, servers therefore rank with the same
BM25 as SQLite (over PostgreSQL's Snowball lexemes) where ``ts_rank`` ranked before; one-shot commands,
which build no postings, still rank with ``ts_rank``. Only the stemmed index has postings (27 MB
at 128k rows, 11 MB of it positions); ``exact:`` queries keep the database's own matching and ranking.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from uprwatch.search.query import And, Node, Not, Or, Phrase, Term

K1 = 1.2
B = 0.75
KEEP_POSITIONS_OF = 20_000  # a term with this many occurrences keeps its position keys once computed
KEPT_POSITIONS_BYTES = 32 * 1024 * 1024


@dataclass
class Postings:
    terms: list[str]  # sorted as FTS5 sorts them (code points)
    starts: np.ndarray  # pairs of term t are rows[starts[t]:starts[t + 1]]
    rows: np.ndarray  # int32 catalog rows, ascending within a term
    tf: np.ndarray  # uint16 occurrences of the term in the row
    length: np.ndarray  # float32 tokens per catalog row
    documents: int  # rows indexed
    # token positions: term t's occurrences are offsets[occurrence_starts[t]:occurrence_starts[t + 1]], by
    # row then position (a row's tf of them). None when a term's count was clipped to uint16: no phrases here.
    offsets: np.ndarray | None = None  # int32
    occurrence_starts: np.ndarray | None = None  # int64, one per term and one more
    _keys: dict[int, np.ndarray] = field(default_factory=dict, repr=False)  # see _positions

    @property
    def nbytes(self) -> int:
        positions = 0 if self.offsets is None else self.offsets.nbytes + self.occurrence_starts.nbytes
        return self.starts.nbytes + self.rows.nbytes + self.tf.nbytes + self.length.nbytes + positions

    @classmethod
    def build(cls, instances: Iterable[tuple[str, str, str]], ids: np.ndarray) -> Postings:
        """From FTS5's index: (term, comma-separated rowid of each of its occurrences, the comma-separated
        token position of each), in term order.

        ``ids`` are the catalog's recommendation ids (ascending). Terms are taken in chunks of about a
        million occurrences, so the transient arrays stay small whatever the corpus.
        """
        terms: list[str] = []
        parts: list[tuple[np.ndarray, ...]] = []
        chunk: list[tuple[str, str]] = []
        size = 0
        for term, rowids, offsets in itertools.chain(instances, [(None, "", "")]):
            if term is not None:
                terms.append(term)
                chunk.append((rowids, offsets))
                size += len(rowids)
            if chunk and (term is None or size > 8_000_000):
                parts.append(_pairs(chunk, len(terms) - len(chunk), ids))
                chunk, size = [], 0
        rows_per_term, rows, tf, occurrences_per_term, offsets = (
            (np.concatenate(column) for column in zip(*parts, strict=True)) if parts else
            (np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.uint16), np.empty(0, np.int64),
             np.empty(0, np.int32)))
        starts = np.r_[0, np.cumsum(rows_per_term)].astype(np.int64)
        occurrence_starts = np.r_[0, np.cumsum(occurrences_per_term)].astype(np.int64)
        length = np.bincount(rows, weights=tf, minlength=len(ids)).astype(np.float32)
        clipped = int(tf.sum(dtype=np.int64)) != len(offsets)  # a row with 65,536 of one term: no positions
        return cls(terms, starts, rows, tf, length, int((length > 0).sum()),
                   None if clipped else offsets, None if clipped else occurrence_starts)

    def _index(self, token: str) -> int | None:
        t = bisect.bisect_left(self.terms, token)
        return t if t < len(self.terms) and self.terms[t] == token else None

    def _term(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        t = self._index(token)
        if t is not None:
            return self.rows[self.starts[t]: self.starts[t + 1]], self.tf[self.starts[t]: self.starts[t + 1]]
        return self.rows[:0], self.tf[:0]

    def _positions(self, t: int) -> np.ndarray:
        """Term t's occurrences as ascending int64 keys: row << 32 | position. Kept for the common terms
        ("of", "the"), whose keys are phrases' main cost and the same in every phrase (bounded bytes)."""
        keys = self._keys.get(t)
        if keys is None:
            rows = self.rows[self.starts[t]: self.starts[t + 1]].astype(np.int64)
            counts = self.tf[self.starts[t]: self.starts[t + 1]]
            positions = self.offsets[self.occurrence_starts[t]: self.occurrence_starts[t + 1]]
            keys = (np.repeat(rows, counts) << np.int64(32)) + positions
            if len(keys) >= KEEP_POSITIONS_OF:
                with _lock:
                    while self._keys and sum(k.nbytes for k in self._keys.values()) + keys.nbytes > KEPT_POSITIONS_BYTES:
                        self._keys.pop(next(iter(self._keys)))
                    self._keys[t] = keys
        return keys

    def _phrase_rows(self, tokens: list[str]) -> np.ndarray:
        """Rows where the tokens occur at consecutive positions (FTS5's phrase match), ascending."""
        if len(tokens) == 1:
            return self._term(tokens[0])[0]
        found = [self._index(token) for token in tokens]
        if any(t is None for t in found):
            return self.rows[:0]
        # Start from the rarest token's occurrences, moved to where the phrase would start; each other
        # token keeps those whose row has it at the right place (a lookup in its sorted keys).
        sizes = [self.occurrence_starts[t + 1] - self.occurrence_starts[t] for t in found]
        first = min(range(len(tokens)), key=sizes.__getitem__)
        starts = self._positions(found[first]) - first
        for place, t in enumerate(found):
            if place == first or not len(starts):
                continue
            keys = self._positions(t)
            wanted = starts + place
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            starts = starts[keys[at] == wanted]
        rows = (starts >> np.int64(32)).astype(np.int32)
        return rows[np.r_[True, rows[1:] != rows[:-1]]] if len(rows) else rows

    def match_rows(self, node: Node, backend) -> np.ndarray | None:
        """The catalog rows the query matches, ascending, as the database's match finds them (FTS5's MATCH,
        PostgreSQL's ``@@``); None for what only the database answers: a prefix, a word with no token (FTS5
        matches nothing, PostgreSQL drops the word), or an index without positions."""
        if self.offsets is None:
            return None
        if hasattr(backend, "prefetch_tokens"):
            backend.prefetch_tokens([w for leaf in _leaves(node) for w in _words(leaf)])
        return self._match(node, backend)

    def _match(self, node: Node, backend) -> np.ndarray | None:
        if isinstance(node, Term | Phrase):
            if isinstance(node, Term) and node.prefix:
                return None
            # a word of several tokens ("foo_bar") is a phrase to both databases
            tokens = [backend.tokens(word) for word in _words(node)]
            if not all(tokens):
                return None
            return self._phrase_rows([token for word in tokens for token in word])
        if isinstance(node, Or):
            parts = [self._match(child, backend) for child in node.children]
            if any(part is None for part in parts):
                return None
            return _union(parts)
        if isinstance(node, And):
            positives = [self._match(c, backend) for c in node.children if not isinstance(c, Not)]
            negatives = [self._match(c.child, backend) for c in node.children if isinstance(c, Not)]
            if any(part is None for part in positives + negatives) or not positives:
                return None
            rows = functools.reduce(_intersection, sorted(positives, key=len))
            for excluded in negatives:
                rows = _difference(rows, excluded)
            return rows
        return None  # a NOT alone: the caller subtracts it from everything

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
            rows = self.match_rows(node, backend)
            if rows is None:
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


def _words(leaf: Term | Phrase) -> tuple[str, ...]:
    return leaf.words if isinstance(leaf, Phrase) else (leaf.word,)


def _leaves(node: Node) -> list[Term | Phrase]:
    if isinstance(node, Term | Phrase):
        return [node]
    if isinstance(node, Not):
        return _leaves(node.child)
    return [leaf for child in node.children for leaf in _leaves(child)]


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows in both (ascending, distinct): a lookup of the shorter in the longer, not ``np.intersect1d``'s
    sort of both (7 ms for a word such as "of" at 128k rows)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows of a not in b (ascending, distinct)."""
    if not len(a) or not len(b):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] != a]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Rows in any (ascending, distinct): a sort, not ``np.unique``, which hashes since NumPy 2.3."""
    if not parts:
        return np.empty(0, dtype=np.int32)
    rows = np.sort(np.concatenate(parts))
    return rows[np.r_[True, rows[1:] != rows[:-1]]] if len(rows) else rows


def _at(posting_rows: np.ndarray, tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The posting's term frequency at each of ``rows`` (0 where absent)."""
    if not len(posting_rows):
        return np.zeros(len(rows), dtype=np.int64)
    at = np.minimum(np.searchsorted(posting_rows, rows), len(posting_rows) - 1)
    return np.where(posting_rows[at] == rows, tf[at], 0).astype(np.int64)


def _pairs(chunk: list[tuple[str, str]], first_term: int, ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """One chunk of terms: rows per term, (row, tf) per term and row (by term then row), occurrences per
    term and each occurrence's position (by term, row, position)."""
    counts = np.fromiter((docs.count(",") + 1 for docs, _ in chunk), dtype=np.int64, count=len(chunk))
    docs = np.fromstring(",".join(docs for docs, _ in chunk), dtype=np.int64, sep=",")
    offsets = np.fromstring(",".join(offsets for _, offsets in chunk), dtype=np.int64, sep=",")
    if len(docs) != counts.sum() or len(offsets) != len(docs):
        raise ValueError("the full-text index returned malformed postings")
    term_of = np.repeat(np.arange(first_term, first_term + len(chunk), dtype=np.int64), counts)
    # Catalog rows, not rowids: rowids outside the catalog (none, unless mid-reindex) are dropped.
    rows = np.searchsorted(ids, docs)
    known = (rows < len(ids)) & (ids[np.clip(rows, 0, max(len(ids) - 1, 0))] == docs)
    key, offsets = term_of[known] * (len(ids) + 1) + rows[known], offsets[known]
    # FTS5 yields term, rowid, then position order; never rely on it
    if len(key) > 1 and ((np.diff(key) < 0).any() or ((np.diff(key) == 0) & (np.diff(offsets) < 0)).any()):
        order = np.lexsort((offsets, key))
        key, offsets = key[order], offsets[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    tf = np.diff(np.r_[first, len(key)])
    pair_term, pair_row = np.divmod(key[first], len(ids) + 1)
    rows_per_term = np.bincount(pair_term - first_term, minlength=len(chunk))
    occurrences_per_term = np.bincount(key // (len(ids) + 1) - first_term, minlength=len(chunk))
    return (rows_per_term, pair_row.astype(np.int32), np.minimum(tf, 65535).astype(np.uint16),
            occurrences_per_term, offsets.astype(np.int32))


_lock = threading.Lock()
_with_catalog = False


def build_with_catalog(enabled: bool = True) -> None:
    """Have every catalog come with postings (server processes: ``uprwatch.wsgi`` turns this on).

    A one-shot command does not: building them (0.4 s at 41k rows, 3 s at 300k) costs more than the
    database's own ranking of its one query.
    """
    global _with_catalog
    _with_catalog = enabled


def built_with_catalog() -> bool:
    """Whether this process is a server (see ``build_with_catalog``)."""
    return _with_catalog


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
