"""UN documents by symbol: download from the UN documents service, check, keep by sha256, ingest.

``{UPRWATCH_UN_DOCUMENTS_URL}/api/symbol/access?s={symbol}&l={language}&t=pdf`` serves a document by
its symbol. An unknown symbol is *not* a 404: the service answers 200 with an HTML page, so every body
is checked by its first bytes (PDF, or Word) and, for a PDF, for the end-of-file marker a truncated
download lacks. What passes is kept as ``UPRWATCH_HOME/documents/ab/abcd….pdf`` (named by its sha256,
so fetching the same document twice keeps one copy) and handed to the document ingestion.

Documents that carry recommendations (Working Group reports, their drafts ``A/HRC/WG.6/NN/L.n`` and
addenda) go through the parser. The review's other documents — national report, UN compilation and
stakeholder summary (``A/HRC/WG.6/NN/ISO/1``, ``/2``, ``/3``) — are kept as documents of their review,
with their text, so they can be found by a word they contain.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from uprwatch.documents.extraction import OLE_MAGIC, PDF_MAGIC, ZIP_MAGIC, DocumentError
from uprwatch.errors import Invalid, NotFound
from uprwatch.sources.uwazi import Answer, Fetch, SourceAnswerError

LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
SYMBOL = re.compile(r"^A/HRC/(?:WG\.6/\d{1,3}/(?:[A-Z]{3}/[1-3]|L\.\d{1,3})|DEC/\d{1,3}/\d{1,4}|\d{1,3}/\d{1,4}"
                    r"(?:/Add\.\d{1,2})?)(?:/Corr\.\d)?(?:/Rev\.\d)?$")
REVIEW_DOCUMENT = re.compile(r"^A/HRC/WG\.6/(\d{1,3})/([A-Z]{3})/([1-3])")
DRAFT = re.compile(r"^A/HRC/WG\.6/(\d{1,3})/L\.(\d{1,3})")
REVIEW_DOCUMENT_KINDS = {"1": "national_report", "2": "un_compilation", "3": "stakeholder_summary"}
_SUFFIXES = {"ADD": "Add", "CORR": "Corr", "REV": "Rev"}


class UnknownSymbol(NotFound):
    """The documents service has no document under this symbol (it answered an HTML page)."""


class CorruptDownload(Invalid):
    """What came back is not a whole PDF or Word file."""


@dataclass
class Fetched:
    symbol: str
    language: str
    path: Path
    sha256: str
    format: str  # pdf | docx | doc
    size: int
    url: str
    kind: str = ""  # national_report, un_compilation, stakeholder_summary, or the parser's kind
    status: str = "downloaded"
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"symbol": self.symbol, "language": self.language, "path": str(self.path), "sha256": self.sha256,
                "format": self.format, "bytes": self.size, "url": self.url, "kind": self.kind, "status": self.status,
                **self.extra}


def normalise_symbol(raw: str) -> str:
    """``a/hrc/56/6/add.1`` -> ``A/HRC/56/6/Add.1``; anything that is not a UPR symbol is refused."""
    parts = [p for p in re.sub(r"\s+", "", raw or "").upper().split("/")]
    for index, part in enumerate(parts):
        head, dot, tail = part.partition(".")
        if dot and head in _SUFFIXES:
            parts[index] = f"{_SUFFIXES[head]}.{tail}"
    symbol = "/".join(parts)
    if not SYMBOL.match(symbol):
        raise Invalid(
            f"{raw!r} is not a UPR document symbol (e.g. A/HRC/56/6, A/HRC/56/6/Add.1, A/HRC/WG.6/45/L.11, "
            "A/HRC/WG.6/45/CHN/3)"
        )
    return symbol


def document_url(base_url: str, symbol: str, language: str = "en", fmt: str = "pdf") -> str:
    return f"{base_url.rstrip('/')}/api/symbol/access?" + urlencode({"s": symbol, "l": language, "t": fmt})


def check_language(language: str) -> str:
    language = (language or "").strip().lower()
    if language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    return language


def document_format(symbol: str, body: bytes) -> str:
    """``pdf``, ``docx`` or ``doc``, decided by the bytes; raises a one-line error for anything else."""
    head = body[:1024]
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in stripped[:300]:
        raise UnknownSymbol(f"{symbol}: the UN documents service has no such document (it answered an HTML page)")
    if not body:
        raise CorruptDownload(f"{symbol}: the download is empty")
    if head.startswith(PDF_MAGIC) or PDF_MAGIC in head:
        if b"%%EOF" not in body[-2048:]:
            raise CorruptDownload(f"{symbol}: the PDF is cut short (no end-of-file marker): download it again")
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = set(archive.namelist())
                if archive.testzip() is not None:
                    raise zipfile.BadZipFile("a damaged member")
        except zipfile.BadZipFile as exc:
            raise CorruptDownload(f"{symbol}: the Word file is damaged ({exc})") from None
        if "word/document.xml" not in names:
            raise CorruptDownload(f"{symbol}: a zip file that is not a Word document came back")
        return "docx"
    if head.startswith(OLE_MAGIC):
        return "doc"
    raise CorruptDownload(f"{symbol}: what came back is neither a PDF nor a Word file")


def store(home: Path, body: bytes, fmt: str) -> tuple[Path, str]:
    """Keep ``body`` under ``home/documents`` by its sha256 (written whole, then renamed into place)."""
    digest = hashlib.sha256(body).hexdigest()
    folder = home / "documents" / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.{fmt}"
    if not path.exists():
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(body)
        partial.replace(path)
    return path, digest


def download(symbol: str, *, base_url: str, fetch: Fetch, home: Path, language: str = "en") -> Fetched:
    """Download one document and keep it; nothing is written to the database."""
    url = document_url(base_url, symbol, language)
    answer: Answer = fetch(url, {"Accept": "application/pdf, application/msword, */*"})
    if answer.status == 404:
        raise UnknownSymbol(f"{symbol}: the UN documents service has no such document (HTTP 404)")
    if answer.status != 200:
        raise SourceAnswerError(f"{symbol}: the UN documents service answered HTTP {answer.status}")
    fmt = document_format(symbol, answer.body)
    path, digest = store(home, answer.body, fmt)
    return Fetched(symbol=symbol, language=language, path=path, sha256=digest, format=fmt, size=len(answer.body),
                   url=url, kind=review_document_kind(symbol) or "")


def review_document_kind(symbol: str) -> str | None:
    match = REVIEW_DOCUMENT.match(symbol)
    return REVIEW_DOCUMENT_KINDS[match.group(3)] if match else None


def document_text(path: Path, fmt: str) -> str:
    """The text of a stored document (for finding it by a word), or a ``DocumentError``."""
    from uprwatch.documents.extraction import open_docx, pdf_pages

    if fmt == "pdf":
        return "\n".join(pdf_pages(path))
    if fmt == "docx":
        return "\n".join(p.text for p in open_docx(path).paragraphs)
    raise DocumentError("old Word (.doc) files cannot be read: fetch the PDF (t=pdf)")


# --- fetch: download, then ingest in one transaction ---------------------------------------------------


@dataclass
class FetchReport:
    documents: list[Fetched] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    merged: int = 0
    ingested: bool = True

    def to_json(self) -> dict:
        return {"added": self.added, "updated": self.updated, "merged": self.merged, "ingested": self.ingested,
                "documents": [d.to_json() for d in self.documents]}


def _cache_name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:20] + ".bin"


def download_all(symbols: list[str], *, language: str = "en", base_url: str | None = None,
                 backoff: float | None = None, sleep=None) -> list[Fetched]:
    """Download every symbol (conditionally: a document fetched before costs one 304) and keep it by sha256."""
    from django.conf import settings

    from uprwatch.sources.fetching import fetcher
    from uprwatch.sources.status import source_home

    symbols = list(dict.fromkeys(normalise_symbol(s) for s in symbols))
    if not symbols:
        raise Invalid("no document symbol given")
    language = check_language(language)
    base_url = base_url or settings.UPRWATCH_UN_DOCUMENTS_URL
    backoff = settings.UPRWATCH_SOURCES_BACKOFF_SECONDS if backoff is None else backoff
    fetch = fetcher(source_home("un-documents") / "http", conditional=True, name=_cache_name, backoff=backoff,
                    **({"sleep": sleep} if sleep else {}))
    fetched = []
    for symbol in symbols:
        item = download(symbol, base_url=base_url, fetch=_unchanged_is_ok(fetch), home=Path(settings.HOME),
                        language=language)
        fetched.append(item)
    return fetched


def _unchanged_is_ok(fetch: Fetch) -> Fetch:
    """A 304 means the copy fetched before is still current: use it (the download client kept it)."""

    def wrapped(url: str, headers: dict[str, str]) -> Answer:
        answer = fetch(url, headers)
        if answer.status == 304 and answer.body:
            return Answer(200, {**answer.headers, "not_modified": "1"}, answer.body, url)
        return answer

    return wrapped


def _parse(item: Fetched):
    """The parser's reading of a document with recommendations; a draft is read as the report it drafts."""
    from uprwatch.documents import parsing
    from uprwatch.documents.extraction import pdf_pages

    draft = bool(DRAFT.match(item.symbol))
    try:
        parsed = parsing.parse_document(item.path)
    except DocumentError:
        if not (draft and item.format == "pdf"):
            raise
        # A draft carries its WG symbol (A/HRC/WG.6/NN/L.n), which a parser for final reports does not look
        # for; its body is laid out as the final report.
        pages = pdf_pages(item.path)
        parsed = parsing.parse_working_group_report(pages, item.symbol, pages[0])
    if draft:
        if parsed.kind != "working_group_report":
            raise DocumentError(f"{item.symbol}: a draft report was expected, the document reads as {parsed.kind}")
        parsed.symbol = item.symbol
        parsed.title = parsed.title if parsed.title.lower().startswith("draft") else f"Draft {parsed.title.lower()}"
        for rec in parsed.recommendations:
            rec.response = rec.response or "pending"  # a draft precedes every position
    elif parsed.symbol and parsed.symbol != item.symbol:
        item.extra["document_symbol"] = parsed.symbol
    item.kind = parsed.kind
    return parsed


