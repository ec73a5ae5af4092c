"""The offline wordllama model that search and the action classifier embed texts with."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_instances: dict[tuple[int, bool], object] = {}
_lock = threading.Lock()


def wordllama_model(dim: int, padding: bool = True):
    """The process's WordLlama instance with ``dim`` dimensions, loaded once, thread-safely.

    The weights ship inside the wordllama package; ``WordLlama.load()`` would otherwise try to download
    them. ``padding=False`` gives an instance of its own whose tokenizer does not pad a batch to its
    longest text (the classifier sums token vectors itself, and padding only costs time there).
    """
    with _lock:
        if (dim, padding) not in _instances:
            import wordllama
            from wordllama import WordLlama

            model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=dim)
            if not padding:
                model.tokenizer.no_padding()
            _instances[dim, padding] = model
        return _instances[dim, padding]


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (rows of zeros stay zero)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)
