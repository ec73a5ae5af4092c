"""Text similarity of two renderings of one recommendation (official text vs UPR Info's light edits)."""

from __future__ import annotations

import difflib
import re


def normalise_text(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def text_similarity(a: str, b: str) -> float:
    """difflib ratio of the normalised texts (case, punctuation and spacing ignored)."""
    a, b = normalise_text(a), normalise_text(b)
    if not a or not b:
        return 0.0
    if a == b:  # the common case (UPR Info copied the official text): skip the quadratic matcher
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return matcher.quick_ratio() * 0.5
    return matcher.ratio()
