"""Pages: the review queue for editors and the "About the data" page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from uprwatch.classify import crosswalk, review
from uprwatch.classify.evaluation import latest_evaluation
from uprwatch.classify.training import load_model
from uprwatch.records.models import ACTION_CATEGORIES, Origin, Recommendation, Term
from uprwatch.ui.security import next_url


def _require_editor(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied("log in as an editor to review labels")
    if not review.can_review(request.user):
        raise PermissionDenied("only editors may review labels")


def review_queue(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    queue = review.review_queue().select_related("review__state", "review__session").prefetch_related(
        "recommending_states", "labels__term")
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    return render(request, "classify/review_queue.html", {"page": page, "recs": page.object_list})


@require_http_methods(["GET", "POST"])
def review_item(request: HttpRequest, rec_id: int) -> HttpResponse:
    _require_editor(request)
    rec = get_object_or_404(Recommendation.objects.with_related(), pk=rec_id)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "accept":
                review.decide(rec.pk, request.user)
            else:
                category = request.POST.get("action_category") or None
                if category is not None and not category.isdecimal():
                    # not a silent "keep the machine's category": the person chose something else
                    raise review.DecisionError(f"action category must be 1–5, not {category!r}")
                review.decide(rec.pk, request.user, issues=request.POST.getlist("issues"),
                              action_category=int(category) if category else None)
        except review.DecisionError as exc:
            messages.error(request, str(exc))
            return render(request, "classify/review_item.html", _item_context(rec), status=400)
        messages.success(request, f"Recommendation #{rec.pk}: labels saved as human labels.")
        return redirect(next_url(request, reverse("classify:review")))
    return render(request, "classify/review_item.html", _item_context(rec))


def _item_context(rec: Recommendation) -> dict:
    current = {label.term.code: label for label in rec.labels.all() if label.term.taxonomy == Term.Taxonomy.ISSUE}
    try:
        model = load_model()
    except Exception:  # an unreadable model only hides the probabilities
        model = None
    probs = model.predict([rec.text])[0].issue_probabilities if model else {}
    issues = [
        {"code": t.code, "name": t.name, "label": current.get(t.code), "probability": probs.get(t.code)}
        for t in Term.objects.filter(taxonomy=Term.Taxonomy.ISSUE).order_by("name")
    ]
    return {"rec": rec, "issues": issues, "categories": ACTION_CATEGORIES.items(),
            "machine_action": rec.action_origin == Origin.MACHINE}


def about(request: HttpRequest) -> HttpResponse:
    figures = latest_evaluation()
    per_label = []
    if figures:
        base = figures["baseline"]["issues"]["per_label"]
        per_label = [{"name": name, **row, "baseline_f1": base.get(name, {}).get("f1")}
                     for name, row in figures["issues"]["per_label"].items()]
    return render(request, "classify/about.html", {
        "figures": figures, "per_label": per_label, "crosswalk": crosswalk.links(),
        "categories": ACTION_CATEGORIES.items(),
    })
