"""Ingest files an editor uploads through the web or the API.

Uploaded files are written to a private temporary folder (the parser reads paths), checked by size
and magic bytes, then handed to the same ingest service as ``uprwatch ingest``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings

from uprwatch.documents.extraction import DocumentError, sniff_format
from uprwatch.documents.ingestion import IngestReport, ingest_paths
from uprwatch.documents.parsing import ParsedDocument, parse_document
from uprwatch.errors import TooLarge


class UploadTooLarge(TooLarge, DocumentError):
    """Larger than ``settings.UPRWATCH_MAX_UPLOAD_BYTES``."""


def can_upload(user) -> bool:
    """Editors: staff, or anyone granted ``records.add_document``."""
    return bool(user.is_authenticated and (user.is_staff or user.has_perm("records.add_document")))


def check_size(size: int) -> None:
    limit = settings.UPRWATCH_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadTooLarge(f"the file is {size:,} bytes; the limit is {limit:,} bytes (UPRWATCH_MAX_UPLOAD_BYTES)")


def _save(folder: Path, upload) -> Path:
    check_size(upload.size)
    name = Path(upload.name or "document").name[:120] or "document"
    head = upload.read(1024)
    upload.seek(0)
    sniff_format(head)  # a clear refusal before anything else reads it
    target = folder / name
    counter = 1
    while target.exists():
        target = folder / f"{counter}-{name}"
        counter += 1
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def ingest_uploads(uploads: list, user=None) -> IngestReport:
    if not uploads:
        raise DocumentError("no file uploaded")
    with tempfile.TemporaryDirectory(prefix="uprwatch-upload-") as folder:
        paths = [_save(Path(folder), upload) for upload in uploads]
        return ingest_paths(paths, user=user)


def parse_upload(upload) -> ParsedDocument:
    with tempfile.TemporaryDirectory(prefix="uprwatch-upload-") as folder:
        return parse_document(_save(Path(folder), upload))
