"""The other UN mechanisms' recommendations, searchable beside the UPR's.

- a full-text index of ``MechanismRecommendation`` texts of its own (SQLite FTS5 / PostgreSQL tsvector,
  the same stemming and the same query compilers as the UPR index in ``search.backends``), kept current by
  ``sources.merge`` as it writes;
- ``body`` filter values: ``UPR``, a committee under either name (``CAT``, ``Committee against Torture``),
  ``special procedures`` (every Special Rapporteur, Independent Expert and Working Group), or one
  mechanism's exact name;
- ``search_mechanisms(params)``: the search service's answer when ``body`` names mechanisms other than
  the UPR: ``{"count", "results", "facets"}`` with the ``body`` and ``sur`` facets.

A search without ``body`` keeps meaning the UPR only, so existing links and scripts do not change.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from uprwatch.records.states import UnknownStateError, resolve_state
from uprwatch.search.backends import POSTGRES_CONFIG, to_fts5, to_tsquery
from uprwatch.search.query import ParsedQuery, QueryError, fold
from uprwatch.sources.models import MechanismRecommendation

SQLITE_TABLE = "sources_mechanism_fts"
POSTGRES_TABLE = "sources_mechanism_text"
SPECIAL_PROCEDURES = "special procedures"
UPR = "UPR"


# --- the index ------------------------------------------------------------------------------------------

def create_schema(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} (mech_id bigint PRIMARY KEY,"
                       " stemmed tsvector NOT NULL)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {POSTGRES_TABLE}_stemmed ON {POSTGRES_TABLE} USING gin (stemmed)")
    else:
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(body, "
                       "tokenize='porter unicode61 remove_diacritics 2')")


def drop_schema(cursor, vendor: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {POSTGRES_TABLE if vendor == 'postgresql' else SQLITE_TABLE}")


def index_texts(rows: list[tuple[int, str]]) -> None:
    """(Re-)index these mechanism records' texts."""
    if not rows:
        return
    rows = [(pk, fold(text)) for pk, text in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {POSTGRES_TABLE} (mech_id, stemmed) VALUES (%s, to_tsvector('{POSTGRES_CONFIG[False]}', %s))"
                " ON CONFLICT (mech_id) DO UPDATE SET stemmed = EXCLUDED.stemmed", rows)
        else:
            cursor.executemany(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])
            cursor.executemany(f"INSERT INTO {SQLITE_TABLE}(rowid, body) VALUES (%s, %s)", rows)


def rebuild_index() -> int:
    """Refill the index from the table (after a restore from a dump, which holds tables, not indexes)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {POSTGRES_TABLE if connection.vendor == 'postgresql' else SQLITE_TABLE}")
    rows = list(MechanismRecommendation.objects.values_list("pk", "text"))
    for start in range(0, len(rows), 5000):
        index_texts(rows[start:start + 5000])
    return len(rows)


def index_is_current() -> bool:
    """Whether the index holds a row for every record (a restore or a failed write leaves it short)."""
    table = POSTGRES_TABLE if connection.vendor == "postgresql" else SQLITE_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        indexed = cursor.fetchone()[0]
    return indexed == MechanismRecommendation.objects.count()


def match(parsed: ParsedQuery) -> dict[int, float]:
    """Mechanism record id → relevance (higher is better) for the query's words."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT mech_id, ts_rank(stemmed, q) FROM {POSTGRES_TABLE},"
                           f" to_tsquery('{POSTGRES_CONFIG[False]}'::regconfig, %s) q WHERE stemmed @@ q",
                           [to_tsquery(parsed.tree)])
            return {pk: float(score) for pk, score in cursor.fetchall()}
        cursor.execute(f"SELECT rowid, -bm25({SQLITE_TABLE}) FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s",
                       [to_fts5(parsed.tree)])
        return {pk: float(score) for pk, score in cursor.fetchall()}


# --- the body filter ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BodyFilter:
    upr: bool
    bodies: tuple[str, ...] = ()
    special_procedures: bool = False

    @property
    def others(self) -> bool:
        return bool(self.bodies) or self.special_procedures


def loaded() -> bool:
    """Whether any other mechanism's recommendations are in the database (``uprwatch sync uhri``)."""
    return MechanismRecommendation.objects.exists()


