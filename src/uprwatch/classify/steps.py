"""The ``classify`` step of ``uprwatch init``: make sure a model exists, then label what lacks human labels.

Init never spends a minute retraining a model it already has (init must stay quick); when the human
labels changed since training it says so, and ``uprwatch classify train`` retrains.
"""

from __future__ import annotations

from rich.console import Console

from uprwatch.classify import labelling, training


def classify_step(console: Console, options) -> None:
    model, how = training.ensure_model()
    messages = {
        "current": "up to date",
        "current, stale": "human labels changed since training: run `uprwatch classify train` to retrain",
        "shipped": "installed the model trained on the bundled UPR Info labels",
        "trained": "trained",
    }
    console.print(f"classifier {model.version}: {messages[how]}")
    report = labelling.label_recommendations(model)
    console.print(f"classify: {report.candidates} recommendations lack human labels, {report.labelled} labelled now")
