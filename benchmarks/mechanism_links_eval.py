"""Precision and recall of "Other UN mechanisms on this point" on hand-labelled pairs.

    python benchmarks/mechanism_links_eval.py [--csv src/uprwatch/data/sources/mechanism-pairs.csv]

Prints JSON: per threshold, how many pairs it links, precision and recall; and the figures at the
threshold the product uses (``sources.related.THRESHOLD``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_CSV = ROOT / "src" / "uprwatch" / "data" / "sources" / "mechanism-pairs.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default=str(DEFAULT_CSV))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from uprwatch.sources.related import THRESHOLD, score_pairs

    with open(args.csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = score_pairs([r["upr_text"] for r in rows], [r["mechanism_text"] for r in rows])
    labels = [r["same_point"] == "1" for r in rows]

    def figures(threshold: float) -> dict:
        linked = [label for label, score in zip(labels, scores, strict=True) if score >= threshold]
        true = sum(linked)
        return {"threshold": round(threshold, 2), "linked": len(linked),
                "precision": round(true / len(linked), 3) if linked else None,
                "recall": round(true / sum(labels), 3)}

    sweep = [figures(t / 100) for t in range(30, 86, 2)]
    print(json.dumps({"pairs": len(rows), "positives": sum(labels), "product": figures(THRESHOLD),
                      "sweep": sweep}, indent=1))


if __name__ == "__main__":
    main()