def _review_document(item: Fetched, text: str, batch):
    """Keep a national report / compilation / stakeholder summary as a document of its review."""
    from uprwatch.records.models import Document, Review, Session, State

    match = REVIEW_DOCUMENT.match(item.symbol)
    session_number, iso3 = int(match.group(1)), match.group(2)
    state = State.objects.filter(iso3=iso3).first()
    if state is None:
        raise Invalid(f"{item.symbol}: {iso3} is not a state uprwatch knows")
    session = Session.objects.filter(number=session_number).first()
    if session is None:
        raise Invalid(f"{item.symbol}: Working Group session {session_number} is outside the known cycles")
    review, _ = Review.objects.get_or_create(state=state, session=session)
    title = next((line.strip() for line in text.splitlines() if len(line.strip()) > 20
                  and not line.strip().startswith(("GE.", "Human Rights Council", "Working Group", "Geneva"))), "")
    return Document.objects.create(
        symbol=item.symbol, kind=item.kind, title=title[:300], review=review, sha256=item.sha256,
        filename=item.path.name, text=text, batch=batch,
        metadata={"language": item.language, "url": item.url, "format": item.format, "bytes": item.size},
    )


def fetch_documents(symbols: list[str], **options) -> FetchReport:
    """Download documents by symbol and (unless ``ingest`` is false) ingest them in one transaction.

    Every document is downloaded, checked and read before anything is written: an unknown symbol, a
    corrupt download or an unreadable document ends with a one-line error and the database unchanged.
    The outcome (or the error) is kept for the Data sources page.
    """
    from uprwatch.errors import UserError, nothing_written
    from uprwatch.sources.status import write_status

    try:
        with nothing_written():
            report = _fetch_documents(symbols, **options)
    except UserError as exc:
        write_status("un-documents", state="failed", error=str(exc).splitlines()[0] if str(exc) else "failed")
        raise
    write_status("un-documents", state="fetched", symbols=[d.symbol for d in report.documents],
                 report={k: v for k, v in report.to_json().items() if k != "documents"})
    return report


