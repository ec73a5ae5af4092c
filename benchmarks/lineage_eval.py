"""Fit and measure the lineage link model on hand-labelled pairs.

    UPRWATCH_HOME=... python benchmarks/lineage_eval.py            # fit, cross-validate, print one JSON object
    UPRWATCH_HOME=... python benchmarks/lineage_eval.py --sample 180 --out pairs.csv        # session-1 pairs
    UPRWATCH_HOME=... python benchmarks/lineage_eval.py --sample-hard 100 --out pairs.csv   # session-3 pairs

The labelled pairs live in ``src/uprwatch/data/analysis/lineage-pairs.csv``: a later recommendation
and an earlier-cycle recommendation to the same State under Review, named by their UPR Info row
(``row N`` locators, stable across databases), with ``label`` 1 when the later one asks for the same
thing as the earlier one (same subject and same ask, possibly reworded or narrower/broader) and 0
otherwise, and the ``sample`` each pair was drawn in; how they were drawn and labelled is in
``src/uprwatch/data/analysis/README.md``.

The output: ``cross_validation`` (two stratified halves, seed 6: fit a logistic regression over
``lineage.FEATURES`` and choose the threshold on one half — the lowest at which precision stays
>= 0.9 — then measure on the other, next to the v1 rule on the same half), ``refit_on_all_pairs``
(the coefficients and out-of-fold threshold ``lineage.py`` ships; ``shipped_model_is_the_refit`` says
whether they match), figures of the shipped model and of the v1 rule on all pairs and per ``sample``,
and the scores of the issue's example. A pair counts as *predicted* when its score reaches the
threshold (the stored links also keep at most ``MAX_LINKS`` per recommendation; that cut is not
applied here).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

PAIRS_FILE = Path(__file__).resolve().parent.parent / "src" / "uprwatch" / "data" / "analysis" / "lineage-pairs.csv"
TARGET_PRECISION = 0.9
BANDS = [(0.0, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 1.01)]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()


def _by_locator(locators: list[str]) -> dict[str, int]:
    from uprwatch.records.models import Provenance

    return dict(Provenance.objects.filter(dataset="UPR Info database", locator__in=locators)
                .values_list("locator", "recommendation_id"))


def _cycle_pairs(states, semantic):
    """(state's vectors, its cycle-2 positions, its cycle-1 positions) for each state reviewed in both."""
    from uprwatch.analysis.lineage import _state_vectors

    for state in states:
        texts = _state_vectors(state, semantic)
        later = np.flatnonzero(texts.cycles == 2)
        earlier = np.flatnonzero(texts.cycles == 1)
        if len(later) and len(earlier):
            yield texts, later, earlier


def sample(n: int, out: str, seed: int = 6) -> None:
    """Write ``n`` unlabelled pairs, stratified over score bands, with texts to read (the first 176 pairs)."""
    from uprwatch.analysis.lineage import combined_score
    from uprwatch.analysis.similarity import SemanticVectors
    from uprwatch.records.models import State

    rng = random.Random(seed)
    semantic = SemanticVectors()
    states = list(State.objects.filter(reviews__isnull=False).distinct().order_by("name"))
    per_band = {band: [] for band in BANDS}
    want = n // len(BANDS) + 1
    rng.shuffle(states)
    for texts, later, earlier in _cycle_pairs(states, semantic):
        for _ in range(6):
            i = int(rng.choice(later))
            lex = (texts.lexical[i] @ texts.lexical[earlier].T).toarray()[0]
            score = combined_score(lex, texts.embedded[earlier] @ texts.embedded[i])
            # the best earlier match (as lineage would link it) and one random earlier recommendation
            for j in (int(np.argmax(score)), rng.randrange(len(earlier))):
                s = float(score[j])
                for band in BANDS:
                    if band[0] <= s < band[1] and len(per_band[band]) < want:
                        per_band[band].append((texts.ids[i], texts.ids[earlier[j]]))
        if all(len(v) >= want for v in per_band.values()):
            break
    pairs = [p for band in BANDS for p in per_band[band]]
    rng.shuffle(pairs)
    _write_unlabelled(pairs[:n], out)


def sample_hard(n: int, out: str, seed: int = 7) -> None:
    """Write ``n`` unlabelled pairs of the kinds the first sample lacked (the pairs added in session 3):

    - *same issue*: a cycle-2 recommendation and a random cycle-1 one to the same state sharing a UPR Info
      issue (mostly hard negatives: same subject, different ask);
    - *shared rare word*: a cycle-2 recommendation and the cycle-1 one sharing the most rare words with it,
      combined TF-IDF/embedding score below the old threshold (where a repeat worded differently hides).

    States already in the labelled file are not excluded, pairs already in it are.
    """
    from uprwatch.analysis.lineage import LINK_THRESHOLD, pair_features
    from uprwatch.analysis.similarity import SemanticVectors
    from uprwatch.records.models import Label, State

    rng = random.Random(seed)
    semantic = SemanticVectors()
    with open(PAIRS_FILE, encoding="utf-8", newline="") as handle:
        known = {(r["later"], r["earlier"]) for r in csv.DictReader(handle)}
    ids_known = _by_locator([p for pair in known for p in pair])
    known_ids = {(ids_known.get(a), ids_known.get(b)) for a, b in known}
    states = list(State.objects.filter(reviews__isnull=False).distinct().order_by("name"))
    rng.shuffle(states)
    same_issue: list[tuple[int, int]] = []
    rare: list[tuple[int, int]] = []
    for texts, later, earlier in _cycle_pairs(states, semantic):
        issues: dict[int, set[int]] = {}
        for rec_id, term_id in Label.objects.filter(recommendation_id__in=texts.ids,
                                                    term__taxonomy="issue").values_list("recommendation_id", "term_id"):
            issues.setdefault(rec_id, set()).add(term_id)
        for i in rng.sample(list(later), min(2, len(later))):
            mine = issues.get(texts.ids[i], set())
            alike = [j for j in earlier if mine & issues.get(texts.ids[j], set())]
            if alike:
                pair = (texts.ids[i], texts.ids[int(rng.choice(alike))])
                if pair not in known_ids:
                    same_issue.append((*pair, "same issue"))
        features = pair_features(texts, later, earlier)
        combined = 0.5 * features["lexical"] + 0.5 * features["semantic"]
        candidates = np.argwhere((features["rare_shared"] >= 1) & (combined < LINK_THRESHOLD) & (combined >= 0.2))
        if len(candidates):
            for a, b in rng.sample([tuple(c) for c in candidates], min(2, len(candidates))):
                pair = (texts.ids[later[a]], texts.ids[earlier[b]])
                if pair not in known_ids:
                    rare.append((*pair, "shared rare word"))
        if len(same_issue) >= n // 2 and len(rare) >= n - n // 2:
            break
    pairs = same_issue[: n // 2] + rare[: n - n // 2]
    rng.shuffle(pairs)
    _write_unlabelled(pairs, out)


def _write_unlabelled(pairs: list[tuple], out: str, kind: str = "score bands") -> None:
    from uprwatch.records.models import Provenance, Recommendation

    locator = dict(Provenance.objects.filter(recommendation_id__in={i for p in pairs for i in p[:2]},
                                             dataset="UPR Info database")
                   .values_list("recommendation_id", "locator"))
    recs = Recommendation.objects.select_related("review__state").in_bulk({i for p in pairs for i in p[:2]})
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["later", "earlier", "sur", "later_text", "earlier_text", "label", "sample"])
        for later, earlier, *how in pairs:
            if later in locator and earlier in locator:
                writer.writerow([locator[later], locator[earlier], recs[later].review.state.name,
                                 recs[later].text, recs[earlier].text, "", how[0] if how else kind])


def labelled_pairs(path: Path = PAIRS_FILE) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """The labelled rows found in the database, their feature matrix (``lineage.FEATURES``) and labels."""
    from uprwatch.analysis import lineage

    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] in ("0", "1")]
    ids = _by_locator([r["later"] for r in rows] + [r["earlier"] for r in rows])
    rows = [r for r in rows if r["later"] in ids and r["earlier"] in ids]
    features = lineage.features_of_pairs([(ids[r["later"]], ids[r["earlier"]]) for r in rows])
    matrix = np.asarray([[f[name] for name in lineage.FEATURES] for f in features], dtype=np.float64)
    return rows, matrix, np.asarray([r["label"] == "1" for r in rows])


