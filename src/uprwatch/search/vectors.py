"""Sentence vectors for every recommendation (wordllama, offline) and nearest-neighbour queries.

The matrix lives under ``UPRWATCH_HOME/search/`` as three arrays: ``vector_ids.npy`` (recommendation
ids, ascending), ``vectors.npy`` (one L2-normalised float32 row per id) and ``vector_checks.npy`` (a
CRC32 of each text, so a changed text is re-embedded). ``sync_vectors()`` embeds only what is missing
or changed, so ``uprwatch index`` after an ingest is quick. Cosine similarity is then a dot product.

Up to ``EXACT_ROWS`` rows every query scores every row exactly (float32 in memory). Above that a full
product (300k x 256 floats, 300 MB read per query) is too slow for the 60 ms target and too big for
the 700 MB memory target, so queries run in two stages: a resident float32 copy of the first
``COARSE_DIM`` dimensions (wordllama's vectors are Matryoshka-trained, so a prefix is itself an
embedding) picks the ``RERANK`` best rows, which are then scored with all dimensions from a float16
copy (scores within about 1e-3 of float32). On the 300k scale corpus the true top 200 lie in that
shortlist 99.9% of the time (mean over real queries; 99% at worst). Together: 230 MB instead of 300.
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from uprwatch.records.models import Recommendation
from uprwatch.wordvectors import unit_rows, wordllama_model

DIM = 256
BATCH = 2000
EXACT_ROWS = 100_000  # at or below this many rows, every query scores every row exactly
COARSE_DIM = 64
RERANK = 5000


def embed_texts(texts: list[str]) -> np.ndarray:
    """Embed texts offline: an (n, DIM) float32 array, each row L2-normalised (zero rows stay zero)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return unit_rows(np.asarray(wordllama_model(DIM).embed(list(texts), norm=False), dtype=np.float32))


@functools.lru_cache(maxsize=1024)
def _query_vector(text: str) -> np.ndarray:
    vector = embed_texts([text])[0]
    vector.setflags(write=False)
    return vector


def vectors_dir() -> Path:
    path = Path(settings.HOME) / "search"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths() -> tuple[Path, Path, Path]:
    folder = vectors_dir()
    return folder / "vector_ids.npy", folder / "vectors.npy", folder / "vector_checks.npy"


def _check(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def load_stored() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids_path, matrix_path, checks_path = _paths()
    if not (ids_path.exists() and matrix_path.exists() and checks_path.exists()):
        return np.empty(0, np.int64), np.zeros((0, DIM), np.float32), np.empty(0, np.uint32)
    ids, matrix, checks = np.load(ids_path), np.load(matrix_path), np.load(checks_path)
    if len(ids) != len(matrix) or len(ids) != len(checks) or matrix.shape[1:] != (DIM,):
        return np.empty(0, np.int64), np.zeros((0, DIM), np.float32), np.empty(0, np.uint32)
    return ids, matrix, checks


def _save(ids: np.ndarray, matrix: np.ndarray, checks: np.ndarray) -> None:
    # write then rename, so a reader never sees half a file
    for path, array in zip(_paths(), (ids, matrix, checks), strict=True):
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, array)
        os.replace(tmp, path)


_sync_lock = threading.Lock()


def sync_vectors(progress: Callable[[int, int], None] | None = None) -> dict:
    """Make the stored matrix match the database: embed new or changed texts, drop deleted ones.

    ``progress(done, total)`` is called after each batch. Returns ``{"total", "embedded", "removed"}``.
    """
    with _sync_lock:
        stored_ids, stored, stored_checks = load_stored()
        rows = list(Recommendation.objects.order_by("id").values_list("id", "text"))
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        checks = np.fromiter((_check(r[1]) for r in rows), dtype=np.uint32, count=len(rows))
        matrix = np.zeros((len(rows), DIM), dtype=np.float32)
        position = np.searchsorted(stored_ids, ids)
        clipped = np.clip(position, 0, max(len(stored_ids) - 1, 0))
        reuse = (position < len(stored_ids)) & (stored_ids[clipped] == ids) if len(stored_ids) else np.zeros(len(ids), bool)
        reuse &= stored_checks[clipped] == checks if len(stored_ids) else reuse
        matrix[reuse] = stored[clipped[reuse]]
        todo = np.flatnonzero(~reuse)
        if progress:
            progress(0, len(todo))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start: start + BATCH]
            matrix[chunk] = embed_texts([rows[i][1] for i in chunk])
            if progress:
                progress(min(start + BATCH, len(todo)), len(todo))
        removed = int(len(stored_ids) - reuse.sum())
        if len(todo) or removed or len(stored_ids) != len(ids):
            _save(ids, matrix, checks)
        _forget()
        return {"total": len(ids), "embedded": int(len(todo)), "removed": max(removed, 0)}


