"""What the CLI, API and init step call: train, label, evaluate, predict."""

from __future__ import annotations

from uprwatch.classify import evaluation, labelling, training
from uprwatch.classify.classifier import ModelFileError
from uprwatch.errors import Conflict, Invalid


class ClassifyError(Conflict):
    """A user-facing problem (bad range, no model, no data). No model yet is the installation's state,
    not a server fault: 409 Conflict, with the command to run."""


class InvalidText(Invalid, ClassifyError):
    """A text that cannot be classified (empty): the request is wrong, 400."""


def current_model():
    try:
        model = training.load_model()
    except ModelFileError as exc:
        raise ClassifyError(f"{exc}; run `uprwatch classify train --force`") from None
    if model is None:
        raise ClassifyError("no trained model yet: run `uprwatch classify train` (or `uprwatch init`)")
    return model


def train_model(force: bool = False) -> dict:
    try:
        model, trained = training.train(force=force)
    except ValueError as exc:
        raise ClassifyError(str(exc)) from None
    return {"model_version": model.version, "trained": trained, "trained_on": model.meta.get("trained_on", 0),
            "issues": len(model.issues), "path": str(training.model_dir())}


def run_labelling(force: bool = False, ids: list[int] | None = None) -> dict:
    model = current_model()
    report = labelling.label_recommendations(model, ids=ids, force=force)
    return {"model_version": model.version, **report.__dict__}


def evaluate_split(train_sessions: str, test_sessions: str) -> dict:
    try:
        return evaluation.evaluate(training.parse_sessions(train_sessions), training.parse_sessions(test_sessions))
    except training.SessionRangeError as exc:
        raise ClassifyError(str(exc)) from None


def predict_text(text: str) -> dict:
    """One text → action category (evidence, confidence) and issues (with every probability)."""
    text = text.strip()
    if not text:
        raise InvalidText("text is empty")
    model = current_model()
    prediction = model.predict([text])[0]
    from uprwatch.classify.crosswalk import themes_for_issues

    return {
        "model_version": model.version,
        "action": {"category": prediction.action_category, "confidence": prediction.action_confidence,
                   "evidence": prediction.action_evidence},
        "issues": [{"name": n, "probability": p} for n, p in prediction.issues.items()],
        "issue_probabilities": prediction.issue_probabilities,
        "themes": themes_for_issues(list(prediction.issues)),
    }
