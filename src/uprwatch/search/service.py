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
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from uprwatch.records.models import Response
from uprwatch.records.states import REGIONAL_GROUP_ALIASES, UnknownStateError, resolve_state
from uprwatch.search import catalog as catalog_module
from uprwatch.search import postings
from uprwatch.search.backends import get_backend, top_level_negation
from uprwatch.search.filters import FACET_FILTERS, INT_FILTERS
from uprwatch.search.query import ParsedQuery, QueryError, parse_query

MODES = ("text", "semantic", "hybrid")
SORTS = ("relevance", "session", "-session", "state")
MAX_LIMIT = 1000
SEMANTIC_TOP = 200  # a semantic query returns its nearest recommendations, best first
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009)
TEXT_CACHE_SIZE = 128
TEXT_CACHE_BYTES = 64 * 1024 * 1024  # per process: a 300k-row negation entry is ~2.4 MB


LIST_FIELDS = FACET_FILTERS  # the catalog's filters, from the one table in ``filters``
INT_FIELDS = INT_FILTERS
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
    # UN mechanism: none = the UPR (what every search meant before other mechanisms were loaded)
    body: list[str] = field(default_factory=list)
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
        kwargs["body"] = getlist("body")
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
        pairs += [("body", v) for v in self.body]
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
            masks[name] = catalog.rows_with(name, _codes(catalog, name, values))
    return masks


# --- text and semantic matching ------------------------------------------------------------------

