"""Regenerate the bundled parsed documents in src/uprwatch/data/documents/ from ../shared.

Parses every file of Slovenia's cycle 1-4 sets and China's thematic lists, keeps the ones that are a
supported kind (Working Group report, responses addendum, thematic list: decided by content, not by
file name) and writes each as JSON with the sha256 of the original file, so ``uprwatch init`` ingests
them through the same code path as ``uprwatch ingest`` without parsing PDFs at every init, and a
later ``uprwatch ingest`` of the original file is recognised as already ingested.

    .venv/bin/python tools/build_documents_data.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "un-documents"
OUT = ROOT / "src" / "uprwatch" / "data" / "documents"
SOURCES = [SHARED / "slovenia", SHARED / "china"]


def main() -> None:
    import django

    from uprwatch.documents.extraction import DocumentError
    from uprwatch.documents.parsing import parse_document

    django.setup()
    from uprwatch.records.loading import file_sha256

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    written = 0
    for folder in SOURCES:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".pdf", ".docx", ".doc")):
            try:
                parsed = parse_document(path)
            except DocumentError as exc:
                print(f"skip {path.relative_to(SHARED)}: {exc}", file=sys.stderr)
                continue
            name = "".join(c if c.isalnum() else "-" for c in parsed.symbol).strip("-")
            record = {"sha256": file_sha256(path), "filename": path.name, "source": str(path.relative_to(SHARED)),
                      **parsed.to_json()}
            (OUT / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"{path.relative_to(SHARED)} -> {name}.json ({len(parsed.recommendations)} recommendations)")
            written += 1
    print(f"{written} documents written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
