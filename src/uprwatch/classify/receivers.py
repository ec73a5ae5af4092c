"""Keep machine labels current: newly ingested recommendations are labelled as soon as they commit."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def label_ingested(sender, ids: list[int], reason: str, **kwargs) -> None:
    if reason != "ingest":  # our own "classify" announcements and review decisions need nothing
        return
    # Imported here: scikit-learn (and scipy) take ~3 s to import, which every command, test and server
    # start paid when this module imported them at app loading.
    from uprwatch.classify import labelling, training
    from uprwatch.classify.classifier import ModelFileError

    try:
        model = training.load_model()
    except ModelFileError as exc:
        log.warning("classify: new recommendations left unlabelled: %s", exc)
        return
    if model is None:
        return  # no model yet: `uprwatch classify run` after training labels them
    labelling.label_recommendations(model, ids=list(ids))
