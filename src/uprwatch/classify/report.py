"""Evaluation figures as rich tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_evaluation(console: Console, figures: dict) -> None:
    console.print(f"trained on sessions {figures['train_sessions']} ({figures['train_size']:,} recommendations), "
                  f"tested on {figures['test_sessions']} ({figures['test_size']:,}); model "
                  f"{figures['model_version']}, {figures['training_seconds']} s training")
    summary = Table("figure", "model", "baseline", title="Summary")
    model, base = figures, figures["baseline"]
    summary.add_row("issues micro-F1", f"{model['issues']['micro_f1']:.3f}", f"{base['issues']['micro_f1']:.3f}")
    summary.add_row("issues macro-F1", f"{model['issues']['macro_f1']:.3f}", f"{base['issues']['macro_f1']:.3f}")
    summary.add_row("action accuracy", f"{model['action']['accuracy']:.3f}", f"{base['action']['accuracy']:.3f}")
    summary.add_row("action macro-F1", f"{model['action']['macro_f1']:.3f}", f"{base['action']['macro_f1']:.3f}")
    console.print(summary)
    per_label = Table("issue", "precision", "recall", "F1", "support", "baseline F1", title="Issues")
    for name, row in figures["issues"]["per_label"].items():
        b = base["issues"]["per_label"].get(name, {})
        per_label.add_row(name, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                          str(row["support"]), f"{b.get('f1', 0):.3f}")
    console.print(per_label)
    for title, data in (("Action category (model)", model["action"]), ("Action category (baseline)", base["action"])):
        table = Table("true \\ predicted", *map(str, data["labels"]), title=title)
        for label, row in zip(data["labels"], data["confusion_matrix"], strict=True):
            table.add_row(str(label), *map(str, row))
        console.print(table)
