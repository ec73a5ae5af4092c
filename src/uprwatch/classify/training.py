"""Training data from the database, and where the trained model lives (``$UPRWATCH_HOME/classify/``).

Training data = every recommendation carrying human labels: UPR Info's coded issues and action
categories (sessions 1–20) and whatever editors have confirmed in the review queue since.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from uprwatch.classify.classifier import Classifier, ModelFileError
from uprwatch.errors import Invalid
from uprwatch.records.models import Label, Origin, Recommendation, Term


class SessionRangeError(Invalid):
    pass


# Far beyond any Working Group session (the 68th is in 2031), and small enough that a range is a short
# list and every number fits a database integer: "1-<40 digits>" must be an error, not an endless loop.
LAST_SESSION = 999


def parse_sessions(spec: str) -> list[int]:
    """``"1-16"``, ``"17,18,20"`` or ``"1-5,8"`` → sorted session numbers."""
    sessions: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise SessionRangeError(f"not a session range: {spec!r} (use e.g. 1-16 or 17,18,20)")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last or first < 1:
            raise SessionRangeError(f"not a session range: {part!r}")
        if last > LAST_SESSION:
            raise SessionRangeError(f"no session {last}: sessions are numbered 1 to {LAST_SESSION}")
        sessions.update(range(first, last + 1))
    return sorted(sessions)


@dataclass
class Examples:
    ids: list[int]
    texts: list[str]
    issues: list[list[str]]
    actions: list[int | None]

    def digest(self) -> str:
        """Hash of the training content: a model trained on the same content need not be retrained."""
        h = hashlib.sha256()
        for text, issues, action in sorted(zip(self.texts, self.issues, self.actions, strict=True),
                                           key=lambda e: (e[0], e[1], e[2] or 0)):
            h.update(f"{text}\x1f{'|'.join(sorted(issues))}\x1f{action}\x1e".encode())
        return h.hexdigest()


def human_examples(sessions: list[int] | None = None) -> Examples:
    """Recommendations with human issue labels or a human action category (duplicate rows left out)."""
    recs = Recommendation.objects.filter(duplicate_of__isnull=True)
    if sessions is not None:
        recs = recs.filter(review__session_id__in=sessions)
    labels = Label.objects.filter(origin=Origin.HUMAN, term__taxonomy=Term.Taxonomy.ISSUE,
                                  recommendation__in=recs)
    issues: dict[int, list[str]] = defaultdict(list)
    for rec_id, name in labels.values_list("recommendation_id", "term__code").order_by("recommendation_id", "term__code"):
        issues[rec_id].append(name)
    rows = recs.order_by("id").values_list("id", "text", "action_category", "action_origin")
    out = Examples([], [], [], [])
    for rec_id, text, action, action_origin in rows:
        action = action if action_origin == Origin.HUMAN else None
        if rec_id in issues or action:
            out.ids.append(rec_id)
            out.texts.append(text)
            out.issues.append(issues.get(rec_id, []))
            out.actions.append(action)
    return out


def classify_home() -> Path:
    return Path(settings.HOME) / "classify"


# A model trained on the bundled UPR Info dataset ships with uprwatch, so `uprwatch init` need not
# spend a minute training: it is used only when the database's human labels hash to exactly the data
# it was trained on (``data_digest``); otherwise init trains.
SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "data" / "classify" / "model"


def model_dir() -> Path:
    return classify_home() / "model"


def load_model() -> Classifier | None:
    """The current model, or None if none has been trained (a corrupt file is an error, not None)."""
    if not (model_dir() / "model.json").exists():
        return None
    return Classifier.load(model_dir())


def train(force: bool = False) -> tuple[Classifier, bool]:
    """Train on every human label and save; skipped when the saved model saw the same data.

    Returns ``(model, trained)``.
    """
    examples = human_examples()
    digest = examples.digest()
    if not force:
        try:
            current = load_model()
        except ModelFileError:
            current = None
        if current is not None and current.meta.get("data_digest") == digest:
            return current, False
        shipped = _shipped_model()
        if shipped is not None and shipped.meta.get("data_digest") == digest:
            _install(shipped)
            return shipped, True
    if not examples.texts:
        raise ValueError("no human-labelled recommendations to train on (run `uprwatch init` first)")
    model = Classifier.train(examples.texts, examples.issues, examples.actions)
    model.meta["data_digest"] = digest
    _install(model)
    return model, True


def ensure_model() -> tuple[Classifier, str]:
    """A model for ``uprwatch init``, without the minute of training whenever possible.

    Returns ``(model, how)``, ``how`` being ``"current"`` (the saved model; ``"current, stale"`` when
    the human labels changed since, e.g. review decisions or document merges: `uprwatch classify train`
    retrains), ``"shipped"`` (the model trained on the bundled UPR Info labels, installed when there was
    none or the saved one saw the same labels with older code) or ``"trained"``.
    """
    try:
        current = load_model()
    except ModelFileError:
        current = None
    if current is not None:
        digest = human_examples().digest()
        if current.meta.get("data_digest") != digest:
            return current, "current, stale"
        # Same labels, older code (an upgrade shipped a better model): take the shipped one.
        shipped = _shipped_model()
        if shipped is not None and shipped.version != current.version and shipped.meta.get("data_digest") == digest:
            _install(shipped)
            return shipped, "shipped"
        return current, "current"
    shipped = _shipped_model()
    if shipped is not None:
        _install(shipped)
        return shipped, "shipped"
    model, _ = train(force=True)
    return model, "trained"


def _shipped_model() -> Classifier | None:
    try:
        return Classifier.load(SHIPPED_MODEL) if (SHIPPED_MODEL / "model.json").exists() else None
    except ModelFileError:
        return None


def _install(model: Classifier) -> None:
    tmp = classify_home() / "model.tmp"
    if tmp.exists():
        _remove(tmp)
    model.save(tmp)
    # Swap in whole: a reader never sees half a model.
    target = model_dir()
    if target.exists():
        old = classify_home() / "model.old"
        if old.exists():
            _remove(old)
        target.rename(old)
        tmp.rename(target)
        _remove(old)
    else:
        tmp.rename(target)


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
