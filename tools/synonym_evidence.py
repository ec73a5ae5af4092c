"""Evidence for each row of the search synonyms (``src/uprwatch/data/search/synonyms.csv``), for a reviewer.

    UPRWATCH_HOME=var/dev python tools/synonym_evidence.py            # prints a table
    UPRWATCH_HOME=var/dev python tools/synonym_evidence.py --write    # fills the CSV's evidence columns

For every term: how many recommendations use it (``recommendations``: the term alone, as a phrase, without
expansion), the cosine of its wordllama vector to its group's first term (``cosine``: the embedding
model's view of how close they are), and how many recommendations say both (``with_first``: corpus
co-occurrence). A term nobody uses adds nothing; a low cosine and no co-occurrence is a row to question.
The ``source`` column (where the term came from) is written by hand and left as it is.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNONYMS = ROOT / "src" / "uprwatch" / "data" / "search" / "synonyms.csv"
COLUMNS = ["group", "term", "kind", "source", "recommendations", "with_first", "cosine"]


def evidence(rows: list[dict]) -> list[dict]:
    import numpy as np

    from uprwatch.search.service import SearchParams, matching_ids
    from uprwatch.search.vectors import embed_texts

    def ids(term: str) -> set[int]:
        return set(matching_ids(SearchParams(q=f'"{term}"', expand=False, mode="text")))

    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row["group"], row["term"])
    vectors = embed_texts([row["term"] for row in rows] + list(first.values()))
    heads = {group: vectors[len(rows) + i] for i, group in enumerate(first)}
    head_ids = {group: ids(term) for group, term in first.items()}
    out = []
    for row, vector in zip(rows, vectors[: len(rows)], strict=True):
        found = ids(row["term"])
        out.append({**{k: row[k] for k in ("group", "term", "kind", "source")},
                    "recommendations": len(found), "with_first": len(found & head_ids[row["group"]]),
                    "cosine": f"{float(np.dot(vector, heads[row['group']])):.2f}"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the evidence columns into the CSV")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    with open(SYNONYMS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = evidence(rows)
    if args.write:
        with open(SYNONYMS, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
    for row in table:
        print(f"{row['group'][:22]:22} {row['term'][:40]:40} {row['recommendations']:6} {row['with_first']:6} {row['cosine']}")


if __name__ == "__main__":
    main()
