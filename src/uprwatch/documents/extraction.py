"""Read the text out of PDF and DOCX files, refusing anything that is not one.

Every failure is a ``DocumentError`` with a message a person can act on; callers (CLI, web) show it
and leave the database unchanged. The PDF text comes from PDFium (``pypdfium2``, the renderer
pdfplumber ships with): it is about ten times faster than pypdf and reads damaged cross-reference
tables that pypdf gives up on.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from uprwatch.errors import Invalid

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc (and other OLE files)

# A thematic list is a few hundred kilobytes unzipped; anything far larger is a zip bomb.
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MIN_TEXT_CHARS = 200  # below this, a PDF is a scan (images only) or empty

logger = logging.getLogger(__name__)


class DocumentError(Invalid):
    """A file that cannot be parsed as a supported UN document."""


def sniff_format(head: bytes) -> str:
    """``'pdf'``, ``'docx'``, ``'doc'`` (Word 97-2003) or raise: decided by the file's first bytes, never its name."""
    if head.startswith(PDF_MAGIC) or PDF_MAGIC in head[:1024]:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "docx"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if not head:
        raise DocumentError("the file is empty")
    raise DocumentError("not a supported document: expected a PDF or a Word file (.docx, or .doc from Word 97-2003)")


def file_format(path: Path | str) -> str:
    with open(path, "rb") as handle:
        return sniff_format(handle.read(1024))


def pdf_pages(path: Path | str) -> list[str]:
    """The text of each page. Raises ``DocumentError`` on encrypted, corrupt or image-only PDFs."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise DocumentError("the PDF is encrypted (password protected); upload an unprotected copy") from exc
        # The library's own text (and the server's temporary path in it) is for the log, not the person.
        logger.info("unreadable PDF %s: %s", path, exc)
        raise DocumentError("the PDF is damaged and cannot be read") from exc
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    if not pages:
        raise DocumentError("the PDF has no pages")
    if sum(len(p.strip()) for p in pages) < MIN_TEXT_CHARS:
        raise DocumentError(
            "the PDF has no text layer: it is a scan (page images) or empty, so there is no text to read. "
            "Download the UN's own text PDF by its symbol (https://documents.un.org/api/symbol/access?s=<symbol>"
            "&l=en&t=pdf), or run OCR on the scan first (for example with ocrmypdf) and ingest the result"
        )
    return [p.replace("\r\n", "\n").replace("\r", "\n") for p in pages]


def check_docx_archive(path: Path | str) -> None:
    """Refuse corrupt archives and zip bombs before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        logger.info("unreadable Word archive %s: %s", path, exc)
        raise DocumentError("the Word file is damaged and cannot be read (not a valid .docx archive)") from exc
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > MAX_DOCX_UNCOMPRESSED or total / packed > MAX_COMPRESSION_RATIO:
        raise DocumentError(
            f"the Word file expands to {total:,} bytes (ratio {total / packed:.0f}:1): refused as a possible zip bomb"
        )
    if "word/document.xml" not in {info.filename for info in infos}:
        raise DocumentError("not a Word .docx file (no word/document.xml inside the archive)")


def open_docx(path: Path | str):
    check_docx_archive(path)
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises assorted lxml / KeyError / ValueError types
        logger.info("unreadable Word file %s: %s: %s", path, exc.__class__.__name__, exc)
        raise DocumentError("the Word file cannot be read (its contents are not a valid Word document)") from exc
