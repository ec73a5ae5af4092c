"""The one search service behind the web page, the API, the CLI and the exports.

``search(params)`` returns ``{"count", "results", "facets", ...}`` (see ``search``); ``matching_ids(params)``
every matching recommendation id in result order (for saved searches, firsts, exports). Filters use the
in-memory ``catalog``; the words use the database's full-text backend, after ``expansion`` has added the
other names of the states, peoples and topics they name; semantic ranking uses ``vectors``.

Modes: ``auto`` (the default) lists what the words match and, when that is less than a page, follows it
with the recommendations closest in meaning, apart (``related``) and never counted as matches; ``text``
only the words; ``semantic`` the ``SEMANTIC_TOP`` closest by meaning; ``hybrid`` both, fused.

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
from urllib.parse import urlencode

import numpy as np

from uprwatch.records.models import Response
from uprwatch.records.states import REGIONAL_GROUP_ALIASES, UnknownStateError, resolve_state
from uprwatch.search import catalog as catalog_module
from uprwatch.search import expansion, postings
from uprwatch.search.backends import get_backend, top_level_negation
from uprwatch.search.filters import FACET_FILTERS, INT_FILTERS
from uprwatch.search.query import ParsedQuery, QueryError, parse_query

MODES = ("auto", "text", "semantic", "hybrid")
WORD_MODES = ("auto", "text")  # modes whose results are exactly the rows the words match
SORTS = ("relevance", "session", "-session", "state")
MAX_LIMIT = 1000
SEMANTIC_TOP = 50  # a semantic query returns its nearest recommendations, best first
RELATED_PAGE = 20  # auto mode: matches fewer than this are followed by the closest in meaning, up to it
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
    sdg: list[str] = field(default_factory=list)  # SDG target ("16.2") or goal ("SDG 16")
    # UN mechanism: none = the UPR (what every search meant before other mechanisms were loaded)
    body: list[str] = field(default_factory=list)
    human_only: bool = False
    mode: str = "auto"
    exact: bool = False
    expand: bool = True  # other names of states and peoples, synonyms (``expansion``)
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
        # Expansion is on unless asked off (the page's "only the words typed" box sends expand=0).
        kwargs["expand"] = _bool("expand", get("expand", "1"))
        kwargs["mode"] = get("mode", "auto")
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
        if self.mode not in WORD_MODES and not (self.q or "").strip():
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
        if not self.expand:
            pairs.append(("expand", "0"))
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
        elif name in ("sur_bloc", "by_bloc", "issue", "theme", "sdg"):
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


_KINDS = {"sur_bloc": "organisation", "by_bloc": "organisation", "issue": "issue", "theme": "theme",
          "sdg": "SDG target"}


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
    # The catalog's postings (see ``postings``), where the backend has them: they find the rows without
    # asking the database (prefixes aside) and rank them, both a fraction of the database's cost.
    index = postings.for_catalog(catalog, backend) if not parsed.exact else None
    if negated is not None:
        excluded = index.match_rows(negated, backend) if index is not None else None
        if excluded is None:
            ids, _ = backend.match(negated, parsed.exact, ranked=False)
            excluded = catalog.rows_of(ids)
        keep = np.ones(catalog.size, dtype=bool)
        keep[excluded] = False
        rows = np.flatnonzero(keep).astype(np.int32)  # every score is 0: ties by id, i.e. row order
        match = TextMatch(rows, np.zeros(len(rows), dtype=np.float32))
    else:
        rows = index.match_rows(parsed.tree, backend) if index is not None else None
        if rows is None:
            ids, values = backend.match(parsed.tree, parsed.exact, ranked=ranked and index is None)
            rows = np.searchsorted(catalog.ids, ids)
            known = (rows < catalog.size) & (catalog.ids[np.clip(rows, 0, max(catalog.size - 1, 0))] == ids)
            rows, values = rows[known], values[known]
        else:
            values = np.zeros(len(rows), dtype=np.float32)
        if index is not None and ranked:
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


def meaning_text(q: str, expansions: list[expansion.Expansion]) -> str:
    """The text whose meaning is searched: the query, plus the first other form of each expansion.

    The embedding model knows "Optional Protocol to the Convention against Torture" but not "OPCAT", "sexual
    orientation" better than "LGBT"; one form each keeps a long list of names from drowning the query.
    """
    extra = [e.added[0] for e in expansions if e.added]
    return f"{q} ({'; '.join(extra)})" if extra else q


def _ordered_rows(catalog: catalog_module.Catalog, params: SearchParams, parsed: ParsedQuery,
                  filters: np.ndarray, meaning: str | None = None) -> _Result:
    """The matching rows in result order."""
    # Sorted by session or state, a text query needs its matching rows, not their relevance scores.
    ranked = params.mode not in WORD_MODES or params.sort == "relevance"
    text = (_text_match(catalog, parsed, ranked) if parsed.tree is not None and params.mode != "semantic"
            else None)
    if params.mode in WORD_MODES:
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

    similarity = vectors.query_scores(meaning or params.q, catalog, filters)
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


def _prepare(params: SearchParams) -> tuple[catalog_module.Catalog, ParsedQuery, dict[str, np.ndarray],
                                            list[expansion.Expansion]]:
    params.validate()
    parsed = parse_query(params.q, exact=params.exact)
    expansions: list[expansion.Expansion] = []
    if params.expand:
        parsed, expansions = expansion.expand(parsed)
    catalog = catalog_module.get_catalog()
    masks = _filter_masks(catalog, params)
    if params.human_only:
        masks["human_only"] = catalog.human_only
    return catalog, parsed, masks, expansions


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
    """Install the search of other mechanisms: a module with ``parse_body``, ``check_applicable``,
    ``search_mechanisms``, ``body_counts``, ``body_facet``, ``BodyFilter`` and ``loaded``."""
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
    """Every matching recommendation id, in result order (no paging).

    In ``auto`` mode these are the rows the words match: the "closest in meaning" that follow too few
    matches on the page are not matches.
    """
    if _other_mechanisms(params) is not None:
        raise QueryError("exports, saved searches and firsts cover UPR recommendations: leave out body "
                         "(or use body=UPR)")
    catalog, parsed, masks, expansions = _prepare(params)
    result = _ordered_rows(catalog, params, parsed, _combine(catalog, masks), meaning_text(params.q, expansions))
    return catalog.ids[result.rows].tolist()


def search(params: SearchParams) -> dict:
    """One page of results, the counts, the facets, and what the words were taken to mean.

    ``count``: rows in the result list (what paging pages through); ``matches``: the recommendations
    the words (expanded) and filters match, in every mode (``None`` without words: then ``count``);
    ``by_meaning``: rows of the list that are there by meaning only; ``count_label`` says which in
    words ("12 recommendations match", "closest 50 by meaning"). ``expansions``: what was searched
    besides the words typed; ``related`` (auto mode, first page, fewer matches than a page): the
    closest in meaning among the rest; ``suggestions`` (no match): other queries that find something.
    """
    from uprwatch.search.highlight import snippet_html
    from uprwatch.search.results import recommendations_out

    others = _other_mechanisms(params)
    if others is not None:
        return _search_other_mechanisms(params, others)
    catalog, parsed, masks, expansions = _prepare(params)
    filters = _combine(catalog, masks)
    meaning = meaning_text(params.q, expansions)
    result = _ordered_rows(catalog, params, parsed, filters, meaning)
    count = int(len(result.rows))
    page_ids = catalog.ids[result.rows[params.offset: params.offset + params.limit]].tolist()
    results = recommendations_out(page_ids)
    related: list[dict] = []
    has_words = parsed.tree is not None
    if params.mode in WORD_MODES:
        matches = count
        by_meaning = 0
        if has_words and params.mode == "auto" and params.offset == 0 and count < RELATED_PAGE:
            related = recommendations_out(
                _closest_ids(catalog, meaning, filters & ~result.mask, min(params.limit, RELATED_PAGE) - count))
    else:
        words = filters & _text_match(catalog, parsed, ranked=False).mask(catalog.size) if has_words else filters
        matches = int(words.sum())
        by_meaning = int((result.mask & ~words).sum())
    for out in results + related:
        out["snippet"] = str(snippet_html(out["text"], parsed))
    facets = _facets(catalog, params, masks, result)
    if params.body:  # body=UPR given: the mechanism facet too (left out otherwise: every search stays as fast)
        facets["body"] = mechanism_facet(params, parsed, int(len(result.rows)))
    return {
        "count": count,
        "matches": matches if has_words else count,
        "by_meaning": by_meaning,
        "count_label": _count_label(params.mode, has_words, count, matches, by_meaning),
        "mode": params.mode,
        "expansions": [e.as_dict() for e in expansions],
        "results": results,
        "related": related,
        "suggestions": _suggestions(params, catalog, parsed, masks) if has_words and matches == 0 else [],
        "facets": facets,
    }


def _search_other_mechanisms(params: SearchParams, others) -> dict:
    """A search of treaty bodies' and special procedures' records (``body``), in the same shape; the words
    are expanded the same way, there is no meaning search, so counts are matches."""
    params.validate()
    _provider().check_applicable(params)  # before any work: a filter they cannot honour is a 400, not ignored
    parsed = parse_query(params.q, exact=params.exact)
    expansions: list[expansion.Expansion] = []
    if params.expand:
        parsed, expansions = expansion.expand(parsed)
    try:
        upr_count = search(dataclasses.replace(params, body=[], limit=0, offset=0, mode="text"))["count"]
    except QueryError:  # a value only other mechanisms carry (a theme, a name): no UPR recommendation has it
        upr_count = 0
    found = _provider().search_mechanisms(params, parsed, others, upr_count=upr_count)
    count = found["count"]
    return {
        "count": count,
        "matches": count,
        "by_meaning": 0,
        "count_label": _plural(count, "record matches", "records match") if parsed.tree is not None
        else _plural(count, "record", "records"),
        "mode": "text",
        "expansions": [e.as_dict() for e in expansions],
        "results": found["results"],
        "related": [],
        "suggestions": [],
        "facets": found["facets"],
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _count_label(mode: str, has_words: bool, count: int, matches: int, by_meaning: int) -> str:
    """What the count counts, in words (the page, the CLI and the API show the same)."""
    if mode in WORD_MODES:
        if not has_words:
            return _plural(count, "recommendation", "recommendations")
        return _plural(matches, "recommendation matches", "recommendations match")
    if mode == "semantic":
        return f"closest {count:,} by meaning ({_plural(matches, 'recommendation matches', 'recommendations match')} the words)"
    return (f"{_plural(count - by_meaning, 'match', 'matches')} + closest "
            f"{by_meaning:,} by meaning")


def _closest_ids(catalog: catalog_module.Catalog, meaning: str, candidates: np.ndarray, k: int) -> list[int]:
    """The ``k`` candidate rows closest in meaning to the query words, best first (ids)."""
    from uprwatch.search import vectors

    if k <= 0 or not candidates.any():
        return []
    similarity = vectors.query_scores(meaning, catalog, candidates)
    rows = _top(similarity, np.flatnonzero(candidates & np.isfinite(similarity)), k, catalog)
    return catalog.ids[rows].tolist()


# --- suggestions when nothing matches --------------------------------------------------------------

MAX_SUGGESTIONS = 6
MAX_SUGGESTION_WORDS = 8  # longer queries get only the filter suggestions


def _match_count(catalog: catalog_module.Catalog, params: SearchParams) -> int:
    """How many recommendations a variant of the query matches by its words (0 for a bad variant)."""
    try:
        params.validate()
        parsed = parse_query(params.q, exact=params.exact)
        if params.expand:
            parsed, _ = expansion.expand(parsed)
        masks = _filter_masks(catalog, params)
    except QueryError:
        return 0
    if params.human_only:
        masks["human_only"] = catalog.human_only
    filters = _combine(catalog, masks)
    if parsed.tree is None:
        return int(filters.sum())
    return int((filters & _text_match(catalog, parsed, ranked=False).mask(catalog.size)).sum())


def _suggestions(params: SearchParams, catalog: catalog_module.Catalog, parsed: ParsedQuery,
                 masks: dict[str, np.ndarray]) -> list[dict]:
    """Other searches that find something, each with its count: the words spelled as the corpus spells
    them, fewer words, expansions switched on, one filter fewer. Best first; only those that match."""
    from uprwatch.search import vocabulary

    base = params_with(params, mode="text" if params.mode in WORD_MODES else params.mode, offset=0)
    candidates: list[tuple[str, str, SearchParams]] = []
    tokens = params.q.split()
    if len(tokens) > MAX_SUGGESTION_WORDS:  # a pasted paragraph: each variant would cost a search; meaning helps more
        tokens = []
    corrected = [vocabulary.correction(catalog, token) for token in tokens]
    if any(c is not None for c in corrected):
        q = " ".join(c or t for c, t in zip(corrected, tokens, strict=True))
        candidates.append(("spelling", q, params_with(base, q=q)))
    words = [i for i, t in enumerate(tokens) if t.upper() not in ("OR", "AND", "NOT") and not t.startswith("-")]
    if len(words) > 1:
        for i in words:
            q = " ".join(t for j, t in enumerate(tokens) if j != i)
            candidates.append(("fewer words", q, params_with(base, q=q)))
    if not params.expand:
        candidates.append(("with other names and synonyms", params.q, params_with(base, expand=True)))
    for name in LIST_FIELDS:
        if getattr(params, name):
            candidates.append((f"without the {name.replace('_', ' ')} filter", params.q,
                               params_with(base, **{name: []})))
    if params.human_only:
        candidates.append(("with machine labels too", params.q, params_with(base, human_only=False)))
    found = []
    for kind, q, variant in candidates:
        count = _match_count(catalog, variant)
        if count:
            found.append({"kind": kind, "q": q, "count": count,
                          "query": urlencode(params_with(variant, mode=params.mode).to_query())})
    # Spelling first (the likeliest slip), then the rest by how much each finds.
    found.sort(key=lambda s: (s["kind"] != "spelling", -s["count"]))
    return found[:MAX_SUGGESTIONS]


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
    everything = params.mode in WORD_MODES and result.text_mask is None and not masks
    key_counts: dict[tuple[str, str | None], np.ndarray] = {}
    own_rows: dict[str, np.ndarray] = {}
    facets: dict[str, list[dict]] = {}
    for name in FACET_NAMES:
        column = catalog.facets[name]
        own = params.mode in WORD_MODES and name in masks
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


def params_with(params: SearchParams, **changes: Any) -> SearchParams:
    return dataclasses.replace(params, **changes)
