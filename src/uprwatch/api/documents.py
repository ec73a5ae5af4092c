"""API endpoints for documents: list and show ingested documents, parse an uploaded file."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from uprwatch.api.auth import member
from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.uploads import can_upload, ingest_uploads, parse_upload
from uprwatch.errors import nothing_written
from uprwatch.records.models import Document

router = Router(tags=["documents"])


def document_out(document: Document) -> dict:
    return {
        "id": document.pk,
        "symbol": document.symbol,
        "kind": document.kind,
        "title": document.title,
        "state_under_review": document.review.state.iso3 if document.review else None,
        "session": document.review.session_id if document.review else None,
        "filename": document.filename,
        "sha256": document.sha256,
        "ingested_at": document.batch.started_at.isoformat() if document.batch else None,
        "metadata": document.metadata,
    }


@router.get("/documents")
def list_documents(request, kind: str | None = None, state: str | None = None, q: str | None = None):
    """Ingested documents (newest session first); filter by ``kind``, State under Review ISO3, or ``q``: a
    word or phrase in the symbol, the title or the text of a document kept whole (national reports, UN
    compilations, stakeholder summaries fetched with ``uprwatch fetch``)."""
    documents = Document.objects.exclude(kind=Document.Kind.DATASET).select_related("review__state", "batch")
    if kind:
        documents = documents.filter(kind=kind)
    if q and q.strip():
        words = " ".join(q.split())
        documents = documents.filter(Q(symbol__icontains=words) | Q(title__icontains=words) | Q(text__icontains=words))
    if state:
        documents = documents.filter(review__state__iso3=state.upper())
    return {"documents": [document_out(d) for d in documents.order_by("-review__session_id", "symbol")]}


@router.get("/documents/{int:document_id}")
def get_document(request, document_id: int):
    document = get_object_or_404(Document.objects.select_related("review__state", "batch"), pk=document_id)
    return document_out(document)


@router.post("/documents/parse", auth=member)
def parse_document_upload(request, file: File[UploadedFile]):
    """Parse an uploaded document without loading it: the same JSON as ``uprwatch parse``.

    Signed-in users only (an API token, or the session): parsing a large PDF costs seconds of CPU. The
    authentication is checked before the body is read, and a body over the upload limit is refused from
    its Content-Length alone (``uprwatch.web.bodylimit``)."""
    return parse_upload(file).to_json()


@router.post("/documents/ingest", auth=member)
def ingest_document_uploads(request, files: File[list[UploadedFile]]):
    """Editors only: ingest uploaded documents in one transaction (same report as ``uprwatch ingest --json``)."""
    if not can_upload(request.user):
        raise HttpError(403, "only editors may ingest documents")
    with nothing_written(DocumentError):
        return ingest_uploads(files, user=request.user).to_json()
