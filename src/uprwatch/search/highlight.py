"""Result snippets with the matched words marked, built from escaped text (recommendations are untrusted).

Matching mirrors the backends: words compare by their folded, stemmed form (Snowball English), prefixes
by the start of the folded word, and ``exact:`` queries by the folded word itself.
"""

from __future__ import annotations

import functools
import html
import re
import threading

import snowballstemmer
from django.utils.safestring import SafeString, mark_safe

from uprwatch.search.query import ParsedQuery, Phrase, Term, fold

_WORD = re.compile(r"\w+", re.UNICODE)
# A Snowball stemmer keeps the word it works on in the object: two threads sharing one (gunicorn's threaded
# workers) stem each other's words, and the cache below would keep the wrong stem for the process's life.
_stemmers = threading.local()
SNIPPET_CHARS = 400


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def _matcher(parsed: ParsedQuery):
    whole: set[str] = set()
    prefixes: list[str] = []
    for leaf in parsed.positive_leaves():
        words = leaf.words if isinstance(leaf, Phrase) else (leaf.word,)
        if isinstance(leaf, Term) and leaf.prefix:
            prefixes.append(leaf.word)
            continue
        whole.update(w if parsed.exact else stem(w) for w in words)

    starts = tuple(prefixes)

    @functools.lru_cache(maxsize=4096)
    def matches(token: str) -> bool:
        folded = fold(token)
        if starts and folded.startswith(starts):
            return True
        return (folded if parsed.exact else stem(folded)) in whole

    return matches


_matcher = functools.lru_cache(maxsize=256)(_matcher)  # one matcher per query, reused for every row


def escape(text: str) -> str:
    """Django's ``escape`` without its lazy-string wrapper (same output; this runs for every word span)."""
    return html.escape(text, quote=True)


def snippet_html(text: str, parsed: ParsedQuery, max_chars: int = SNIPPET_CHARS) -> SafeString:
    """The text (or a window of it around the first match), HTML-escaped, matches in ``<mark>``."""
    matches = _matcher(parsed)
    spans = [m.span() for m in _WORD.finditer(text) if matches(m.group())]
    start, end = 0, len(text)
    if len(text) > max_chars:
        first = spans[0][0] if spans else 0
        start = max(0, first - max_chars // 4)
        end = min(len(text), start + max_chars)
    parts: list[str] = ["…" if start else ""]
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts.append(escape(text[cursor:a]))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))
