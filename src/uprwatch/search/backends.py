"""Full-text backends: SQLite FTS5 (default) and PostgreSQL full-text search, one contract.

Both index the *folded* text (``query.fold``: lower case, no accents) of every recommendation twice,
once stemmed (FTS5 ``porter`` / PostgreSQL Snowball English, stop words kept) and once not (for ``exact:``), and answer
``match(tree, exact)`` with every matching recommendation id and a relevance score (higher is better).
The query tree only ever holds word characters, and every word is quoted when compiled, so no user
string reaches the FTS5 or tsquery parser as syntax.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator

import numpy as np
from django.db import connection

from uprwatch.search.query import And, Node, Not, Or, Phrase, Term, fold

SQLITE_TABLES = {
    False: ("search_fts", "porter unicode61 remove_diacritics 2"),
    True: ("search_fts_exact", "unicode61 remove_diacritics 2"),
}
# PostgreSQL's own "english" configuration drops stop words ("the", "to", "of"), so a query of them matched
# nothing and phrases ignored them, where FTS5 keeps every word. Ours stems with the same Snowball English
# dictionary but without a stop-word list: both backends then index every word.
POSTGRES_CONFIG = {False: "uprwatch_english", True: "simple"}
POSTGRES_TEXT_CONFIG = (
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'uprwatch_english_stem') THEN"
    " CREATE TEXT SEARCH DICTIONARY uprwatch_english_stem (TEMPLATE = snowball, LANGUAGE = english);"
    " END IF;"
    " IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'uprwatch_english') THEN"
    " CREATE TEXT SEARCH CONFIGURATION uprwatch_english (COPY = english);"
    " ALTER TEXT SEARCH CONFIGURATION uprwatch_english ALTER MAPPING FOR asciiword, asciihword, hword_asciipart,"
    " word, hword, hword_part WITH uprwatch_english_stem;"
    " END IF;"
    " END $$"
)


def _split_not(node: And) -> tuple[list[Node], list[Node]]:
    positives = [c for c in node.children if not isinstance(c, Not)]
    negatives = [c.child for c in node.children if isinstance(c, Not)]
    return positives, negatives


def top_level_negation(tree: Node) -> Node | None:
    """For a query made only of NOTs ("-torture"), the part to subtract from everything."""
    if isinstance(tree, Not):
        return tree.child
    if isinstance(tree, And) and all(isinstance(c, Not) for c in tree.children):
        return Or(tuple(c.child for c in tree.children))
    return None


def to_fts5(node: Node) -> str:
    """Compile to an FTS5 MATCH expression (https://www.sqlite.org/fts5.html#full_text_query_syntax)."""
    if isinstance(node, Term):
        return f'"{node.word}"' + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(c) for c in node.children) + ")"
    if isinstance(node, And):
        positives, negatives = _split_not(node)
        expr = "(" + " AND ".join(to_fts5(c) for c in positives) + ")"
        if negatives:
            # FTS5's NOT is binary: "a NOT b"
            expr = f"({expr} NOT ({' OR '.join(to_fts5(c) for c in negatives)}))"
        return expr
    raise ValueError(f"cannot compile {node!r}")  # Not only appears inside And (checked by the parser)


def to_tsquery(node: Node) -> str:
    """Compile to PostgreSQL ``to_tsquery`` syntax; the words are quoted lexemes, stemmed by the config."""
    if isinstance(node, Term):
        return f"'{node.word}'" + (":*" if node.prefix else "")
    if isinstance(node, Phrase):
        return "(" + " <-> ".join(f"'{w}'" for w in node.words) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(c) for c in node.children) + ")"
    if isinstance(node, And):
        positives, negatives = _split_not(node)
        parts = [to_tsquery(c) for c in positives] + [f"!{to_tsquery(c)}" for c in negatives]
        return "(" + " & ".join(parts) + ")"
    if isinstance(node, Not):
        return f"!{to_tsquery(node.child)}"
    raise ValueError(f"cannot compile {node!r}")


