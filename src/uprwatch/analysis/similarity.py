"""Text similarity for lineage: lexical (TF-IDF) and semantic (embeddings).

The semantic side goes through ``semantic_vectors`` only, so lineage never keeps an embedding store
of its own: it reads the search feature's stored matrix (``uprwatch.search.vectors``) and embeds
with the same model just the texts that matrix does not hold yet (without storing them).
"""

from __future__ import annotations

import zlib

import numpy as np


def lexical_vectors(texts: list[str]):
    """L2-normalised TF-IDF rows (word unigrams and bigrams, English stop words dropped).

    The IDF is fitted on the texts given — lineage passes every recommendation to one State under
    Review, so phrases that state hears in every review ("ratify", "continue its efforts") weigh
    little and the specific subject of a recommendation weighs most.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer  # here: a 3 s import every app start paid

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=1,
                                 strip_accents="unicode")
    return vectorizer.fit_transform(texts)


class SemanticVectors:
    """Embeddings of recommendation texts, from the search feature's stored matrix where possible."""

    def __init__(self) -> None:
        from uprwatch.search import vectors

        self._vectors = vectors
        self.ids, self.matrix, self.checks = vectors.load_stored()

    def for_texts(self, ids: list[int], texts: list[str]) -> np.ndarray:
        result = np.zeros((len(ids), self._vectors.DIM), dtype=np.float32)
        if not ids:
            return result
        wanted = np.asarray(ids, dtype=np.int64)
        # the same text checksum the search store keeps, so an edited text is embedded afresh
        checks = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in texts), dtype=np.uint32, count=len(texts))
        if len(self.ids):
            rows = np.clip(np.searchsorted(self.ids, wanted), 0, len(self.ids) - 1)
            stored = (self.ids[rows] == wanted) & (self.checks[rows] == checks)
            result[stored] = self.matrix[rows[stored]]
        else:
            stored = np.zeros(len(ids), dtype=bool)
        missing = np.flatnonzero(~stored)
        if len(missing):
            result[missing] = self._vectors.embed_texts([texts[i] for i in missing])
        return result


def content_words(texts: list[str]):
    """Which content words each text uses, and how rare each word is among ``texts``.

    Returns ``(binary CSR matrix texts × words, rarity per word)``, rarity = log(n / df) / log(n), in
    [0, 1]: 1 for a word only one text uses, 0 for a word in every text. Fitted per State under Review
    like the TF-IDF, so "refoulement" (a handful of recommendations to China) counts for much and
    "ensure", "rights" (hundreds) for almost nothing.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english", binary=True, strip_accents="unicode",
                                 token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    try:
        words = vectorizer.fit_transform(texts).tocsr().astype(np.float32)
    except ValueError:  # no content word at all (e.g. every text empty)
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 0), dtype=np.float32), np.zeros(0, dtype=np.float32)
    n = max(len(texts), 2)
    df = np.asarray(words.sum(axis=0)).ravel()
    rarity = (np.log(n / np.maximum(df, 1)) / np.log(n)).astype(np.float32)
    return words, rarity

