"""Precision and recall of lineage links on hand-labelled pairs.

    UPRWATCH_HOME=... python benchmarks/lineage_eval.py            # evaluate, print one JSON object
    UPRWATCH_HOME=... python benchmarks/lineage_eval.py --sample 180 --out pairs.csv   # pairs to label

The labelled pairs live in ``src/uprwatch/data/analysis/lineage-pairs.csv``: a later recommendation
and an earlier-cycle recommendation to the same State under Review, named by their UPR Info row
(``row N`` locators, stable across databases), with ``label`` 1 when the later one asks for the same
thing as the earlier one (same subject and same ask, possibly reworded or narrower/broader) and 0
otherwise. Pairs were sampled across bands of the combined score so that both sides of the threshold
are represented; how they were labelled is in ``src/uprwatch/data/analysis/README.md``.

A pair counts as *predicted* when its combined score reaches the threshold. (The stored links also
keep at most ``MAX_LINKS`` per recommendation; the top-k cut is not applied here.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from pathlib import Path

PAIRS_FILE = Path(__file__).resolve().parent.parent / "src" / "uprwatch" / "data" / "analysis" / "lineage-pairs.csv"
BANDS = [(0.0, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 1.01)]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()


def _by_locator(locators: list[str]) -> dict[str, int]:
    from uprwatch.records.models import Provenance

    return dict(Provenance.objects.filter(dataset="UPR Info database", locator__in=locators)
                .values_list("locator", "recommendation_id"))


def sample(n: int, out: str, seed: int = 6) -> None:
    """Write ``n`` unlabelled pairs, stratified over score bands, with texts to read."""
    import numpy as np

    from uprwatch.analysis.lineage import _state_vectors, combined_score
    from uprwatch.analysis.similarity import SemanticVectors
    from uprwatch.records.models import Provenance, Recommendation, State

    rng = random.Random(seed)
    semantic = SemanticVectors()
    states = list(State.objects.filter(reviews__isnull=False).distinct().order_by("name"))
    per_band = {band: [] for band in BANDS}
    want = n // len(BANDS) + 1
    rng.shuffle(states)
    for state in states:
        ids, cycles, lexical, embedded = _state_vectors(state, semantic)
        later = np.flatnonzero(cycles == 2)
        earlier = np.flatnonzero(cycles == 1)
        if not len(later) or not len(earlier):
            continue
        for _ in range(6):
            i = int(rng.choice(later))
            lex = (lexical[i] @ lexical[earlier].T).toarray()[0]
            score = combined_score(lex, embedded[earlier] @ embedded[i])
            # the best earlier match (as lineage would link it) and one random earlier recommendation
            for j in (int(np.argmax(score)), rng.randrange(len(earlier))):
                s = float(score[j])
                for band in BANDS:
                    if band[0] <= s < band[1] and len(per_band[band]) < want:
                        per_band[band].append((ids[i], ids[earlier[j]]))
        if all(len(v) >= want for v in per_band.values()):
            break
    pairs = [p for band in BANDS for p in per_band[band]]
    rng.shuffle(pairs)
    locator = dict(Provenance.objects.filter(recommendation_id__in={i for p in pairs for i in p})
                   .values_list("recommendation_id", "locator"))
    recs = Recommendation.objects.select_related("review__state").in_bulk({i for p in pairs for i in p})
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["later", "earlier", "sur", "later_text", "earlier_text", "label"])
        for later, earlier in pairs[:n]:
            writer.writerow([locator[later], locator[earlier], recs[later].review.state.name,
                             recs[later].text, recs[earlier].text, ""])


def evaluate(path: Path = PAIRS_FILE) -> dict:
    from uprwatch.analysis import lineage

    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] in ("0", "1")]
    ids = _by_locator([r["later"] for r in rows] + [r["earlier"] for r in rows])
    rows = [r for r in rows if r["later"] in ids and r["earlier"] in ids]
    scores = lineage.score_pairs([(ids[r["later"]], ids[r["earlier"]]) for r in rows])
    labels = [r["label"] == "1" for r in rows]

    def figures(predicted: list[bool]) -> dict:
        return _figures(predicted, labels)

    combined = [lineage.combined_score(lx, sm) for lx, sm in scores]
    # how the choice of weight and threshold was made: F1 and precision over a grid
    sweep = {
        f"weight {w:.1f} threshold {t:.2f}": figures([lineage.combined_score(lx, sm, w) >= t for lx, sm in scores])
        for w in (0.3, 0.5, 0.7)
        for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
    }
    # the same choice made on half the pairs and measured on the other half (less optimistic)
    tune, held = list(range(0, len(rows), 2)), list(range(1, len(rows), 2))

    def best_on(indices: list[int]) -> tuple[float, float]:
        def f1(w: float, t: float) -> float:
            tp = sum(lineage.combined_score(*scores[i], w) >= t and labels[i] for i in indices)
            fp = sum(lineage.combined_score(*scores[i], w) >= t and not labels[i] for i in indices)
            fn = sum(lineage.combined_score(*scores[i], w) < t and labels[i] for i in indices)
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return max(((w, t) for w in (0.3, 0.5, 0.7) for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)),
                   key=lambda wt: f1(*wt))

    weight, threshold = best_on(tune)
    held_labels = [labels[i] for i in held]
    held_predicted = [lineage.combined_score(*scores[i], weight) >= threshold for i in held]
    held_out = {"weight": weight, "threshold": threshold,
                **_figures(held_predicted, held_labels)}
    return {
        "pairs": len(rows),
        "positives": sum(labels),
        "method": lineage.METHOD,
        "lexical_weight": lineage.LEXICAL_WEIGHT,
        "threshold": lineage.LINK_THRESHOLD,
        **figures([s >= lineage.LINK_THRESHOLD for s in combined]),
        "lexical_only_at_threshold": figures([lx >= lineage.LINK_THRESHOLD for lx, _ in scores]),
        "semantic_only_at_0.8": figures([sm >= 0.8 for _, sm in scores]),
        "tuned_on_half_measured_on_other_half": held_out,
        "sweep": sweep,
    }


def _figures(predicted: list[bool], labels: list[bool]) -> dict:
    tp = sum(p and t for p, t in zip(predicted, labels, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, labels, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _round(precision), "recall": _round(recall), "f1": _round(f1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="write this many unlabelled pairs instead of evaluating")
    parser.add_argument("--out", default="lineage-pairs-unlabelled.csv")
    parser.add_argument("--pairs", default=str(PAIRS_FILE))
    args = parser.parse_args(argv)
    _setup()
    if args.sample:
        sample(args.sample, args.out)
        return
    print(json.dumps(evaluate(Path(args.pairs)), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