class SQLiteBackend:
    name = "sqlite-fts5"

    def create_schema(self, cursor) -> None:
        for table, tokenizer in SQLITE_TABLES.values():
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(body, tokenize='{tokenizer}')")

    def drop_schema(self, cursor) -> None:
        for table, _ in SQLITE_TABLES.values():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def index(self, rows: Iterable[tuple[int, str]]) -> None:
        rows = [(pk, fold(text)) for pk, text in rows]
        with connection.cursor() as cursor:
            for table, _ in SQLITE_TABLES.values():
                cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk, _ in rows])
                cursor.executemany(f"INSERT INTO {table}(rowid, body) VALUES (%s, %s)", rows)

    def delete(self, ids: list[int]) -> None:
        with connection.cursor() as cursor:
            for table, _ in SQLITE_TABLES.values():
                cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for table, _ in SQLITE_TABLES.values():
                cursor.execute(f"DELETE FROM {table}")

    def indexed_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {SQLITE_TABLES[False][0]}")
            return cursor.fetchone()[0]

    def term_instances(self) -> Iterator[tuple[str, str, str]]:
        """Every term of the stemmed index with the comma-separated rowids of its occurrences and their
        token positions (aligned: one aggregate pass), in term order (for ``postings``). ``group_concat``
        keeps the 300k-row index's 7 million occurrences in C: 1.6 s, against 9 s fetching them as rows."""
        table = SQLITE_TABLES[False][0]
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances"
                           f" USING fts5vocab(main, {table}, instance)")
            cursor.execute(f"SELECT term, group_concat(doc), group_concat(offset) FROM temp.{table}_instances"
                           " GROUP BY term ORDER BY term")
            while batch := cursor.fetchmany(50):
                yield from batch

    def tokens(self, word: str) -> list[str]:
        """The stemmed index's tokens for a query word, from FTS5's own tokenizer (for ``postings``)."""
        return _tokenizer.tokens(word)

    def match(self, node: Node, exact: bool, ranked: bool = True) -> tuple[np.ndarray, np.ndarray]:
        table = SQLITE_TABLES[exact][0]
        # bm25() is lower-is-better; negate so every backend returns higher-is-better. Unranked, every
        # score is 0: scoring is most of the match's cost (4× for a broad word such as "rights").
        # group_concat hands the rows over as one string: a Python tuple per row cost more than the
        # match itself for a broad word at 300k rows (and woke the garbage collector).
        if ranked:
            # LIMIT -1 keeps SQLite from flattening the subquery: bm25() cannot run inside an aggregate.
            sql = (f"SELECT group_concat(rowid), group_concat(score) FROM (SELECT rowid, -bm25({table}) AS score"
                   f" FROM {table} WHERE {table} MATCH %s LIMIT -1)")
        else:
            sql = f"SELECT group_concat(rowid), NULL FROM {table} WHERE {table} MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [to_fts5(node)])
            ids, scores = cursor.fetchone()
        ids = np.fromstring(ids, dtype=np.int64, sep=",") if ids else np.empty(0, dtype=np.int64)
        if scores:
            return ids, np.fromstring(scores, dtype=np.float64, sep=",").astype(np.float32)
        return ids, np.zeros(len(ids), dtype=np.float32)


