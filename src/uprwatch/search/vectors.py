"""Sentence vectors for every recommendation (wordllama, offline) and nearest-neighbour queries.

The matrix lives under ``UPRWATCH_HOME/search/`` as three arrays: ``vector_ids.npy`` (recommendation
ids, ascending), ``vectors.npy`` (one L2-normalised float32 row per id) and ``vector_checks.npy`` (a
CRC32 of each text, so a changed text is re-embedded). ``sync_vectors()`` embeds only what is missing
or changed, so ``uprwatch index`` after an ingest is quick. Cosine similarity is then a dot product.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings

from uprwatch.records.models import Recommendation

DIM = 256
BATCH = 2000
_model = None
_model_lock = threading.Lock()


def _model_instance():
    global _model
    with _model_lock:
        if _model is None:
            import wordllama
            from wordllama import WordLlama

            # load() would try to download; the weights ship inside the package.
            _model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=DIM)
        return _model


def embed_texts(texts: list[str]) -> np.ndarray:
    """Embed texts offline: an (n, DIM) float32 array, each row L2-normalised (zero rows stay zero)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(_model_instance().embed(list(texts), norm=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


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


def matrix_for(catalog) -> np.ndarray:
    """The vectors aligned with the catalog's rows (synced first if the stored matrix lags behind)."""
    key = (id(catalog), catalog.stamp)
    cached = _aligned.get("entry")
    if cached is not None and cached[0] == key:
        return cached[1]
    ids, matrix, _ = load_stored()
    if len(ids) != catalog.size or not np.array_equal(ids, catalog.ids):
        sync_vectors()
        ids, matrix, _ = load_stored()
        rows = np.searchsorted(ids, catalog.ids)
        matrix = matrix[np.clip(rows, 0, max(len(ids) - 1, 0))]
    _aligned["entry"] = (key, matrix)
    return matrix


def query_scores(text: str, catalog) -> np.ndarray:
    """Cosine similarity of a query to every catalog row."""
    vector = embed_texts([text])[0]
    return matrix_for(catalog) @ vector


def similar_to(rec_id: int, k: int = 10, same_sur: bool = False, **filters) -> list[tuple[int, float]]:
    """The ``k`` recommendations closest in meaning to one recommendation: ``[(id, cosine), ...]``.

    ``same_sur`` keeps the same State under Review; ``filters`` are any ``SearchParams`` filters
    (``sur``, ``by``, ``cycle``, ``session``, ...). The recommendation itself is left out.
    Raises ``Recommendation.DoesNotExist`` for an unknown id and ``QueryError`` for bad filters.
    """
    from uprwatch.search import catalog as catalog_module
    from uprwatch.search.service import SearchParams, _combine, _filter_masks

    catalog = catalog_module.get_catalog()
    rows = catalog.rows_of(np.asarray([rec_id]))
    if not len(rows):
        raise Recommendation.DoesNotExist(f"no recommendation {rec_id}")
    row = int(rows[0])
    matrix = matrix_for(catalog)
    params = SearchParams(**{name: list(v) if isinstance(v, list | tuple) else [v] for name, v in filters.items()})
    mask = _combine(catalog, _filter_masks(catalog, params))
    if same_sur:
        sur = catalog.facets["sur"].codes
        mask &= sur == sur[row]
    mask[row] = False
    candidates = int(mask.sum())
    if not candidates or k <= 0:
        return []
    scores = matrix @ matrix[row]  # one pass over the matrix; no copy of the candidate rows
    scores[~mask] = -np.inf
    k = min(k, candidates)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((catalog.ids[top], -scores[top]))]
    return [(int(catalog.ids[i]), float(scores[i])) for i in top]
