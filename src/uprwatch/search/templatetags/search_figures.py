"""``{% search_relevance %}``: the measured search relevance (``benchmarks/relevance.py --write``) on /about/."""

from __future__ import annotations

import json
from pathlib import Path

from django import template

register = template.Library()

RELEVANCE_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "search" / "relevance.json"
SYSTEM_NAMES = {
    "default": "uprwatch default (words with other names and synonyms, then meaning when few match)",
    "text": "words only (with other names and synonyms)",
    "semantic": "meaning only (the 50 closest)",
    "hybrid": "words + meaning, fused",
    "default_no_expansion": "default without other names and synonyms",
    "baseline_fts5": "plain FTS5 baseline (what Datasette answers)",
}


@register.inclusion_tag("search/relevance_about.html")
def search_relevance() -> dict:
    try:
        figures = json.loads(RELEVANCE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"figures": None}
    systems = [{"name": SYSTEM_NAMES.get(key, key), **values} for key, values in figures["summary"].items()]
    return {"figures": figures, "systems": systems}