def parse_body(values: list[str]) -> BodyFilter:
    """``body`` values → what they select. No value means the UPR (the meaning searches always had)."""
    from uprwatch.sources.bodies import canonical_body

    if not values:
        return BodyFilter(upr=True)
    upr, bodies, special = False, [], False
    known = None
    for value in values:
        text = value.strip()
        if text.casefold() in ("special procedures", "special procedure", "sp", "special-procedures"):
            special = True
            continue
        body, kind = canonical_body(text)
        if kind == "upr":
            upr = True
        elif kind == "treaty_body":
            bodies.append(body)
        else:
            if known is None:
                known = set(MechanismRecommendation.objects.values_list("body", flat=True).distinct())
            match = next((b for b in known if b.casefold() == text.casefold()), None)
            if match is None:
                raise QueryError(f"unknown mechanism {value!r}: use UPR, a committee (CAT, CRC, CEDAW, ...), "
                                 "'special procedures' or a mechanism's name as listed in the body facet")
            bodies.append(match)
    if upr and (bodies or special):
        raise QueryError("search the UPR and the other mechanisms separately (one body=UPR, or body=CAT&body=CRC ...)")
    return BodyFilter(upr=upr, bodies=tuple(dict.fromkeys(bodies)), special_procedures=special)


def _body_q(body: BodyFilter) -> Q:
    q = Q(pk__in=[])
    if body.bodies:
        q |= Q(body__in=body.bodies)
    if body.special_procedures:
        q |= Q(body_kind=MechanismRecommendation.BodyKind.SPECIAL_PROCEDURE)
    return q


# --- searching ------------------------------------------------------------------------------------------
#
# What a filter means for other mechanisms' records (``search.filters`` says which apply at all):
# ``sur``, ``sur_group``, ``sur_bloc``: a state the record concerns (by name, its regional group, its
# organisations); ``year``: the document's year of publication; ``theme``: an OHCHR theme the record carries
# (its name, or its code "G5", or both "G5 Refugees & asylum seekers"); ``issue``: a UPR Info issue, through
# its OHCHR themes (``classify.crosswalk``); ``sdg``: an SDG target ("16.2") or goal ("SDG 16");
# ``exact``: the words unstemmed; ``human_only``: every label here is the source's own, so it keeps all.
# The others (cycle, session, recommending state, response, action category) and the search by meaning
# are refused with a message, never silently ignored.

MEANING_MODES = ("semantic", "hybrid")
_THEME_CODE = re.compile(r"^([A-Z]\d{1,3})(?:\s+(.*))?$")
_SDG_TARGET = re.compile(r"^(\d{1,2})\.([0-9a-z]{1,2})$", re.I)
_SDG_GOAL = re.compile(r"^(?:sdg|goal)?\s*(\d{1,2})$", re.I)


def check_applicable(params) -> None:
    """Refuse what a search of other mechanisms cannot honour (a 400 on every surface), saying why."""
    from uprwatch.search.filters import UPR_ONLY_FILTERS

    given = [name for name in UPR_ONLY_FILTERS if getattr(params, name)]
    if given:
        names = ", ".join(given)
        raise QueryError(f"{names} {'does' if len(given) == 1 else 'do'} not apply to other UN mechanisms' "
                         "records (treaty bodies and special procedures have no cycle, session, recommending state, "
                         f"response or action category): leave {'it' if len(given) == 1 else 'them'} out, "
                         "or search the UPR (body=UPR)")
    if params.mode in MEANING_MODES:
        raise QueryError(f"mode {params.mode}: other UN mechanisms' records are searched by their words "
                         "(mode text or auto); the search by meaning covers UPR recommendations")


@dataclass(frozen=True)
class _Labels:
    """The theme / issue / SDG filters, resolved: each a list of alternatives (ORed); the filters ANDed."""

    themes: tuple[frozenset[str], ...] = ()  # per filter: theme names (casefolded) any of which matches
    sdgs: tuple[frozenset[str], ...] = ()  # per filter: "16.2" (a target) or "16" (a goal)

    def __bool__(self) -> bool:
        return bool(self.themes or self.sdgs)

    def keep(self, themes: list[str], sdgs: list[str]) -> bool:
        have = {_theme_key(t) for t in themes or ()}
        if any(not (have & wanted) for wanted in self.themes):
            return False
        codes = set()
        for entry in sdgs or ():
            target = _sdg_code(entry)
            if target:
                codes.update((target, target.split(".")[0]))
        return all(codes & wanted for wanted in self.sdgs)


def _theme_key(name: str) -> str:
    """A theme's name without its OHCHR code, folded: "G5 Refugees & asylum seekers" → "refugees & asylum seekers"."""
    name = " ".join(str(name).split())
    match = _THEME_CODE.match(name)
    return (match.group(2) or match.group(1) if match else name).casefold()


