"""``uprwatch classify train|run|evaluate``: the action-category and issue classifiers."""

from __future__ import annotations

import click
from rich.console import Console

from uprwatch.cli import _django, console, echo_json, json_option, main


@main.group()
def classify() -> None:
    """Action categories and issues: train, label, evaluate."""


@classify.command("train")
@click.option("--force", is_flag=True, help="Retrain even if the saved model saw the same data.")
@json_option()
def classify_train(force: bool, as_json: bool) -> None:
    """Train the classifiers on every human label (deterministic; skipped if nothing changed)."""
    _django()
    from uprwatch.classify import service

    summary = service.train_model(force=force)
    if as_json:
        echo_json(summary)
    else:
        console.print(f"model {summary['model_version']}: " + ("trained" if summary["trained"] else
                      "already up to date") + f" on {summary['trained_on']:,} recommendations")


@classify.command("run")
@click.option("--force", is_flag=True, help="Relabel even recommendations the current model has labelled.")
@json_option()
def classify_run(force: bool, as_json: bool) -> None:
    """Label every recommendation lacking human labels (machine labels, with confidence)."""
    _django()
    from uprwatch.classify import service

    summary = service.run_labelling(force=force)
    if as_json:
        echo_json(summary)
    else:
        console.print(f"{summary['candidates']:,} recommendations lack human labels; labelled "
                      f"{summary['labelled']:,} ({summary['labels']:,} issue labels, {summary['actions']:,} "
                      f"action categories) with model {summary['model_version']}")


@classify.command("evaluate")
@click.option("--train-sessions", required=True, help="Sessions to train on, e.g. 1-16.")
@click.option("--test-sessions", required=True, help="Sessions to test on, e.g. 17-20.")
@json_option()
def classify_evaluate(train_sessions: str, test_sessions: str, as_json: bool) -> None:
    """Train on some sessions, test on others; model and keyword baseline figures."""
    _django()
    from uprwatch.classify import service

    figures = service.evaluate_split(train_sessions, test_sessions)
    if as_json:
        echo_json(figures)
        return
    from uprwatch.classify.report import print_evaluation

    print_evaluation(Console(), figures)
