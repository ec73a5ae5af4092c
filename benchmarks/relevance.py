"""How good uprwatch's search answers are: precision@20 and nDCG@10 over realistic queries.

    UPRWATCH_HOME=var/dev python benchmarks/relevance.py            # prints one JSON object
    UPRWATCH_HOME=var/dev python benchmarks/relevance.py --write    # also stores it for /about/

The queries (``benchmarks/data/relevance-queries.csv``) are written as people type them, not as the
label words. A recommendation is relevant to a query when it carries one of the query's UPR Info
issues as a *human* label (UPR Info's coders, not our classifier) and its text matches every one of
the query's patterns (our own judgement, e.g. "mentions Korea or the border" for North Korean
escapees; patterns are regular expressions, ``&&`` joins several); a query has either or both. Only
recommendations with a human issue label can be judged, so rankings are *condensed* (unjudged rows
left out, Sakai 2007) — the same for every system.

Systems, on the same rows and filters: uprwatch's default (``auto``: the words' matches with other
names and synonyms, then the closest in meaning when fewer than 20 match), each mode, ``auto``
without expansion, and a plain FTS5 baseline — what Datasette answers for the same words: an FTS5
table with SQLite's default tokenizer (``unicode61``, no stemming), every word quoted and ANDed
(Datasette's escaped search mode), ordered by ``bm25``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

# Running this file puts benchmarks/ first on sys.path, where other benchmarks' module names (calendar.py)
# would shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

QUERIES = Path(__file__).resolve().parent / "data" / "relevance-queries.csv"
RESULTS = Path(__file__).resolve().parent.parent / "src" / "uprwatch" / "data" / "search" / "relevance.json"
DEPTH = 60  # rows asked of each system: enough for 20 after condensing
SYSTEMS = ("default", "text", "semantic", "hybrid", "default_no_expansion", "baseline_fts5")


def load_queries(path: Path = QUERIES) -> list[dict]:
    queries = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            patterns = [re.compile(p.strip(), re.IGNORECASE) for p in row["pattern"].split("&&") if p.strip()]
            issues = {i.strip() for i in row["issues"].split("|") if i.strip()}
            if not patterns and not issues:
                raise ValueError(f"query {row['query']!r} has neither issues nor a pattern")
            filters: dict[str, list[str]] = {}
            for key, value in parse_qsl(row["filters"]):
                filters.setdefault(key, []).append(value)
            queries.append({"query": row["query"], "filters": filters, "issues": issues, "patterns": patterns})
    return queries


def corpus() -> tuple[dict[int, str], dict[int, set[str]]]:
    """Every recommendation's text and its human UPR Info issue labels."""
    from uprwatch.records.models import Label, Recommendation, Term

    texts = dict(Recommendation.objects.values_list("id", "text"))
    issues: dict[int, set[str]] = {}
    for rec_id, name in Label.objects.filter(term__taxonomy=Term.Taxonomy.ISSUE, origin="human").values_list(
            "recommendation_id", "term__name"):
        issues.setdefault(rec_id, set()).add(name)
    return texts, issues


def is_relevant(query: dict, text: str, labels: set[str]) -> bool:
    if query["issues"] and not (query["issues"] & labels):
        return False
    return all(p.search(text) for p in query["patterns"])


def baseline_database(path: Path) -> sqlite3.Connection:
    """The recommendations as Datasette would serve them: text, SuR and recommending states, FTS5."""
    from uprwatch.records.models import Recommendation

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recs (id INTEGER PRIMARY KEY, text TEXT, sur TEXT, recommending TEXT)")
    rows = []
    for rec in Recommendation.objects.select_related("review__state").prefetch_related("recommending_states"):
        rows.append((rec.pk, rec.text, rec.review.state.name, "|".join(s.name for s in rec.recommending_states.all())))
    db.executemany("INSERT INTO recs VALUES (?, ?, ?, ?)", rows)
    db.execute("CREATE VIRTUAL TABLE recs_fts USING fts5(text, content='recs', content_rowid='id')")
    db.execute("INSERT INTO recs_fts(recs_fts) VALUES ('rebuild')")
    db.commit()
    return db