_aligned: dict = {}


def _forget() -> None:
    _aligned.clear()


@dataclass
class _Index:
    full: np.ndarray  # one row per catalog row: float32, or float16 for large catalogs
    coarse: np.ndarray | None  # large catalogs: the first COARSE_DIM dimensions, re-normalised, float32


def _index_for(catalog) -> _Index:
    key = (id(catalog), catalog.stamp)
    cached = _aligned.get("entry")
    if cached is not None and cached[0] == key:
        return cached[1]
    ids_path, matrix_path, _ = _paths()
    ids, matrix = _load_mapped(ids_path, matrix_path)
    if len(ids) != catalog.size or not np.array_equal(ids, catalog.ids):
        sync_vectors()
        ids, matrix = _load_mapped(ids_path, matrix_path)
        rows = np.searchsorted(ids, catalog.ids)
        matrix = matrix[np.clip(rows, 0, max(len(ids) - 1, 0))]
    if catalog.size <= EXACT_ROWS:
        index = _Index(np.array(matrix, dtype=np.float32), None)
    else:
        full = np.empty(matrix.shape, dtype=np.float16)
        coarse = np.empty((len(matrix), COARSE_DIM), dtype=np.float32)
        for start in range(0, len(matrix), 50_000):  # chunks of the mapped file: no full float32 copy
            part = np.array(matrix[start: start + 50_000], dtype=np.float32)
            full[start: start + 50_000] = part
            norms = np.linalg.norm(part[:, :COARSE_DIM], axis=1, keepdims=True)
            coarse[start: start + 50_000] = part[:, :COARSE_DIM] / np.where(norms == 0, 1, norms)
        index = _Index(full, coarse)
    _aligned["entry"] = (key, index)
    return index


def _load_mapped(ids_path: Path, matrix_path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not (ids_path.exists() and matrix_path.exists()):
        return np.empty(0, np.int64), np.zeros((0, DIM), np.float32)
    ids, matrix = np.load(ids_path), np.load(matrix_path, mmap_mode="r")
    if len(ids) != len(matrix) or matrix.shape[1:] != (DIM,):
        return np.empty(0, np.int64), np.zeros((0, DIM), np.float32)
    return ids, matrix


def matrix_for(catalog) -> np.ndarray:
    """The vectors aligned with the catalog's rows (synced first if the stored matrix lags behind).

    float32, or float16 above ``EXACT_ROWS`` rows (cast a row before using it in a product).
    """
    return _index_for(catalog).full


@functools.cache
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def scores_for(vector: np.ndarray, catalog, candidates: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity of a unit vector to the catalog rows (float32, one per row).

    Small catalogs: exact for every row. Large ones: exact for the ``RERANK`` rows (among ``candidates``,
    a boolean mask, when given) that the coarse prefix ranks best, ``-inf`` for the rest.
    """
    index = _index_for(catalog)
    # One BLAS thread: a matrix-vector product is memory-bound, and OpenBLAS's second thread only
    # spin-waits (it doubled the CPU time of a query, and a web server runs queries side by side).
    with _blas().limit(limits=1, user_api="blas"):
        return _scores(index, vector, catalog.size, candidates)


def _scores(index: _Index, vector: np.ndarray, size: int, candidates: np.ndarray | None) -> np.ndarray:
    if index.coarse is None:
        return np.asarray(index.full @ vector, dtype=np.float32)
    prefix = vector[:COARSE_DIM]
    coarse = index.coarse @ (prefix / (np.linalg.norm(prefix) or 1.0))
    if candidates is not None and not candidates.all():
        coarse[~candidates] = -np.inf
    cut = len(coarse) - RERANK
    shortlist = np.argpartition(coarse, cut)[cut:] if cut > 0 else np.arange(len(coarse))
    shortlist.sort()  # gathers rows front to back
    scores = np.full(size, -np.inf, dtype=np.float32)
    scores[shortlist] = index.full[shortlist].astype(np.float32) @ vector
    return scores


def query_scores(text: str, catalog, candidates: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity of a query to the catalog rows (see ``scores_for``)."""
    return scores_for(_query_vector(text), catalog, candidates)
