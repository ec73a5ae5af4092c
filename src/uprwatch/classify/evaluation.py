"""Measured accuracy: train on some sessions, test on others, compare with the keyword baseline."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from uprwatch.classify.action import rule_action
from uprwatch.classify.chart import keyword_issues
from uprwatch.classify.classifier import Classifier
from uprwatch.classify.training import SessionRangeError, classify_home, human_examples

ACTION_LABELS = [1, 2, 3, 4, 5]


def _issue_figures(names: list[str], truth: list[list[str]], predicted: list[list[str]]) -> dict:
    column = {n: j for j, n in enumerate(names)}
    Y = np.zeros((len(truth), len(names)), dtype=np.int8)
    P = np.zeros_like(Y)
    for r, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        for n in t:
            Y[r, column[n]] = 1
        for n in p:
            if n in column:
                P[r, column[n]] = 1
    present = [j for j in range(len(names)) if Y[:, j].sum() > 0]  # macro over issues the test set has
    precision, recall, f1, support = precision_recall_fscore_support(Y, P, zero_division=0)
    return {
        "micro_f1": round(float(f1_score(Y, P, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(np.mean(f1[present])) if present else 0.0, 4),
        "per_label": {
            names[j]: {"precision": round(float(precision[j]), 4), "recall": round(float(recall[j]), 4),
                       "f1": round(float(f1[j]), 4), "support": int(support[j])}
            for j in range(len(names))
        },
    }


def _action_figures(truth: list[int], predicted: list[int]) -> dict:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=ACTION_LABELS, average="macro",
                                         zero_division=0)), 4),
        "labels": ACTION_LABELS,
        "confusion_matrix": confusion_matrix(truth, predicted, labels=ACTION_LABELS).tolist(),
        "support": len(truth),
    }


def evaluate(train_sessions: list[int], test_sessions: list[int]) -> dict:
    """Figures for the model and the baseline; also saved as the latest evaluation."""
    figures = measure(train_sessions, test_sessions)
    save_evaluation(figures)
    return figures


def measure(train_sessions: list[int], test_sessions: list[int]) -> dict:
    """Figures for the model and the baseline (``evaluate`` without saving them)."""
    if set(train_sessions) & set(test_sessions):
        raise SessionRangeError("training and test sessions overlap")
    train, test = human_examples(train_sessions), human_examples(test_sessions)
    if not train.texts:
        raise SessionRangeError(f"no human-labelled recommendations in sessions {_fmt(train_sessions)}")
    if not test.texts:
        raise SessionRangeError(f"no human-labelled recommendations in sessions {_fmt(test_sessions)}")
    started = time.perf_counter()
    model = Classifier.train(train.texts, train.issues, train.actions)
    training_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = model.predict(test.texts)
    labelling_seconds = time.perf_counter() - started

    names = sorted(set(model.issues) | {i for row in test.issues for i in row})
    with_issues = [k for k, row in enumerate(test.issues) if row]
    coded = [k for k, a in enumerate(test.actions) if a]
    truth_actions = [test.actions[k] for k in coded]
    figures = {
        "train_sessions": _fmt(train_sessions),
        "test_sessions": _fmt(test_sessions),
        "train_size": len(train.texts),
        "test_size": len(test.texts),
        "model_version": model.version,
        "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_seconds": round(training_seconds, 1),
        "labelling_seconds": round(labelling_seconds, 2),
        "issues": _issue_figures(names, [test.issues[k] for k in with_issues],
                                 [list(predictions[k].issues) for k in with_issues]),
        "action": _action_figures(truth_actions, [predictions[k].action_category for k in coded]),
        "baseline": {
            "description": "issues: keywords from each issue's name; action: the methodology's own verb "
                           "lists on the first verb(s), category 4 when no listed verb opens the text",
            "issues": _issue_figures(names, [test.issues[k] for k in with_issues],
                                     [keyword_issues(test.texts[k]) for k in with_issues]),
            "action": _action_figures(truth_actions, [rule_action(test.texts[k], methodology_only=True).category
                                                      or 4 for k in coded]),
        },
    }
    return figures


def _fmt(sessions: list[int]) -> str:
    """[1, 2, 3, 7] → "1-3,7"."""
    parts, start = [], None
    for i, s in enumerate(sessions):
        if start is None:
            start = s
        if i + 1 == len(sessions) or sessions[i + 1] != s + 1:
            parts.append(f"{start}-{s}" if s != start else str(s))
            start = None
    return ",".join(parts)


def evaluation_path():
    return classify_home() / "evaluation.json"


def save_evaluation(figures: dict) -> None:
    path = evaluation_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


# The figures measured when the shipped model was released, shown until this installation runs its own.
SHIPPED_EVALUATION = (Path(__file__).resolve().parent.parent / "data" / "classify"
                      / "evaluation-sessions-1-16-vs-17-20.json")


def latest_evaluation() -> dict | None:
    """This installation's latest evaluation, else the one shipped with uprwatch, else None."""
    for path in (evaluation_path(), SHIPPED_EVALUATION):
        try:
            figures = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        figures["source"] = "this installation" if path == evaluation_path() else "shipped with uprwatch"
        return figures
    return None
