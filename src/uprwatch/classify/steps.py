"""The ``classify`` step of ``uprwatch init``: train if the human labels changed, then label the rest."""

from __future__ import annotations

from rich.console import Console

from uprwatch.classify import labelling, training


def classify_step(console: Console, options) -> None:
    model, trained = training.train()
    console.print(f"classifier {model.version}: " + ("trained" if trained else "up to date"))
    report = labelling.label_recommendations(model)
    console.print(f"classify: {report.candidates} recommendations lack human labels, {report.labelled} labelled now")
