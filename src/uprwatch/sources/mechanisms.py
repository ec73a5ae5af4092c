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

def _base(params, parsed: ParsedQuery) -> tuple:
    qs = MechanismRecommendation.objects.all()
    if params.sur:
        codes = []
        for name in params.sur:
            try:
                codes.append(resolve_state(name).iso3)
            except UnknownStateError as exc:
                raise QueryError(str(exc)) from None
        qs = qs.filter(states__iso3__in=codes).distinct()
    if params.year:
        qs = qs.filter(published__year__in=params.year)
    scores = match(parsed) if parsed.tree is not None else None
    return qs, scores


def body_counts(params, parsed: ParsedQuery) -> Counter:
    """(mechanism, kind) → records matching the words and the state/year filters (the mechanism facet).

    One grouped SQL query joined to the text index: this runs beside every UPR search that shows the facet.
    """
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
    sql = (f"SELECT m.body, m.body_kind, count(*) FROM {table} m"
           + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY m.body, m.body_kind")
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return Counter({(body, kind): n for body, kind, n in cursor.fetchall()})


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
    """One page of other mechanisms' records: ``{"count", "results", "facets"}``."""
    from uprwatch.search.highlight import snippet_html

    qs, scores = _base(params, parsed)
    selected = qs.filter(_body_q(body))
    rows = list(selected.values_list("pk", "published"))
    if scores is not None:
        rows = [(pk, published) for pk, published in rows if pk in scores]
    if params.sort in ("relevance",) and scores is not None:
        rows.sort(key=lambda r: (-scores[r[0]], r[0]))
    elif params.sort == "session":
        rows.sort(key=lambda r: (r[1] is None, r[1] or 0, r[0]))
    else:  # newest first (also "relevance" without words)
        rows.sort(key=lambda r: (r[1] is None, -(r[1].toordinal() if r[1] else 0), r[0]))
    page = [pk for pk, _ in rows[params.offset: params.offset + params.limit]]
    results = mechanism_out(page)
    for item in results:
        item["snippet"] = str(snippet_html(item["text"], parsed))
    counts = body_counts(params, parsed)
    sur_counts: Counter = Counter()
    if rows:
        through = MechanismRecommendation.states.through
        ids = [pk for pk, _ in rows]
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
    return {
        "count": len(rows),
        "results": results,
        "facets": {
            "body": body_facet(counts, upr_count, body),
            "sur": [{"value": name, "label": name, "count": n, "selected": name in wanted}
                    for name, n in sorted(sur_counts.items(), key=lambda e: (-e[1], e[0]))],
        },
    }


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
