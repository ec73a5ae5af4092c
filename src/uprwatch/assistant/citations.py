"""The shape in which an assistant receives a recommendation: verbatim and sourced.

An assistant that quotes uprwatch must be able to cite what it quotes, so every recommendation a tool
returns carries its exact text (never shortened or paraphrased), the State under Review, the
recommending state(s), session, cycle and year, the UN document symbol and paragraph where a source
gives them, the response with where it came from, and the recommendation's address in uprwatch.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch

from uprwatch.records.models import Provenance, Recommendation


def base_url(host: str | None = None, scheme: str = "http") -> str:
    """The address recommendations are cited at: the host the HTTP client used, else the setting."""
    if host:
        return f"{scheme}://{host}".rstrip("/")
    return settings.UPRWATCH_PUBLIC_URL.rstrip("/")


def _sources(rec: Recommendation) -> list[dict]:
    """Every source the recommendation was read from: a dataset row (UPR Info, UHRI: the symbol of the
    document it cites, where it gives one), or a parsed document and its paragraph."""
    out = []
    for p in rec.provenance.all():
        document = p.document
        if document is None:
            original = p.original if isinstance(p.original, dict) else {}
            symbol = str(original.get("symbol") or "")
            out.append({"source": p.dataset, "kind": "dataset", "symbol": symbol if _is_un_symbol(symbol) else None,
                        "locator": p.locator, "url": original.get("url") or None})
            continue
        symbol = document.symbol if _is_un_symbol(document.symbol) else None
        out.append({"source": document.symbol or document.title or document.filename, "kind": document.kind,
                    "symbol": symbol, "locator": p.locator, "url": None})
    return out


def _is_un_symbol(text: str) -> bool:
    """UN document symbols name their body and parts with slashes (A/HRC/25/5, CAT/C/CHN/CO/5)."""
    return bool(text) and " " not in text and text.count("/") >= 2


def _documents(sources: list[dict], paragraph: str) -> list[dict]:
    """The documents the recommendation is in: the UN symbol where known, and the paragraph (a parsed
    document's own locator; for a dataset row, the recommendation's paragraph)."""
    found, seen = [], set()
    for s in sources:
        if s["kind"] == "dataset" and not s["symbol"]:
            continue
        where = s["locator"] if s["kind"] != "dataset" else paragraph
        key = (s["symbol"] or s["source"], where)
        if key not in seen:
            seen.add(key)
            found.append({"symbol": s["symbol"], "document": s["source"], "kind": s["kind"], "paragraph": where or None})
    return found


def cite(rec: Recommendation, url_base: str) -> dict:
    """One recommendation as a citation (``rec`` with ``with_related()`` and provenance prefetched)."""
    review = rec.review
    sources = _sources(rec)
    return {
        "id": rec.pk,
        "text": rec.text,
        "state_under_review": review.state.name,
        "recommending_states": sorted(s.name for s in rec.recommending_states.all()),
        "session": review.session_id,
        "cycle": review.session.cycle_id,
        "year": review.session.year,
        "paragraph": rec.paragraph or None,
        "documents": _documents(sources, rec.paragraph),
        "response": rec.response,
        "response_source": rec.response_source or None,
        "response_explanation": rec.response_explanation or None,
        "sources": sources,
        "url": f"{url_base}{rec.get_absolute_url()}",
    }


def recommendations_by_id(ids: Iterable[int]) -> list[Recommendation]:
    """The recommendations with these ids, in the order given, ready for ``cite``."""
    ids = list(ids)
    found = (
        Recommendation.objects.with_related()
        .prefetch_related(Prefetch("provenance", queryset=Provenance.objects.select_related("document")))
        .in_bulk(ids)
    )
    return [found[i] for i in ids if i in found]


def cite_ids(ids: Iterable[int], url_base: str) -> list[dict]:
    return [cite(rec, url_base) for rec in recommendations_by_id(ids)]
