"""The offline wordllama model that search and the action classifier embed texts with."""

from __future__ import annotations

from pathlib import Path


def load_wordllama(dim: int):
    """A new WordLlama instance with ``dim`` dimensions, read from the weights inside the package.

    ``WordLlama.load()`` would otherwise try to download them. Each caller keeps its own instance
    (the classifier changes its tokenizer's padding).
    """
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=dim)
