"""Documents pages: the list of ingested documents, one document, and the editors' upload form."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from uprwatch.documents.extraction import DocumentError
from uprwatch.documents.uploads import can_upload, check_size, ingest_uploads
from uprwatch.errors import nothing_written
from uprwatch.records.models import Document, Recommendation


def document_list(request):
    documents = (
        Document.objects.exclude(kind=Document.Kind.DATASET)
        .select_related("review__state", "review__session", "batch")
        .annotate(recommendations=Count("provenance__recommendation", distinct=True))
        .order_by("-review__session_id", "review__state__name", "kind", "symbol")
    )
    query = " ".join(request.GET.get("q", "").split())[:200]
    if query:
        # the symbol, the title, or the text of a document kept whole (national reports, compilations, summaries)
        documents = documents.filter(Q(symbol__icontains=query) | Q(title__icontains=query) | Q(text__icontains=query))
    page = Paginator(documents, 100).get_page(request.GET.get("page"))
    return render(request, "documents/list.html", {"page": page, "can_upload": can_upload(request.user),
                                                   "query": query})


def document_detail(request, pk: int):
    document = get_object_or_404(Document.objects.select_related("review__state", "batch"), pk=pk)
    recommendations = (
        Recommendation.objects.filter(provenance__document=document).distinct().with_related()
        .order_by("id")
    )
    page = Paginator(recommendations, 50).get_page(request.GET.get("page"))
    return render(request, "documents/detail.html", {"document": document, "page": page})


@require_http_methods(["GET", "POST"])
def upload(request):
    if not request.user.is_authenticated:
        return render(request, "documents/upload.html", {"error": "Sign in as an editor to upload documents."},
                      status=401)
    if not can_upload(request.user):
        return render(request, "documents/upload.html",
                      {"error": "Only editors (staff or users allowed to add documents) may upload documents."},
                      status=403)
    context = {"limit": settings.UPRWATCH_MAX_UPLOAD_BYTES}
    if request.method == "GET":
        return render(request, "documents/upload.html", context)
    try:
        # Refuse an oversize body from its declared length, before Django spools it to disk.
        check_size(int(request.META.get("CONTENT_LENGTH") or 0) - 64 * 1024)
        files = request.FILES.getlist("files")
        with nothing_written(DocumentError):
            report = ingest_uploads(files, user=request.user)
    except DocumentError as exc:  # the form again, with the message
        return render(request, "documents/upload.html", {**context, "error": str(exc)}, status=exc.status)
    return render(request, "documents/report.html", {"report": report})