def _sdg_code(entry: str) -> str:
    """An SDG label's target ("16.2 - Protect children ..." → "16.2"), or "" when it names none."""
    head = str(entry).split(" ", 1)[0].strip(" -")
    return head if _SDG_TARGET.match(head) else ""


def _vocabulary() -> tuple[set[str], dict[str, str]]:
    """(theme keys the mechanisms' records and the UPR's labels carry, their names as written) — for the
    message that answers a theme nobody uses. Read once per data version."""
    from django.db.models import Max

    from uprwatch.classify import crosswalk
    from uprwatch.records.models import Term

    version = (MechanismRecommendation.objects.count(),
               MechanismRecommendation.objects.aggregate(m=Max("updated_at"))["m"],
               Term.objects.filter(taxonomy=Term.Taxonomy.THEME).count())
    cached = _VOCABULARY.get("themes")
    if cached and cached[0] == version:
        return cached[1]
    names: dict[str, str] = {}
    for themes in MechanismRecommendation.objects.values_list("themes", flat=True).iterator(chunk_size=5000):
        for theme in themes or ():
            names.setdefault(_theme_key(theme), theme)
    for name in Term.objects.filter(taxonomy=Term.Taxonomy.THEME).values_list("name", flat=True):
        names.setdefault(_theme_key(name), name)
    for link in crosswalk.links():  # OHCHR's list of themes, as far as the crosswalk names them
        if link.theme:
            names.setdefault(_theme_key(link.theme), link.theme)
    _VOCABULARY["themes"] = (version, (set(names), names))
    return set(names), names


_VOCABULARY: dict[str, tuple] = {}


def _labels(params, strict: bool = True) -> _Labels:
    """The theme, issue and SDG filters as the records' labels; unknown values are errors (``strict``)."""
    import difflib

    from uprwatch.classify import crosswalk

    themes: list[frozenset[str]] = []
    if params.theme:
        known, names = _vocabulary()
        wanted: set[str] = set()
        for value in params.theme:
            keys = {_theme_key(value)}
            code = _THEME_CODE.match(" ".join(value.split()))
            if code:  # "G5": the crosswalk's name for the code
                keys.update(_theme_key(link.theme) for link in crosswalk.links()
                            if link.code.upper() == code.group(1).upper() and link.theme)
            if strict and not keys & known:
                close = difflib.get_close_matches(value, list(names.values()), n=3, cutoff=0.6)
                raise QueryError(f"unknown theme {value!r}" + (f" (did you mean: {', '.join(close)}?)" if close else ""))
            wanted |= keys
        themes.append(frozenset(wanted))
    if params.issue:
        wanted = set()
        issues = {link.issue.casefold(): link.issue for link in crosswalk.links()}
        for value in params.issue:
            issue = issues.get(" ".join(value.split()).casefold())
            if issue is None:
                if strict:
                    close = difflib.get_close_matches(value, list(issues.values()), n=3, cutoff=0.6)
                    raise QueryError(f"unknown issue {value!r}" + (f" (did you mean: {', '.join(close)}?)" if close else ""))
                continue
            linked = [link.theme for link in crosswalk.links() if link.issue == issue and link.code and link.theme]
            if not linked and strict:
                raise QueryError(f"the UPR Info issue {issue!r} has no OHCHR theme counterpart, and other UN "
                                 "mechanisms' records carry OHCHR themes only: filter them by theme instead")
            wanted.update(_theme_key(t) for t in linked)
        themes.append(frozenset(wanted))
    sdgs: list[frozenset[str]] = []
    if params.sdg:
        wanted = set()
        for value in params.sdg:
            text = " ".join(value.split())
            target = _sdg_code(text) or (text if _SDG_TARGET.match(text) else "")
            goal = _SDG_GOAL.match(text)
            number = int((target.split(".")[0] if target else goal.group(1)) if (target or goal) else 0)
            if not 1 <= number <= 17:
                if strict:
                    raise QueryError(f"unknown SDG target {value!r}: use a target such as 16.2 or a goal such as SDG 16")
                continue
            wanted.add(target.lower() if target else str(number))
        sdgs.append(frozenset(wanted))
    return _Labels(tuple(themes), tuple(sdgs))


