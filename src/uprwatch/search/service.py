"""The one search service behind the web page, the API, the CLI and the exports.

``search(params)`` returns ``{"count", "results", "facets"}``; ``matching_ids(params)`` every matching
recommendation id in result order (for saved searches, firsts, exports). Filters use the in-memory
``catalog``; the words use the database's full-text backend; semantic ranking uses ``vectors``.

Semantics: words are ANDed; values inside one filter are ORed (``sur=China&sur=Cuba``), different
filters are ANDed. Facet counts are exact and, as in most faceted search UIs, each facet is counted
with every filter *except its own*, so the other values of a multi-select stay visible.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from uprwatch.records.models import Response
from uprwatch.records.states import REGIONAL_GROUP_ALIASES, UnknownStateError, resolve_state
from uprwatch.search import catalog as catalog_module
from uprwatch.search.backends import get_backend, top_level_negation
from uprwatch.search.query import ParsedQuery, QueryError, parse_query

MODES = ("text", "semantic", "hybrid")
SORTS = ("relevance", "session", "-session", "state")
MAX_LIMIT = 1000
SEMANTIC_TOP = 200  # a semantic query returns its nearest recommendations, best first
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009)
TEXT_CACHE_SIZE = 128

SearchError = QueryError  # one error type for bad queries and bad filters

LIST_FIELDS = ("sur", "by", "sur_group", "by_group", "sur_bloc", "by_bloc", "cycle", "session", "year",
               "response", "action", "issue", "theme")
INT_FIELDS = ("cycle", "session", "year", "action")
FACET_NAMES = LIST_FIELDS


@dataclass
class SearchParams:
    q: str = ""
    sur: list[str] = field(default_factory=list)
    by: list[str] = field(default_factory=list)
    sur_group: list[str] = field(default_factory=list)
    by_group: list[str] = field(default_factory=list)
    sur_bloc: list[str] = field(default_factory=list)
    by_bloc: list[str] = field(default_factory=list)
    cycle: list[int] = field(default_factory=list)
    session: list[int] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    response: list[str] = field(default_factory=list)
    action: list[int] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    human_only: bool = False
    mode: str = "text"
    exact: bool = False
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0

    @classmethod
    def from_querydict(cls, qd: Any) -> SearchParams:
        """Build from a Django ``QueryDict`` or a plain dict (values: a string or a list of strings).

        Empty values are ignored, so an HTML form's blank fields mean "no filter".
        Raises ``QueryError`` for values of the wrong type.
        """

        def getlist(key: str) -> list[str]:
            if hasattr(qd, "getlist"):
                values = qd.getlist(key)
            else:
                value = qd.get(key)
                values = [] if value is None else value if isinstance(value, list | tuple) else [value]
            return [str(v).strip() for v in values if v is not None and str(v).strip() != ""]

        def get(key: str, default: str = "") -> str:
            values = getlist(key)
            return values[-1] if values else default

        kwargs: dict[str, Any] = {"q": get("q")}
        for name in LIST_FIELDS:
            values = getlist(name)
            kwargs[name] = [_int(name, v) for v in values] if name in INT_FIELDS else values
        kwargs["human_only"] = _bool("human_only", get("human_only", "0"))
        kwargs["exact"] = _bool("exact", get("exact", "0"))
        kwargs["mode"] = get("mode", "text")
        kwargs["sort"] = get("sort", "relevance")
        kwargs["limit"] = _int("limit", get("limit", "20"))
        kwargs["offset"] = _int("offset", get("offset", "0"))
        params = cls(**kwargs)
        params.validate()
        return params

    def validate(self) -> None:
        if self.mode not in MODES:
            raise QueryError(f"unknown mode {self.mode!r}: use one of {', '.join(MODES)}")
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}: use one of {', '.join(SORTS)}")
        if not 0 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 0 and {MAX_LIMIT}")
        if self.offset < 0:
            raise QueryError("offset must be 0 or more")
        if self.mode != "text" and not (self.q or "").strip():
            raise QueryError(f"{self.mode} search needs query words")

    def to_query(self) -> list[tuple[str, str]]:
        """The parameters as (key, value) pairs for a URL (defaults left out), e.g. for links."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in LIST_FIELDS:
            pairs += [(name, str(v)) for v in getattr(self, name)]
        defaults = SearchParams()
        for name in ("human_only", "exact"):
            if getattr(self, name):
                pairs.append((name, "1"))
        for name in ("mode", "sort"):
            if getattr(self, name) != getattr(defaults, name):
                pairs.append((name, getattr(self, name)))
        return pairs


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a whole number, not {value!r}") from None


