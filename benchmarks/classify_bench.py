"""Classify speed: training on every human label, and labelling 10,000 recommendations.

Run with ``UPRWATCH_HOME`` pointing at an initialised installation::

    .venv/bin/python benchmarks/classify_bench.py [--skip-training] [--splits] [--ceiling]

Prints one JSON object: ``training_seconds`` (wall and CPU), ``labelling_10000_seconds`` (prediction
only, and prediction + writing labels to the database in one rolled-back transaction, with the other features'
``recommendations_changed`` receivers timed apart as ``receivers_seconds``). With ``--splits`` also
``splits``: action accuracy, issues micro/macro-F1 and the baselines on four train/test splits of sessions
1-20 (about a minute each; the installation's saved evaluation is left as it is). With ``--ceiling`` also
``ceiling``: action accuracy under random 5-fold cross-validation over all sessions, by session range. Each
fold trains on recommendations of the same sessions, reviews and coding era as the ones it is tested on, which
no real use has (new documents are always later than the labels): an upper bound for the model, to read
the split figures against.
"""

from __future__ import annotations

import json
import os
import sys
import time

# Train/test splits of UPR Info's sessions: forward, half, backward and a middle block.
SPLITS = [("1-16", "17-20"), ("1-10", "11-20"), ("5-20", "1-4"), ("1-7,14-20", "8-13")]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from django.db import transaction

    from uprwatch.classify.classifier import Classifier
    from uprwatch.classify.labelling import label_recommendations
    from uprwatch.classify.training import human_examples, load_model
    from uprwatch.records.models import Label, Recommendation

    # The load average tells how far wall-clock figures are from an idle machine's.
    figures: dict = {"cpu_count": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1)}
    examples = human_examples()
    figures["training_examples"] = len(examples.texts)
    if "--skip-training" in sys.argv:
        model = load_model()
        if model is None:
            sys.exit("no trained model: run `uprwatch classify train` first")
    else:
        wall, cpu = time.perf_counter(), time.process_time()
        model = Classifier.train(examples.texts, examples.issues, examples.actions)
        figures["training_seconds"] = round(time.perf_counter() - wall, 1)
        figures["training_cpu_seconds"] = round(time.process_time() - cpu, 1)
    texts = examples.texts[:10000]
    wall, cpu = time.perf_counter(), time.process_time()
    model.predict(texts)
    figures["predict_10000_seconds"] = round(time.perf_counter() - wall, 2)
    figures["predict_10000_cpu_seconds"] = round(time.process_time() - cpu, 2)

    # The ``recommendations_changed`` receivers of other features (search index, lineage, alerts) run
    # inside the labelling transaction: time them apart, so the classifier's own share stays visible.
    from uprwatch.classify import labelling

    receivers = {"wall": 0.0, "cpu": 0.0}
    announce = labelling.announce_recommendations_changed

    def timed_announce(ids, reason):
        wall, cpu = time.perf_counter(), time.process_time()
        announce(ids, reason)
        receivers["wall"] += time.perf_counter() - wall
        receivers["cpu"] += time.process_time() - cpu

    labelling.announce_recommendations_changed = timed_announce
    # Labelling with database writes: make 10,000 recommendations look unlabelled, label them, roll back.
    ids = list(Recommendation.objects.order_by("pk").values_list("pk", flat=True)[:10000])
    try:
        with transaction.atomic():
            Label.objects.filter(recommendation_id__in=ids).delete()
            wall, cpu = time.perf_counter(), time.process_time()
            report = label_recommendations(model, ids=ids)
            figures["labelling_10000_seconds"] = round(time.perf_counter() - wall, 2)
            figures["labelling_10000_cpu_seconds"] = round(time.process_time() - cpu, 2)
            figures["receivers_seconds"] = round(receivers["wall"], 2)
            figures["receivers_cpu_seconds"] = round(receivers["cpu"], 2)
            figures["labelling_10000_without_receivers_seconds"] = round(
                figures["labelling_10000_seconds"] - receivers["wall"], 2)
            figures["labelling_10000_without_receivers_cpu_seconds"] = round(
                figures["labelling_10000_cpu_seconds"] - receivers["cpu"], 2)
            figures["labelled"] = report.labelled
            raise _Rollback
    except _Rollback:
        pass
    if "--splits" in sys.argv:
        from uprwatch.classify.evaluation import measure
        from uprwatch.classify.training import parse_sessions

        figures["splits"] = {}
        for train, test in SPLITS:
            measured = measure(parse_sessions(train), parse_sessions(test))
            figures["splits"][f"{train}/{test}"] = {
                "action_accuracy": measured["action"]["accuracy"],
                "action_macro_f1": measured["action"]["macro_f1"],
                "issues_micro_f1": measured["issues"]["micro_f1"],
                "issues_macro_f1": measured["issues"]["macro_f1"],
                "baseline_action_accuracy": measured["baseline"]["action"]["accuracy"],
                "baseline_issues_micro_f1": measured["baseline"]["issues"]["micro_f1"],
                "test_size": measured["test_size"],
            }
    if "--ceiling" in sys.argv:
        figures["ceiling"] = _ceiling(examples)
    print(json.dumps(figures))


def _ceiling(examples, folds: int = 5) -> dict:
    import numpy as np

    from uprwatch.classify.classifier import Classifier
    from uprwatch.records.models import Recommendation

    session = dict(Recommendation.objects.filter(id__in=examples.ids).values_list("id", "review__session_id"))
    fold = np.random.RandomState(0).randint(0, folds, len(examples.ids))
    right: dict[int, bool] = {}
    for f in range(folds):
        train = [k for k in range(len(examples.ids)) if fold[k] != f]
        test = [k for k in range(len(examples.ids)) if fold[k] == f and examples.actions[k]]
        model = Classifier.train([examples.texts[k] for k in train], [examples.issues[k] for k in train],
                                 [examples.actions[k] for k in train])
        predicted = model.action_predictions([examples.texts[k] for k in test])
        right.update((k, p[0] == examples.actions[k]) for k, p in zip(test, predicted, strict=True))

    def accuracy(first: int, last: int) -> float:
        ok = [v for k, v in right.items() if first <= session[examples.ids[k]] <= last]
        return round(sum(ok) / len(ok), 4)

    return {"folds": folds, "action_accuracy": round(sum(right.values()) / len(right), 4),
            "action_accuracy_sessions_1_16": accuracy(1, 16),
            "action_accuracy_sessions_17_20": accuracy(17, 20)}


class _Rollback(Exception):
    pass


if __name__ == "__main__":
    main()