def _state_sets(params) -> list[list[int]]:
    """The state filters (``sur``, ``sur_group``, ``sur_bloc``) as lists of state ids: a record must concern a
    state of each list given."""
    from uprwatch.records.models import Bloc, State
    from uprwatch.records.states import REGIONAL_GROUP_ALIASES

    sets = []
    if params.sur:
        sets.append([_state_id(name) for name in params.sur])
    if params.sur_group:
        groups = {g.casefold(): g for g in State.objects.exclude(regional_group="")
                  .values_list("regional_group", flat=True).distinct()}
        chosen = []
        for value in params.sur_group:
            key = REGIONAL_GROUP_ALIASES.get(value.strip().casefold(), value.strip()).casefold()
            if key not in groups:
                raise QueryError(f"unknown regional group {value!r}: use one of {', '.join(sorted(groups.values()))}")
            chosen.append(groups[key])
        sets.append(list(State.objects.filter(regional_group__in=chosen).values_list("pk", flat=True)))
    if params.sur_bloc:
        blocs = {b.casefold(): b for b in Bloc.objects.values_list("code", flat=True)}
        chosen = []
        for value in params.sur_bloc:
            if value.strip().casefold() not in blocs:
                raise QueryError(f"unknown organisation {value!r}: use one of {', '.join(sorted(blocs.values()))}")
            chosen.append(blocs[value.strip().casefold()])
        sets.append(list(State.objects.filter(blocs__code__in=chosen).values_list("pk", flat=True).distinct()))
    return sets


def _base(params, parsed: ParsedQuery, strict: bool = True) -> tuple:
    """(records matching the state and year filters, text scores or None, the label filters)."""
    qs = MechanismRecommendation.objects.all()
    for states in _state_sets(params):
        qs = qs.filter(pk__in=MechanismRecommendation.states.through.objects.filter(state_id__in=states)
                       .values("mechanismrecommendation_id"))
    if params.year:
        qs = qs.filter(published__year__in=params.year)
    scores = None
    if parsed.tree is not None:
        # exact words: the stemmed index finds a superset of the records (checked against the texts after),
        # provided a NOT does not exclude by stem ("-refugee" would drop "refugees"): NOTs wait for the check.
        tree = _without_negations(parsed.tree) if parsed.exact else parsed.tree
        scores = match(ParsedQuery(tree, False)) if tree is not None else None
    return qs, scores, _labels(params, strict)


def _without_negations(node):
    """The query's positive part (a superset of what the whole query matches), or None when it has none."""
    from uprwatch.search.query import And, Not, Or

    if isinstance(node, Not):
        return None
    if isinstance(node, And):
        children = tuple(c for c in (_without_negations(c) for c in node.children) if c is not None)
        return None if not children else children[0] if len(children) == 1 else And(children)
    if isinstance(node, Or):
        children = tuple(_without_negations(c) for c in node.children)
        return None if any(c is None for c in children) else Or(children)
    return node


FACET_ROWS = 20_000  # the theme and SDG facets are counted up to this many matching records (JSON read per row)


def _selected_rows(params, parsed: ParsedQuery, body_q: Q | None, strict: bool = True,
                   facets: bool = False) -> tuple[list, dict | None, bool]:
    """(rows (pk, published, body, body_kind, themes, sdgs) matching every filter, text scores or None, whether
    the rows carry their labels). Labels (JSON) are read only when a filter or the facets need them."""
    qs, scores, labels = _base(params, parsed, strict)
    if body_q is not None:
        qs = qs.filter(body_q)
    rows = list(qs.values_list("pk", "published", "body", "body_kind"))
    if scores is not None:
        rows = [r for r in rows if r[0] in scores]
    with_labels = bool(labels) or (facets and len(rows) <= FACET_ROWS)
    if with_labels:
        found = {}
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            found.update((pk, (themes, sdgs)) for pk, themes, sdgs in MechanismRecommendation.objects.filter(
                pk__in=ids[start:start + 5000]).values_list("pk", "themes", "sdgs"))
        rows = [(*r, *found.get(r[0], ([], []))) for r in rows]
        if labels:
            rows = [r for r in rows if labels.keep(r[4], r[5])]
    else:
        rows = [(*r, None, None) for r in rows]
    if parsed.exact and parsed.tree is not None and rows:
        # The index is stemmed: its matches hold every exact match; the texts decide which are.
        texts: dict[int, str] = {}
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            texts.update(MechanismRecommendation.objects.filter(pk__in=ids[start:start + 5000]).values_list("pk", "text"))
        rows = [r for r in rows if _exactly(parsed.tree, texts.get(r[0], ""))]
    return rows, scores, with_labels