def _bool(name: str, value: str) -> bool:
    folded = value.strip().lower()
    if folded in ("1", "true", "yes", "on"):
        return True
    if folded in ("0", "false", "no", "off", ""):
        return False
    raise QueryError(f"{name} must be 1 or 0, not {value!r}")


# --- filters -----------------------------------------------------------------------------------

def _codes(catalog: catalog_module.Catalog, name: str, values: list) -> list[int]:
    """The facet codes a filter selects. Unknown names are errors; known-but-absent numbers match nothing."""
    column = catalog.facets[name]
    index = {v: i for i, v in enumerate(column.values)}
    codes: list[int] = []
    for value in values:
        if name in ("sur", "by"):
            try:
                key = resolve_state(str(value)).name
            except UnknownStateError as exc:
                raise QueryError(str(exc)) from None
        elif name in ("sur_group", "by_group"):
            key = REGIONAL_GROUP_ALIASES.get(str(value).strip().casefold(), str(value))
            if key not in index:
                raise QueryError(f"unknown regional group {value!r}: use one of {', '.join(column.values)}")
        elif name in ("sur_bloc", "by_bloc", "issue", "theme"):
            key = _lookup_name(name, str(value), column)
        elif name == "response":
            key = str(value).strip().lower()
            if key not in Response.values:
                raise QueryError(f"unknown response {value!r}: use one of {', '.join(Response.values)}")
        else:  # cycle, session, year, action
            key = str(value)
        if key in index:
            codes.append(index[key])
    return codes


_KINDS = {"sur_bloc": "organisation", "by_bloc": "organisation", "issue": "issue", "theme": "theme"}


def _lookup_name(name: str, value: str, column: catalog_module.FacetColumn) -> str:
    folded = value.strip().casefold()
    names = column.names or column.values
    for candidate, label, other in zip(column.values, column.labels, names, strict=True):
        if folded in (candidate.casefold(), label.casefold(), other.casefold()):
            return candidate
    close = difflib.get_close_matches(value, column.values, n=3, cutoff=0.6)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise QueryError(f"unknown {_KINDS[name]} {value!r}{hint}")


def _filter_masks(catalog: catalog_module.Catalog, params: SearchParams) -> dict[str, np.ndarray]:
    masks = {}
    for name in LIST_FIELDS:
        values = getattr(params, name)
        if values:
            masks[name] = catalog.facets[name].rows_with(_codes(catalog, name, values), catalog.size)
    return masks


# --- text and semantic matching ------------------------------------------------------------------

def _text_scores(catalog: catalog_module.Catalog, parsed: ParsedQuery) -> np.ndarray:
    """Relevance per catalog row; NaN where the row does not match."""
    key = ("text", parsed)
    cache: dict = catalog.__dict__.setdefault("_text_cache", {})
    if key in cache:
        return cache[key]
    backend = get_backend()
    scores = np.full(catalog.size, np.nan, dtype=np.float32)
    negated = top_level_negation(parsed.tree)
    if negated is not None:
        ids, _ = backend.match(negated, parsed.exact)
        scores[:] = 0.0
        scores[catalog.rows_of(ids)] = np.nan
    else:
        ids, values = backend.match(parsed.tree, parsed.exact)
        rows = np.searchsorted(catalog.ids, ids)
        known = (rows < catalog.size) & (catalog.ids[np.clip(rows, 0, max(catalog.size - 1, 0))] == ids)
        scores[rows[known]] = values[known]
    if len(cache) >= TEXT_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = scores
    return scores


def _rank_desc(scores: np.ndarray, rows: np.ndarray, catalog: catalog_module.Catalog) -> np.ndarray:
    """rows ordered by score (highest first), ties by id."""
    return rows[np.lexsort((catalog.ids[rows], -scores[rows]))]


def _ordered_rows(catalog: catalog_module.Catalog, params: SearchParams, parsed: ParsedQuery,
                  filters: np.ndarray) -> np.ndarray:
    """The matching rows in result order."""
    text = _text_scores(catalog, parsed) if parsed.tree is not None and params.mode != "semantic" else None
    if params.mode == "text":
        mask = filters if text is None else filters & ~np.isnan(text)
        rows = np.flatnonzero(mask)
        if params.sort == "relevance" and text is not None:
            return _rank_desc(text, rows, catalog)
        return _sorted(catalog, rows, params.sort)

    from uprwatch.search import vectors

    similarity = vectors.query_scores(params.q, catalog)
    candidates = np.flatnonzero(filters)
    semantic = _rank_desc(similarity, candidates, catalog)[:SEMANTIC_TOP]
    if params.mode == "semantic":
        rows = semantic
    else:
        fused = np.zeros(catalog.size, dtype=np.float64)
        fused[semantic] += 1.0 / (RRF_K + 1 + np.arange(len(semantic)))
        if text is not None:
            lexical = _rank_desc(text, np.flatnonzero(filters & ~np.isnan(text)), catalog)
            fused[lexical] += 1.0 / (RRF_K + 1 + np.arange(len(lexical)))
            rows = np.union1d(semantic, lexical)
        else:
            rows = semantic
        rows = _rank_desc(fused, rows, catalog)
    if params.sort != "relevance":
        rows = _sorted(catalog, rows, params.sort)
    return rows