def fit(matrix: np.ndarray, labels: np.ndarray):
    """Logistic regression over the features (deterministic: lbfgs, no sampling)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, random_state=0, max_iter=1000).fit(matrix, labels)


def lowest_threshold(probability: np.ndarray, labels: np.ndarray, precision: float = TARGET_PRECISION) -> float:
    """The lowest threshold (on a 0.01 grid) from which precision stays >= ``precision``: the most
    recall that precision allows."""
    best = 1.0
    for threshold in np.arange(0.99, 0.0, -0.01):
        predicted = probability >= threshold
        if predicted.any() and (predicted & labels).sum() / predicted.sum() < precision:
            break
        best = float(threshold)
    return round(best, 2)


def two_folds(labels: np.ndarray, seed: int = 6) -> list[np.ndarray]:
    """Two halves with the same share of positives (a fixed-seed shuffle, then alternate per class)."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=int)
    for value in (True, False):
        members = np.flatnonzero(labels == value)
        rng.shuffle(members)
        fold[members[1::2]] = 1
    return [np.flatnonzero(fold == k) for k in (0, 1)]


def evaluate(path: Path = PAIRS_FILE) -> dict:
    from uprwatch.analysis import lineage

    rows, matrix, labels = labelled_pairs(path)
    column = {name: matrix[:, i] for i, name in enumerate(lineage.FEATURES)}
    shipped = lineage.link_score(column)
    old_rule = lineage.combined_score(column["lexical"], column["semantic"]) >= 0.40

    # cross-validation: fit the model and choose its threshold on one half, measure on the other
    folds = []
    out_of_fold = np.zeros(len(labels))
    for k, (train, test) in enumerate(zip(two_folds(labels), reversed(two_folds(labels)), strict=True)):
        model = fit(matrix[train], labels[train])
        threshold = lowest_threshold(model.predict_proba(matrix[train])[:, 1], labels[train])
        out_of_fold[test] = model.predict_proba(matrix[test])[:, 1]
        folds.append({
            "fold": k + 1, "trained_on": len(train), "tested_on": len(test), "threshold_chosen_on_train": threshold,
            "coefficients": dict(zip(lineage.FEATURES, np.round(model.coef_[0], 3).tolist(), strict=True)),
            **_figures(list(out_of_fold[test] >= threshold), list(labels[test])),
            "old_rule_same_half": _figures(list(old_rule[test]), list(labels[test])),
        })
    final = fit(matrix, labels)
    refit = {
        "intercept": round(float(final.intercept_[0]), 3),
        "coefficients": dict(zip(lineage.FEATURES, np.round(final.coef_[0], 3).tolist(), strict=True)),
        "threshold_out_of_fold": lowest_threshold(out_of_fold, labels),
    }
    kinds = sorted({r.get("sample") or "score bands" for r in rows})
    by_kind = {
        kind: {
            "pairs": sum((r.get("sample") or "score bands") == kind for r in rows),
            "model": _figures(*_subset(shipped >= lineage.LINK_THRESHOLD, labels, rows, kind)),
            "old_rule": _figures(*_subset(old_rule, labels, rows, kind)),
        }
        for kind in kinds
    }
    example = [i for i, r in enumerate(rows) if r.get("sample") == "issue example"]
    return {
        "pairs": len(rows),
        "positives": int(labels.sum()),
        "method": lineage.METHOD,
        "features": list(lineage.FEATURES),
        "threshold": lineage.LINK_THRESHOLD,
        "model_all_pairs": _figures(list(shipped >= lineage.LINK_THRESHOLD), list(labels)),
        "old_rule_all_pairs": {"rule": "0.5 lexical + 0.5 semantic >= 0.40",
                               **_figures(list(old_rule), list(labels))},
        "cross_validation": folds,
        "out_of_fold_at_shipped_threshold": _figures(list(out_of_fold >= lineage.LINK_THRESHOLD), list(labels)),
        "by_sample": by_kind,
        "issue_example_scores": [round(float(shipped[i]), 3) for i in example],
        "refit_on_all_pairs": refit,
        "shipped_model_is_the_refit": bool(
            abs(refit["intercept"] - round(lineage.INTERCEPT, 3)) < 1e-3
            and all(abs(refit["coefficients"][n] - round(c, 3)) < 1e-3
                    for n, c in zip(lineage.FEATURES, lineage.COEFFICIENTS, strict=True))
        ),
    }


def _subset(predicted: np.ndarray, labels: np.ndarray, rows: list[dict], kind: str) -> tuple[list, list]:
    keep = [i for i, r in enumerate(rows) if (r.get("sample") or "score bands") == kind]
    return [bool(predicted[i]) for i in keep], [bool(labels[i]) for i in keep]


def _figures(predicted: list[bool], labels: list[bool]) -> dict:
    tp = sum(p and t for p, t in zip(predicted, labels, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, labels, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {"tp": int(tp), "fp": int(fp), "fn": int(fn), "precision": _round(precision), "recall": _round(recall), "f1": _round(f1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="write this many unlabelled pairs instead of evaluating")
    parser.add_argument("--sample-hard", type=int, help="write this many unlabelled same-issue / rare-word pairs")
    parser.add_argument("--out", default="lineage-pairs-unlabelled.csv")
    parser.add_argument("--pairs", default=str(PAIRS_FILE))
    args = parser.parse_args(argv)
    _setup()
    if args.sample:
        sample(args.sample, args.out)
        return
    if args.sample_hard:
        sample_hard(args.sample_hard, args.out)
        return
    print(json.dumps(evaluate(Path(args.pairs)), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