def _fetch_documents(symbols: list[str], *, language: str = "en", ingest: bool = True, base_url: str | None = None,
                     backoff: float | None = None, user=None, sleep=None) -> FetchReport:
    from django.db import transaction

    from uprwatch.documents.ingestion import Source, ingest_sources
    from uprwatch.records.models import Document, ImportBatch

    report = FetchReport(documents=download_all(symbols, language=language, base_url=base_url, backoff=backoff,
                                                sleep=sleep), ingested=ingest)
    if not ingest:
        return report
    parsed_sources, others = [], []
    for item in report.documents:
        try:
            if item.kind in REVIEW_DOCUMENT_KINDS.values():
                others.append((item, document_text(item.path, item.format)))
            else:
                parsed_sources.append(Source(_parse(item), item.sha256, item.symbol.replace("/", "-") + "." + item.format))
        except DocumentError as exc:
            raise Invalid(f"{item.symbol}: {exc}") from None
    with transaction.atomic():
        try:
            ingested = ingest_sources(parsed_sources, user=user, kind="document_fetch") if parsed_sources else None
        except DocumentError as exc:
            raise Invalid(str(exc)) from None
        if ingested is not None:
            report.added, report.updated, report.merged = ingested.added, ingested.updated, ingested.merged
            outcomes = {d.filename: d for d in ingested.documents}
            for item in report.documents:
                outcome = outcomes.get(item.symbol.replace("/", "-") + "." + item.format)
                if outcome is not None:
                    item.status = outcome.status
                    item.extra.update(added=outcome.added, updated=outcome.updated, merged=outcome.merged,
                                      review=outcome.review)
        batch = None
        for item, text in others:
            existing = Document.objects.filter(sha256=item.sha256).select_related("review").first()
            if existing is not None:
                item.status, item.extra["review"] = "unchanged", str(existing.review or "")
                continue
            if batch is None:
                batch = ImportBatch.objects.create(kind="document_fetch", source=", ".join(
                    i.symbol for i, _ in others)[:300], user=user)
            document = _review_document(item, text, batch)
            item.status, item.extra["review"] = "ingested", str(document.review)
    return report