def _sorted(catalog: catalog_module.Catalog, rows: np.ndarray, sort: str) -> np.ndarray:
    ids = catalog.ids[rows]
    if sort == "-session":
        return rows[np.lexsort((ids, -catalog.session[rows]))]
    if sort == "state":
        return rows[np.lexsort((ids, catalog.session[rows], catalog.state_rank[rows]))]
    return rows[np.lexsort((ids, catalog.session[rows]))]  # "session", and "relevance" without words


def _prepare(params: SearchParams) -> tuple[catalog_module.Catalog, ParsedQuery, dict[str, np.ndarray]]:
    params.validate()
    parsed = parse_query(params.q, exact=params.exact)
    catalog = catalog_module.get_catalog()
    masks = _filter_masks(catalog, params)
    if params.human_only:
        masks["human_only"] = catalog.human_only
    return catalog, parsed, masks


def _combine(catalog: catalog_module.Catalog, masks: dict[str, np.ndarray], skip: str | None = None) -> np.ndarray:
    combined = np.ones(catalog.size, dtype=bool)
    for name, mask in masks.items():
        if name != skip:
            combined &= mask
    return combined


def matching_ids(params: SearchParams) -> list[int]:
    """Every matching recommendation id, in result order (no paging)."""
    catalog, parsed, masks = _prepare(params)
    rows = _ordered_rows(catalog, params, parsed, _combine(catalog, masks))
    return catalog.ids[rows].tolist()


def search(params: SearchParams) -> dict:
    """One page of results with the total count and the facets: ``{"count", "results", "facets"}``."""
    from uprwatch.search.highlight import snippet_html
    from uprwatch.search.results import recommendations_out

    catalog, parsed, masks = _prepare(params)
    rows = _ordered_rows(catalog, params, parsed, _combine(catalog, masks))
    matched = np.zeros(catalog.size, dtype=bool)
    matched[rows] = True
    page_ids = catalog.ids[rows[params.offset: params.offset + params.limit]].tolist()
    results = recommendations_out(page_ids)
    for out in results:
        out["snippet"] = str(snippet_html(out["text"], parsed))
    return {
        "count": int(len(rows)),
        "results": results,
        "facets": _facets(catalog, params, parsed, masks, matched),
    }


def _facets(catalog, params, parsed, masks, matched) -> dict[str, list[dict]]:
    """Counts per facet value for the current query, each facet ignoring its own filter."""
    text_rows = matched if params.mode != "text" else None
    if params.mode == "text" and parsed.tree is not None:
        text_mask = ~np.isnan(_text_scores(catalog, parsed))
    elif text_rows is not None:
        # semantic/hybrid: the candidate set depends on every filter; count within the matched rows
        text_mask = text_rows
    else:
        text_mask = np.ones(catalog.size, dtype=bool)
    facets: dict[str, list[dict]] = {}
    shared = text_mask & _combine(catalog, masks) if params.mode == "text" else matched
    shared_rows = np.flatnonzero(shared)
    for name in FACET_NAMES:
        column = catalog.facets[name]
        if params.mode == "text" and name in masks:
            mask = text_mask & _combine(catalog, masks, skip=name)
            counts = column.counts(mask, np.flatnonzero(mask))
        else:  # facets without a filter of their own all count the same rows
            counts = column.counts(shared, shared_rows)
        selected = set(_codes(catalog, name, getattr(params, name))) if getattr(params, name) else set()
        entries = [
            {"value": column.values[code], "label": column.labels[code], "count": int(counts[code]),
             "selected": code in selected}
            for code in range(len(column.values))
            if counts[code] or code in selected
        ]
        if name not in ("cycle", "session", "year", "action", "response"):
            entries.sort(key=lambda e: (-e["count"], e["label"]))
        facets[name] = entries
    return facets


def params_with(params: SearchParams, **changes: Any) -> SearchParams:
    return dataclasses.replace(params, **changes)