def escape_fts(query: str) -> str:
    """Datasette's ``escape_fts``: every whitespace-separated term double-quoted (implicit AND)."""
    if query.count('"') % 2:
        query += '"'
    terms = re.findall(r'[^\s"]+|"[^"]*"', query)
    return " ".join('"{}"'.format(t.strip('"').replace('"', '""')) for t in terms if t.strip('"'))


def baseline_ranking(db: sqlite3.Connection, query: dict, limit: int) -> list[int]:
    from uprwatch.records.states import resolve_state

    sql = ("SELECT recs.id FROM recs_fts JOIN recs ON recs.id = recs_fts.rowid WHERE recs_fts MATCH ?")
    args: list = [escape_fts(query["query"])]
    for name in query["filters"].get("sur", []):
        sql += " AND recs.sur = ?"
        args.append(resolve_state(name).name)
    sql += " ORDER BY bm25(recs_fts), recs.id LIMIT ?"
    try:
        return [row[0] for row in db.execute(sql, args + [limit])]
    except sqlite3.OperationalError:  # what Datasette shows as an error: no results
        return []


def uprwatch_ranking(query: dict, mode: str, expand: bool, limit: int) -> list[int]:
    from uprwatch.search.service import SearchParams, search

    params = SearchParams.from_querydict({**query["filters"], "q": query["query"], "mode": mode,
                                          "expand": "1" if expand else "0", "limit": str(limit)})
    result = search(params)
    return [r["id"] for r in result["results"]] + [r["id"] for r in result["related"]]


def precision_at(ranked: list[bool], k: int) -> float:
    return sum(ranked[:k]) / k


def ndcg_at(ranked: list[bool], relevant_total: int, k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, rel in enumerate(ranked[:k]) if rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(relevant_total, k)))
    return dcg / ideal if ideal else 0.0


def evaluate() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    django.setup()
    import tempfile

    from uprwatch.search.service import SearchParams, matching_ids

    queries = load_queries()
    texts, issues = corpus()
    judged = set(issues)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        db = baseline_database(Path(folder) / "datasette.db")
        per_query = []
        for query in queries:
            universe = [i for i in matching_ids(SearchParams.from_querydict({**query["filters"], "limit": "0"}))
                        if i in judged]
            relevant = {i for i in universe if is_relevant(query, texts[i], issues[i])}
            rankings = {
                "default": uprwatch_ranking(query, "auto", True, DEPTH),
                "text": uprwatch_ranking(query, "text", True, DEPTH),
                "semantic": uprwatch_ranking(query, "semantic", True, DEPTH),
                "hybrid": uprwatch_ranking(query, "hybrid", True, DEPTH),
                "default_no_expansion": uprwatch_ranking(query, "auto", False, DEPTH),
                "baseline_fts5": baseline_ranking(db, query, DEPTH),
            }
            row = {"query": query["query"], "filters": query["filters"], "relevant": len(relevant)}
            for system, ids in rankings.items():
                condensed = [i in relevant for i in ids if i in judged]
                row[system] = {"p20": round(precision_at(condensed, 20), 3),
                               "ndcg10": round(ndcg_at(condensed, len(relevant), 10), 3)}
            per_query.append(row)
        db.close()
    summary = {}
    for system in SYSTEMS:
        summary[system] = {
            "mean_p20": round(sum(q[system]["p20"] for q in per_query) / len(per_query), 3),
            "mean_ndcg10": round(sum(q[system]["ndcg10"] for q in per_query) / len(per_query), 3),
        }
    worse = [{"query": q["query"], "default_p20": q["default"]["p20"], "baseline_p20": q["baseline_fts5"]["p20"]}
             for q in per_query if q["default"]["p20"] < q["baseline_fts5"]["p20"] - 0.10]
    return {
        "queries": len(per_query),
        "judged_recommendations": len(judged),
        "summary": summary,
        "default_minus_baseline_p20": round(summary["default"]["mean_p20"] - summary["baseline_fts5"]["mean_p20"], 3),
        "queries_worse_than_baseline": worse,
        "per_query": per_query,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"store the figures in {RESULTS} (shown on /about/)")
    args = parser.parse_args()
    figures = evaluate()
    if args.write:
        RESULTS.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