def _exactly(tree, text: str) -> bool:
    """Whether the text holds the query's words as written (no stemming): terms, prefixes, phrases, NOT, OR."""
    from uprwatch.search.query import And, Not, Or, Phrase, Term, words_of

    words = words_of(text)
    present = set(words)

    def holds(node) -> bool:
        if isinstance(node, Term):
            word = fold(node.word)
            return any(w.startswith(word) for w in present) if node.prefix else word in present
        if isinstance(node, Phrase):
            wanted = [fold(w) for w in node.words]
            n = len(wanted)
            return any(words[i:i + n] == wanted for i in range(len(words) - n + 1))
        if isinstance(node, Not):
            return not holds(node.child)
        if isinstance(node, And):
            return all(holds(c) for c in node.children)
        if isinstance(node, Or):
            return any(holds(c) for c in node.children)
        return False

    return holds(tree)


def _needs_rows(params, parsed: ParsedQuery) -> bool:
    """Whether the mechanism facet's counts need the rows (label filters, group, organisation, exact words)."""
    return bool(params.theme or params.issue or params.sdg or params.sur_group or params.sur_bloc
                or (parsed.exact and parsed.tree is not None))


def body_counts(params, parsed: ParsedQuery) -> Counter:
    """(mechanism, kind) → records matching the words and the filters that apply to them (the mechanism facet).

    Usually one grouped SQL query joined to the text index: this runs beside every UPR search that shows the
    facet. The UPR-only filters (cycle, response, ...) are not applied: the facet's links leave them out.
    """
    if _needs_rows(params, parsed):
        try:
            rows, _, _ = _selected_rows(params, parsed, None, strict=False)
        except QueryError:  # a filter the other mechanisms cannot read: the UPR search beside it still stands
            return Counter()
        return Counter((r[2], r[3]) for r in rows)
    table = MechanismRecommendation._meta.db_table
    through = MechanismRecommendation.states.through._meta.db_table
    where, args = [], []
    if params.sur:
        states = [_state_id(name) for name in params.sur]
        where.append(f"m.id IN (SELECT mechanismrecommendation_id FROM {through} WHERE state_id IN "
                     f"({', '.join(['%s'] * len(states))}))")
        args += states
    if params.year:
        where.append("(" + " OR ".join(["m.published BETWEEN %s AND %s"] * len(params.year)) + ")")
        for year in params.year:
            args += [f"{year:04d}-01-01", f"{year:04d}-12-31"]
    if parsed.tree is not None:
        if connection.vendor == "postgresql":
            where.append(f"m.id IN (SELECT mech_id FROM {POSTGRES_TABLE} WHERE stemmed @@ "
                         f"to_tsquery('{POSTGRES_CONFIG[False]}'::regconfig, %s))")
            args.append(to_tsquery(parsed.tree))
        else:
            where.append(f"m.id IN (SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s)")
            args.append(to_fts5(parsed.tree))
    # Grouped by body alone, the count reads the body index only (12 ms for 141k records on SQLite, where
    # grouping by body and kind read every wide row: 330-400 ms on each first run of the search page). A
    # body's kind is a function of its name (``bodies.canonical_body``): it is read from one record each.
    sql = (f"SELECT m.body, count(*), min(m.id) FROM {table} m"
           + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY m.body")
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        counts = cursor.fetchall()
        if not counts:
            return Counter()
        firsts = [first for _, _, first in counts]
        cursor.execute(f"SELECT id, body_kind FROM {table} WHERE id IN ({', '.join(['%s'] * len(firsts))})", firsts)
        kinds = dict(cursor.fetchall())
    return Counter({(body, kinds[first]): n for body, n, first in counts})


def _state_id(name: str) -> int:
    from uprwatch.records.models import State

    try:
        iso3 = resolve_state(name).iso3
    except UnknownStateError as exc:
        raise QueryError(str(exc)) from None
    return State.objects.filter(iso3=iso3).values_list("pk", flat=True).first() or 0


def body_facet(counts: Counter, upr_count: int | None, selected: BodyFilter) -> list[dict]:
    """The mechanism facet: UPR, then committees and special procedures (most records first)."""
    entries = []
    if upr_count is not None:
        entries.append({"value": UPR, "label": "UPR", "count": upr_count, "selected": selected.upr})
    special = sum(n for (_, kind), n in counts.items() if kind == MechanismRecommendation.BodyKind.SPECIAL_PROCEDURE)
    bodies = sorted(((body, n) for (body, kind), n in counts.items()
                     if kind != MechanismRecommendation.BodyKind.SPECIAL_PROCEDURE), key=lambda e: (-e[1], e[0]))
    entries += [{"value": body, "label": body, "count": n, "selected": body in selected.bodies} for body, n in bodies]
    if special or selected.special_procedures:
        entries.append({"value": SPECIAL_PROCEDURES, "label": "special procedures", "count": special,
                        "selected": selected.special_procedures})
    return entries


def search_mechanisms(params, parsed: ParsedQuery, body: BodyFilter, upr_count: int | None = None) -> dict:
    """One page of other mechanisms' records: ``{"count", "results", "facets"}``: body and sur, and theme and sdg
    when the matching records are at most ``FACET_ROWS`` or a label filter is given (their labels are then read)."""
    from uprwatch.search.highlight import snippet_html

    check_applicable(params)
    rows, scores, with_labels = _selected_rows(params, parsed, _body_q(body), facets=True)
    if params.sort in ("relevance",) and scores is not None:
        rows.sort(key=lambda r: (-scores[r[0]], r[0]))
    elif params.sort == "session":  # oldest first
        rows.sort(key=lambda r: (r[1] is None, r[1] or 0, r[0]))
    else:  # newest first (also "relevance" without words)
        rows.sort(key=lambda r: (r[1] is None, -(r[1].toordinal() if r[1] else 0), r[0]))
    page = [r[0] for r in rows[params.offset: params.offset + params.limit]]
    results = mechanism_out(page)
    for item in results:
        item["snippet"] = str(snippet_html(item["text"], parsed))
    counts = body_counts(params, parsed)
    sur_counts: Counter = Counter()
    if rows:
        through = MechanismRecommendation.states.through
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            for name, n in (through.objects.filter(mechanismrecommendation_id__in=ids[start:start + 5000])
                            .values_list("state__name").annotate(n=Count("id"))):
                sur_counts[name] += n
    wanted = set()
    for name in params.sur:
        try:
            wanted.add(resolve_state(name).name)
        except UnknownStateError:
            pass
    facets = {
        "body": body_facet(counts, upr_count, body),
        "sur": [{"value": name, "label": name, "count": n, "selected": name in wanted}
                for name, n in sorted(sur_counts.items(), key=lambda e: (-e[1], e[0]))],
    }
    if with_labels:  # more than FACET_ROWS records and no label filter: narrow the search to see them
        facets["theme"] = _label_facet([t for r in rows for t in dict.fromkeys(r[4] or ())], params.theme, _theme_key)
        facets["sdg"] = _sdg_facet(rows, params.sdg)
    return {"count": len(rows), "results": results, "facets": facets}


def _label_facet(values: list[str], selected: list[str], key) -> list[dict]:
    counts = Counter(values)
    chosen = {key(v) for v in selected}
    return [{"value": name, "label": name, "count": n, "selected": key(name) in chosen}
            for name, n in sorted(counts.items(), key=lambda e: (-e[1], e[0]))]


def _sdg_facet(rows: list, selected: list[str]) -> list[dict]:
    labels: dict[str, str] = {}
    counts: Counter = Counter()
    for row in rows:
        for entry in dict.fromkeys(row[5] or ()):
            code = _sdg_code(entry)
            if code:
                labels.setdefault(code, entry)
                counts[code] += 1
    chosen = {_sdg_code(v) or v.strip() for v in selected}
    return [{"value": code, "label": labels[code], "count": n, "selected": code in chosen}
            for code, n in sorted(counts.items(), key=lambda e: (-e[1], e[0]))]


def mechanism_out(ids: list[int]) -> list[dict]:
    """The public JSON shape of other mechanisms' records, in the order given."""
    records = MechanismRecommendation.objects.prefetch_related("states").in_bulk(ids)
    return [_out(records[pk]) for pk in ids if pk in records]


def _out(m: MechanismRecommendation) -> dict:
    return {
        "id": m.pk,
        "mechanism": m.body,
        "mechanism_kind": m.body_kind,
        "kind": m.kind,
        "text": m.text,
        "states": [s.name for s in m.states.all()],
        "symbol": m.symbol,
        "published": m.published.isoformat() if m.published else None,
        "url": m.url,
        "themes": m.themes,
        "affected_persons": m.affected_persons,
        "sdgs": m.sdgs,
        "source": m.source,
        "record_id": m.record_id,
    }