@dataclass(frozen=True)
class TextMatch:
    """The rows a query's words match, best first (relevance, ties by id), with their scores."""

    ranked: np.ndarray  # int32 row positions
    scores: np.ndarray  # float32, aligned with ranked

    @property
    def nbytes(self) -> int:
        return self.ranked.nbytes + self.scores.nbytes

    def mask(self, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[self.ranked] = True
        return mask


_text_cache_lock = threading.Lock()


def _text_match(catalog: catalog_module.Catalog, parsed: ParsedQuery, ranked: bool = True) -> TextMatch:
    """The backend's matches for the words, ranked once and kept (per catalog) for repeated queries.

    Entries hold only the matching rows, so the cache stays small at 300k rows (bounded by bytes too).
    ``ranked=False`` is for callers that need the matching rows only (another sort order, firsts): the
    backend skips scoring, and the rows come in row order with zero scores.
    """
    cache: dict = catalog.__dict__.setdefault("_text_cache", {})
    hit = cache.get(("text", parsed)) or (None if ranked else cache.get(("rows", parsed)))
    if hit is not None:
        return hit
    key = ("text" if ranked else "rows", parsed)
    backend = get_backend()
    negated = top_level_negation(parsed.tree)
    if negated is not None:
        ids, _ = backend.match(negated, parsed.exact, ranked=False)
        keep = np.ones(catalog.size, dtype=bool)
        keep[catalog.rows_of(ids)] = False
        rows = np.flatnonzero(keep).astype(np.int32)  # every score is 0: ties by id, i.e. row order
        match = TextMatch(rows, np.zeros(len(rows), dtype=np.float32))
    else:
        # Ranked in numpy from the catalog's postings where the backend has them (see ``postings``):
        # the database then only finds the rows, which is a fraction of the cost of scoring them.
        index = postings.for_catalog(catalog, backend) if ranked and not parsed.exact else None
        ids, values = backend.match(parsed.tree, parsed.exact, ranked=ranked and index is None)
        rows = np.searchsorted(catalog.ids, ids)
        known = (rows < catalog.size) & (catalog.ids[np.clip(rows, 0, max(catalog.size - 1, 0))] == ids)
        rows, values = rows[known], values[known]
        if index is not None:
            rows = np.sort(rows)
            values = index.scores(index.query_postings(parsed.tree, backend, catalog.ids), rows)
        order = np.lexsort((catalog.ids[rows], -values))
        match = TextMatch(rows[order].astype(np.int32), values[order].astype(np.float32))
    with _text_cache_lock:  # threaded servers: no other request resizes the dict while we sum it
        while cache and (len(cache) >= TEXT_CACHE_SIZE
                         or sum(m.nbytes for m in cache.values()) + match.nbytes > TEXT_CACHE_BYTES):
            cache.pop(next(iter(cache)))
        cache[key] = match
    return match


def _top(scores: np.ndarray, candidates: np.ndarray, k: int, catalog: catalog_module.Catalog) -> np.ndarray:
    """The ``k`` candidate rows with the highest scores, best first, ties by id (as a full sort would).

    ``argpartition`` finds the k-th best score in linear time; only rows at or above it are sorted.
    """
    if k <= 0 or not len(candidates):
        return candidates[:0]
    values = scores[candidates]
    finite = np.isfinite(values)  # -inf: outside the shortlist of a large catalog (vectors.scores_for)
    if not finite.all():
        candidates, values = candidates[finite], values[finite]
    if len(candidates) > k:
        threshold = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= threshold  # ties at the threshold are all kept, then cut after the id tie-break
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((catalog.ids[candidates], -values))
    return candidates[order][:k]


def _rank_desc(scores: np.ndarray, rows: np.ndarray, catalog: catalog_module.Catalog) -> np.ndarray:
    """rows ordered by score (highest first), ties by id."""
    return rows[np.lexsort((catalog.ids[rows], -scores[rows]))]


def _in_order(catalog: catalog_module.Catalog, mask: np.ndarray, sort: str) -> np.ndarray:
    """The masked rows in a sort order ("relevance" without words sorts by session)."""
    order = catalog.order(sort if sort != "relevance" else "session")
    return order[mask[order]]


@dataclass
class _Result:
    rows: np.ndarray  # matching rows in result order
    mask: np.ndarray  # the same rows as a boolean mask
    text_mask: np.ndarray | None  # rows the words match (text mode with words), for facet counts


def _ordered_rows(catalog: catalog_module.Catalog, params: SearchParams, parsed: ParsedQuery,
                  filters: np.ndarray) -> _Result:
    """The matching rows in result order."""
    # Sorted by session or state, a text query needs its matching rows, not their relevance scores.
    ranked = params.mode != "text" or params.sort == "relevance"
    text = (_text_match(catalog, parsed, ranked) if parsed.tree is not None and params.mode != "semantic"
            else None)
    if params.mode == "text":
        if text is None:
            return _Result(_in_order(catalog, filters, params.sort), filters, None)
        text_mask = text.mask(catalog.size)
        mask = filters & text_mask
        if params.sort == "relevance":
            rows = text.ranked[filters[text.ranked]]
        else:
            rows = _in_order(catalog, mask, params.sort)
        return _Result(rows, mask, text_mask)

    from uprwatch.search import vectors

    similarity = vectors.query_scores(params.q, catalog, filters)
    semantic = _top(similarity, np.flatnonzero(filters & np.isfinite(similarity)), SEMANTIC_TOP, catalog)
    if params.mode == "semantic":
        rows = semantic
    else:
        fused = np.zeros(catalog.size, dtype=np.float64)
        fused[semantic] += 1.0 / (RRF_K + 1 + np.arange(len(semantic)))
        if text is not None:
            lexical = text.ranked[filters[text.ranked]]
            fused[lexical] += 1.0 / (RRF_K + 1 + np.arange(len(lexical)))
            rows = np.union1d(semantic, lexical)
        else:
            rows = semantic
        rows = _rank_desc(fused, rows, catalog)
    mask = np.zeros(catalog.size, dtype=bool)
    mask[rows] = True
    if params.sort != "relevance":
        rows = _in_order(catalog, mask, params.sort)
    return _Result(rows, mask, None)


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


# Other UN mechanisms' recommendations (the ``body`` filter) are searched by the sources app, which sits
# above search in the layers: it registers its ``sources.mechanisms`` module here when Django starts
# (``SourcesConfig.ready``), as the feature apps register their panels.
_mechanisms = None


def register_mechanisms(provider) -> None:
    """Install the search of other mechanisms: a module with ``parse_body``, ``search_mechanisms``,
    ``body_counts``, ``body_facet``, ``BodyFilter`` and ``loaded``."""
    global _mechanisms
    _mechanisms = provider


def _provider():
    if _mechanisms is None:
        raise QueryError("other UN mechanisms are not installed here: leave out body (or use body=UPR)")
    return _mechanisms


def mechanisms_loaded() -> bool:
    """Whether any other mechanism's recommendations are in the database (``uprwatch sync uhri``)."""
    return _mechanisms is not None and _mechanisms.loaded()


def _other_mechanisms(params: SearchParams):
    """The ``body`` filter when it names mechanisms other than the UPR (else None: a UPR search)."""
    if not params.body:
        return None
    body = _provider().parse_body(params.body)
    return body if body.others else None


def matching_ids(params: SearchParams) -> list[int]:
    """Every matching recommendation id, in result order (no paging)."""
    if _other_mechanisms(params) is not None:
        raise QueryError("exports, saved searches and firsts cover UPR recommendations: leave out body "
                         "(or use body=UPR)")
    catalog, parsed, masks = _prepare(params)
    result = _ordered_rows(catalog, params, parsed, _combine(catalog, masks))
    return catalog.ids[result.rows].tolist()


def search(params: SearchParams) -> dict:
    """One page of results with the total count and the facets: ``{"count", "results", "facets"}``."""
    from uprwatch.search.highlight import snippet_html
    from uprwatch.search.results import recommendations_out

    others = _other_mechanisms(params)
    if others is not None:
        params.validate()
        parsed = parse_query(params.q, exact=params.exact)
        upr = search(dataclasses.replace(params, body=[], limit=0, offset=0, mode="text"))
        return _provider().search_mechanisms(params, parsed, others, upr_count=upr["count"])
    catalog, parsed, masks = _prepare(params)
    result = _ordered_rows(catalog, params, parsed, _combine(catalog, masks))
    page_ids = catalog.ids[result.rows[params.offset: params.offset + params.limit]].tolist()
    results = recommendations_out(page_ids)
    for out in results:
        out["snippet"] = str(snippet_html(out["text"], parsed))
    facets = _facets(catalog, params, masks, result)
    if params.body:  # body=UPR given: the mechanism facet too (left out otherwise: every search stays as fast)
        facets["body"] = mechanism_facet(params, parsed, int(len(result.rows)))
    return {
        "count": int(len(result.rows)),
        "results": results,
        "facets": facets,
    }


def mechanism_facet(params: SearchParams, parsed: ParsedQuery, upr_count: int) -> list[dict]:
    """The mechanism facet of a UPR search: the UPR's count, and each other mechanism's for the same words."""
    mechanisms = _provider()
    return mechanisms.body_facet(mechanisms.body_counts(params, parsed), upr_count, mechanisms.BodyFilter(upr=True))


def _facets(catalog: catalog_module.Catalog, params: SearchParams, masks: dict[str, np.ndarray],
            result: _Result) -> dict[str, list[dict]]:
    """Counts per facet value for the current query, each facet ignoring its own filter.

    In semantic/hybrid modes the candidate set depends on every filter, so every facet counts the
    matched rows. Facets sharing a key and a mask (sur, sur_group, sur_bloc, ...) share one bincount.
    """
    everything = params.mode == "text" and result.text_mask is None and not masks
    key_counts: dict[tuple[str, str | None], np.ndarray] = {}
    own_rows: dict[str, np.ndarray] = {}
    facets: dict[str, list[dict]] = {}
    for name in FACET_NAMES:
        column = catalog.facets[name]
        own = params.mode == "text" and name in masks
        slot = (column.key, name if own else None)
        if slot not in key_counts:
            # Row lists, not masks: each key is gathered at the matching rows only (a boolean index
            # would scan every row once per key).
            if own:
                if name not in own_rows:
                    mask = _combine(catalog, masks, skip=name)
                    if result.text_mask is not None:
                        mask &= result.text_mask
                    own_rows[name] = np.flatnonzero(mask)
                rows = own_rows[name]
            else:
                rows = None if everything else result.rows
            key_counts[slot] = catalog.key_counts(column.key, rows)
        counts = column.counts_from_keys(key_counts[slot])
        selected = set(_codes(catalog, name, getattr(params, name))) if getattr(params, name) else set()
        shown = np.flatnonzero(counts).tolist()
        if selected:
            shown = sorted(set(shown) | selected)
        if name not in ("cycle", "session", "year", "action", "response"):  # most frequent first, then by label
            codes = np.asarray(shown, dtype=np.int64)
            shown = codes[np.lexsort((column.label_rank[codes], -counts[codes]))].tolist()
        values, labels, numbers = column.values, column.labels, counts.tolist()
        facets[name] = [
            {"value": values[code], "label": labels[code], "count": numbers[code], "selected": code in selected}
            for code in shown
        ]
    return facets
