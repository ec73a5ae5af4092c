"""The parsed UN documents shipped with uprwatch (``uprwatch/data/documents/*.json``).

Built by ``tools/build_documents_data.py`` from ../shared; ``uprwatch init`` ingests them through
``ingest_sources`` (the code path of ``uprwatch ingest``), keyed by the original file's sha256.
"""

from __future__ import annotations

import json
from pathlib import Path

from uprwatch.documents.ingestion import IngestReport, Source, ingest_sources
from uprwatch.documents.parsing import ParsedDocument

BUNDLE_DIR = Path(__file__).resolve().parent.parent / "data" / "documents"


def bundled_sources(folder: Path = BUNDLE_DIR) -> list[Source]:
    sources = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        sources.append(Source(ParsedDocument.from_json(data), data["sha256"], data["filename"]))
    return sources


def ingest_bundled(folder: Path = BUNDLE_DIR) -> IngestReport:
    return ingest_sources(bundled_sources(folder), kind="bundled_documents")