class _Tokenizer:
    """FTS5's porter tokenizer as a function: a private in-memory database with one FTS5 table, whose
    ``fts5vocab`` lists the tokens of the one row it holds. Results are cached per word."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._cache: dict[str, list[str]] = {}

    def tokens(self, word: str) -> list[str]:
        if word in self._cache:
            return self._cache[word]
        with self._lock:
            if self._db is None:
                db = sqlite3.connect(":memory:", check_same_thread=False)
                db.execute(f"CREATE VIRTUAL TABLE words USING fts5(body, tokenize='{SQLITE_TABLES[False][1]}')")
                db.execute("CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, instance)")
                self._db = db
            self._db.execute("DELETE FROM words")
            self._db.execute("INSERT INTO words(body) VALUES (?)", [word])
            tokens = [row[0] for row in self._db.execute("SELECT term FROM words_vocab ORDER BY offset")]
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[word] = tokens
        return tokens


_tokenizer = _Tokenizer()


_lexemes: dict[str, list[str]] = {}  # query word -> PostgreSQL's lexemes for it (per process)


class PostgresBackend:
    name = "postgresql"

    def create_schema(self, cursor) -> None:
        cursor.execute(POSTGRES_TEXT_CONFIG)
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS search_text (rec_id bigint PRIMARY KEY, stemmed tsvector NOT NULL,"
            " plain tsvector NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS search_text_stemmed ON search_text USING gin (stemmed)")
        cursor.execute("CREATE INDEX IF NOT EXISTS search_text_plain ON search_text USING gin (plain)")

    def drop_schema(self, cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS search_text")

    def index(self, rows: Iterable[tuple[int, str]]) -> None:
        rows = [(pk, fold(text)) for pk, text in rows]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_text (rec_id, stemmed, plain) VALUES"
                " (%s, to_tsvector('uprwatch_english', %s), to_tsvector('simple', %s))"
                " ON CONFLICT (rec_id) DO UPDATE SET stemmed = EXCLUDED.stemmed, plain = EXCLUDED.plain",
                [(pk, body, body) for pk, body in rows],
            )

    def delete(self, ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_text WHERE rec_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_text")

    def indexed_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_text")
            return cursor.fetchone()[0]

    def term_instances(self) -> Iterator[tuple[str, str, str]]:
        """Every lexeme of the stemmed index with the comma-separated rec_id of each of its positions and
        the positions (aligned: one aggregate pass), in code-point order, as ``postings`` reads FTS5's.
        A tsvector keeps at most 256 positions of a lexeme per row: ``@@`` sees the same ones."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.lexeme, string_agg(s.rec_id::text, ','), string_agg(p.position::text, ',')"
                " FROM search_text s CROSS JOIN LATERAL unnest(s.stemmed) u"
                " CROSS JOIN LATERAL unnest(u.positions) AS p(position)"
                ' GROUP BY u.lexeme ORDER BY u.lexeme COLLATE "C"'
            )
            while batch := cursor.fetchmany(500):
                yield from batch

    def tokens(self, word: str) -> list[str]:
        """The stemmed index's lexemes for a query word, in order (``to_tsvector`` of it, cached)."""
        if word not in _lexemes:
            self.prefetch_tokens([word])
        return _lexemes[word]

    def prefetch_tokens(self, words: list[str]) -> None:
        """Look up the lexemes of several words in one query (a query's expansions hold a dozen)."""
        wanted = sorted({w for w in words if w not in _lexemes})
        if not wanted:
            return
        found: dict[str, list[str]] = {w: [] for w in wanted}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w, u.lexeme FROM unnest(%s::text[]) AS w"
                f" CROSS JOIN LATERAL unnest(to_tsvector('{POSTGRES_CONFIG[False]}', w)) u"
                " ORDER BY w, u.positions[1]", [wanted])
            for word, lexeme in cursor.fetchall():
                found[word].append(lexeme)
        if len(_lexemes) > 10_000:
            _lexemes.clear()
        _lexemes.update(found)

    def match(self, node: Node, exact: bool, ranked: bool = True) -> tuple[np.ndarray, np.ndarray]:
        column = "plain" if exact else "stemmed"
        config = POSTGRES_CONFIG[exact]
        score = f"ts_rank({column}, q)" if ranked else "0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rec_id, {score} FROM search_text, to_tsquery(%s::regconfig, %s) q"
                f" WHERE {column} @@ q",
                [config, to_tsquery(node)],
            )
            rows = cursor.fetchall()
        return _arrays(rows)


def _arrays(rows: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    ids, scores = zip(*rows, strict=True)
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float32)


def get_backend(vendor: str | None = None) -> SQLiteBackend | PostgresBackend:
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return PostgresBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"full-text search supports SQLite and PostgreSQL, not {vendor}")
