"""The advocacy brief: what a diplomat needs to read before a review, on one subject.

``build_brief(selection)`` returns plain data; each section is its own function (its ``available``
key stays in the JSON for the API's clients: every section is always there). ``render_brief_html`` / ``render_brief_pdf`` turn the data into a document.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from uprwatch.errors import Invalid, Unavailable
from uprwatch.records.models import ACTION_CATEGORIES, Label, Recommendation
from uprwatch.records.stats import support_rate
from uprwatch.reports.selection import Selection, visible_evidence

RESPONSES = ("supported", "partially supported", "noted", "pending", "unknown")
TOP_RECOMMENDERS = 10
DEADLINE_DAYS = 730  # two years: the next review and the mid-term report window
STYLESHEET = Path(__file__).parent / "static" / "reports" / "brief.css"
PRINT_STYLESHEET = Path(__file__).parent / "static" / "reports" / "brief_print.css"


def recommendations_section(selection: Selection) -> list[dict]:
    """Every selected recommendation, oldest session first, with states, response and lineage.

    Plain ``values_list`` queries (four in all) rather than model instances: a state with a thousand
    recommendations must not cost a thousand objects with prefetched labels.
    """
    ids = selection.ids
    states: dict[int, list[str]] = defaultdict(list)
    through = Recommendation.recommending_states.through
    for rec_id, name in through.objects.filter(recommendation_id__in=ids).order_by("state__name").values_list(
            "recommendation_id", "state__name"):
        states[rec_id].append(name)
    issues: dict[int, list[str]] = defaultdict(list)
    for rec_id, name in (Label.objects.filter(recommendation_id__in=ids, term__taxonomy="issue")
                         .order_by("term__name").values_list("recommendation_id", "term__name")):
        issues[rec_id].append(name)
    earlier = lineage_of(ids)
    rows = []
    fields = ("pk", "paragraph", "text", "review__state__name", "review__session_id", "review__session__cycle_id",
              "review__session__year", "response", "action_category")
    queryset = Recommendation.objects.filter(pk__in=ids).order_by("review__session_id", "id").values_list(*fields)
    for pk, paragraph, text, sur, session, cycle, year, response, action in queryset:
        rows.append({
            "id": pk,
            "paragraph": paragraph,
            "text": text,
            "state_under_review": sur,
            "session": session,
            "cycle": cycle,
            "year": year,
            "recommending_states": states.get(pk, []),
            "response": response,
            "action_category": ACTION_CATEGORIES.get(action, ""),
            "issues": issues.get(pk, []),
            "earlier": earlier.get(pk, []),
        })
    return rows


def lineage_of(ids: list[int]) -> dict[int, list[dict]]:
    """Earlier-cycle recommendations each one repeats (the analysis feature's lineage links)."""
    from uprwatch.analysis.models import LineageLink

    links: dict[int, list[dict]] = defaultdict(list)
    queryset = (LineageLink.objects.filter(recommendation_id__in=ids).order_by("recommendation_id", "-score")
                .values_list("recommendation_id", "earlier_id", "earlier__review__session_id", "score"))
    for rec_id, earlier_id, session, score in queryset:
        links[rec_id].append({"id": earlier_id, "session": session, "score": round(score, 2)})
    return dict(links)


def summary_section(recommendations: list[dict]) -> dict:
    """Headline figures: counts by response, cycle and session, and the main recommending states."""
    # UPR Info's "not supported" counts as noted in the figures (each recommendation still shows its own word)
    by_response = Counter("noted" if r["response"] == "not supported" else r["response"] for r in recommendations)
    by_session: dict[int, Counter] = defaultdict(Counter)
    cycles: dict[int, Counter] = defaultdict(Counter)
    recommenders: Counter = Counter()
    for r in recommendations:
        response = "noted" if r["response"] == "not supported" else r["response"]
        by_session[r["session"]][response] += 1
        cycles[r["cycle"]][response] += 1
        recommenders.update(r["recommending_states"])
    rate = support_rate(by_response["supported"], by_response["partially supported"], by_response["noted"])
    return {
        "recommendations": len(recommendations),
        "responses": {response: by_response.get(response, 0) for response in RESPONSES},
        "partially_supported": by_response["partially supported"],
        # In percent, rounded as the profile page shows it: the same figure for the same recommendations.
        "support_rate": None if rate is None else round(100 * rate),
        "recommending_states": len(recommenders),
        "top_recommending_states": [{"state": s, "count": n} for s, n in recommenders.most_common(TOP_RECOMMENDERS)],
        "by_cycle": [{"cycle": c, "total": sum(n.values()), **{k.replace(" ", "_"): n.get(k, 0) for k in RESPONSES}}
                     for c, n in sorted(cycles.items())],
        "by_session": [{"session": s, "total": sum(n.values()), **{k.replace(" ", "_"): n.get(k, 0) for k in RESPONSES}}
                       for s, n in sorted(by_session.items())],
    }


def saved_search(selection: Selection) -> str:
    """The campaign's saved search (a search page query string such as ``q=refoulement&sur=China``)."""
    return (getattr(selection.campaign, "query", "") or "").strip() if selection.campaign is not None else ""


def firsts_section(selection: Selection) -> dict:
    """Who raised the subject first, overall and per recommending state (analysis feature).

    The subject is the report's query, else the campaign's saved search (with its filters).
    """
    from django.http import QueryDict

    from uprwatch.analysis.firsts import first_raised
    from uprwatch.search.service import QueryError, SearchParams

    if selection.query:
        params = SearchParams(q=selection.query, sur=[selection.state.name] if selection.state else [], limit=0)
    elif saved_search(selection):
        try:
            params = SearchParams.from_querydict(QueryDict(saved_search(selection)))
        except QueryError as exc:
            return {"available": True, "first": [], "by_state": [],
                    "note": f"the campaign's saved search cannot be read: {exc}"}
        params.limit = 0
    else:
        return {"available": True, "first": [], "by_state": [],
                "note": "no firsts: this brief has no search words (give a query, or a campaign with a saved search)"}
    result = first_raised(params)
    chosen = set(selection.ids)
    first = [r for r in result["first"] if r["id"] in chosen] or result["first"]
    by_state = [{"state": name, "session": rec["session"], "year": rec["year"], "id": rec["id"]}
                for name, rec in result["by_state"].items()]
    return {"available": True, "first": first[:10], "by_state": by_state[:20], "note": ""}


def describe_search(selection: Selection) -> str:
    """The brief's search in words ("words refoulement · State under Review China"), for its subtitle."""
    if selection.query:
        return f"words {selection.query}"
    if not saved_search(selection):
        return ""
    from uprwatch.tracking.selection import describe

    return " · ".join(f"{label} {value}" for label, value in describe(saved_search(selection)))


def unpublished_label(visibility: str, organisation: str, kind: str = "draft") -> str:
    """How a brief marks tracking content that is not published: "" for published content."""
    return "" if visibility == "published" else f"{kind} — private to {organisation}"


def assessments_section(selection: Selection) -> dict:
    """Current implementation assessments with their evidence, per recommendation (tracking)."""
    from uprwatch.tracking.models import Assessment

    found: dict[int, list[dict]] = defaultdict(list)
    queryset = (Assessment.objects.filter(selection.audience.visible(), recommendation_id__in=selection.ids)
                .select_related("organisation").prefetch_related(visible_evidence(selection))
                .order_by("organisation__name"))
    for assessment in queryset:
        found[assessment.recommendation_id].append({
            "organisation": assessment.organisation.name,
            "status": assessment.get_status_display(),
            "assessed_on": assessment.assessed_on,
            "rationale": assessment.rationale,
            "visibility": assessment.visibility,
            "unpublished": unpublished_label(assessment.visibility, assessment.organisation.name),
            "evidence": [{"citation": e.citation, "url": e.url, "date": e.date, "quote": e.quote}
                         for e in assessment.evidence.all()],
        })
    return {"available": True, "by_recommendation": dict(found),
            "statuses": Counter(a["status"] for items in found.values() for a in items)}


def timeline_section(selection: Selection) -> dict:
    """Events (protests, laws, arrests...) about the state or the recommendations, newest first."""
    from django.db.models import Q

    from uprwatch.tracking.models import Event

    about = Q(recommendations__in=selection.ids)
    if selection.state is not None:
        about |= Q(states=selection.state)
    events = (Event.objects.filter(selection.audience.visible()).filter(about).distinct()
              .select_related("organisation").order_by("-occurred_on", "id"))
    return {"available": True, "events": [
        {"date": e.occurred_on, "until": e.occurred_until, "title": e.title, "description": e.description,
         "organisation": e.organisation.name, "places": e.places, "people_count": e.people_count,
         "confidence": e.confidence, "sources": e.sources, "visibility": e.visibility,
         "unpublished": unpublished_label(e.visibility, e.organisation.name, "unpublished")}
        for e in events
    ]}


def deadlines_section(selection: Selection, today: dt.date) -> dict:
    """The next review of the state and the deadlines coming up (calendar feature)."""
    if selection.state is None:
        return {"available": True, "next_review": None, "deadlines": [], "note": "no State under Review given"}
    from uprwatch.calendar.schedule import next_review, upcoming

    entry = next_review(selection.state, today)
    deadlines = [u.as_dict() for u in upcoming(days=DEADLINE_DAYS, on=today, states=[selection.state])]
    return {"available": True, "next_review": entry.as_dict(with_deadlines=False) if entry else None,
            "deadlines": deadlines, "note": ""}


def unpublished_summary(assessments: dict, timeline: dict) -> dict:
    """How much unpublished material the brief holds, per organisation: the page warns before it is sent."""
    organisations: Counter = Counter()
    for items in assessments.get("by_recommendation", {}).values():
        organisations.update(a["organisation"] for a in items if a["unpublished"])
    organisations.update(e["organisation"] for e in timeline.get("events", []) if e["unpublished"])
    return {"count": sum(organisations.values()), "organisations": sorted(organisations)}


def build_brief(selection: Selection, today: dt.date | None = None) -> dict:
    """The whole brief as plain data (also the API's JSON)."""
    today = today or timezone.localdate()
    recommendations = recommendations_section(selection)
    assessments = assessments_section(selection)
    if assessments.get("available"):
        for rec in recommendations:
            rec["assessments"] = assessments["by_recommendation"].get(rec["id"], [])
    timeline = timeline_section(selection)
    return {
        "title": selection.title,
        "state": selection.state.name if selection.state else None,
        "query": selection.query or saved_search(selection),
        "search_description": describe_search(selection),
        "campaign": selection.campaign.name if selection.campaign is not None else None,
        "campaign_unpublished": unpublished_label(selection.campaign.visibility, selection.campaign.organisation.name,
                                                  "campaign")
        if selection.campaign is not None else "",
        "unpublished": unpublished_summary(assessments, timeline),
        "published_only": not (selection.audience.organisation_ids and selection.audience.include_unpublished),
        "generated_on": today,
        "summary": summary_section(recommendations),
        "recommendations": recommendations,
        "firsts": firsts_section(selection),
        "assessments": {k: v for k, v in assessments.items() if k != "by_recommendation"},
        "timeline": timeline,
        "deadlines": deadlines_section(selection, today),
    }


# --- a static chart for documents without JavaScript (PDF, a saved HTML file) ---------------------

BAR_COLOURS = {"supported": "#1b7f3b", "partially_supported": "#6b4fbb", "noted": "#a25b00",
               "pending": "#8a94a6", "unknown": "#c4cad4"}


def svg_bars(by_session: list[dict], width: int = 640, height: int = 160) -> dict:
    """Stacked bars per session as rectangles for an inline SVG (numbers only; the template escapes)."""
    legend = [(key, colour, key.replace("_", " ")) for key, colour in BAR_COLOURS.items()
              if any(row.get(key) for row in by_session)]
    if not by_session:
        return {"width": width, "height": height, "bars": [], "legend": []}
    top = max(row["total"] for row in by_session) or 1
    slot = width / len(by_session)
    bars = []
    for index, row in enumerate(by_session):
        y = height - 20
        for key, colour in BAR_COLOURS.items():
            value = row.get(key, 0)
            if not value:
                continue
            h = (height - 30) * value / top
            y -= h
            bars.append({"x": round(index * slot + slot * 0.15, 1), "y": round(y, 1), "w": round(slot * 0.7, 1),
                         "h": round(h, 1), "colour": colour, "title": f"session {row['session']}: {value} {key}"})
        bars.append({"label": row["session"], "x": round(index * slot + slot / 2, 1), "y": height - 6})
    return {"width": width, "height": height, "bars": bars, "legend": legend}


def document_context(brief: dict, for_print: bool) -> dict:
    from uprwatch.ui import charts

    return {
        "brief": brief,
        "svg": svg_bars(brief["summary"]["by_session"]),
        "chart": charts.responses_by_session(brief["summary"]["by_session"]),
        "for_print": for_print,
        "stylesheet": STYLESHEET.read_text(encoding="utf-8"),
    }


def render_brief_html(brief: dict) -> str:
    """A self-contained HTML document (inline print stylesheet, static chart and its table)."""
    return render_to_string("reports/brief_document.html", document_context(brief, for_print=False))


class PdfUnavailable(Unavailable):
    """WeasyPrint (the ``[pdf]`` extra) is not installed: 501, the server does not implement PDF."""

    status = 501


class PdfTooLarge(Invalid):
    """The selection is too long for a PDF made within a web request. 400, not 413: the request is
    small, the person narrows the selection (or makes the PDF with the CLI)."""


# The PDF costs about 4 ms of CPU per recommendation (China: 798 in ~3.5 s), so a query over every state
# ("rights": ~14,000) would hold a server worker for a minute: web and API requests stop near 10 s.
WEB_PDF_MAX_RECOMMENDATIONS = 2500


def check_web_pdf_size(selection: Selection) -> None:
    """Refuse, before any work, a PDF too long to make within a web request (the CLI has no limit)."""
    limit = getattr(settings, "UPRWATCH_PDF_MAX_RECOMMENDATIONS", WEB_PDF_MAX_RECOMMENDATIONS)
    if len(selection.ids) > limit:
        raise PdfTooLarge(
            f"{len(selection.ids)} recommendations are too many for a PDF made on the server (at most {limit}): "
            "narrow the selection, download the HTML brief, or run uprwatch report brief --format pdf"
        )


def render_brief_pdf(brief: dict) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # OSError: WeasyPrint present but the pango libraries are missing
        raise PdfUnavailable(
            "PDF needs WeasyPrint: pip install 'uprwatch[pdf]' (and the pango libraries, "
            "e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0); or use --format html"
        ) from None
    return HTML(string=render_brief_print_html(brief)).write_pdf()


def render_brief_print_html(brief: dict) -> str:
    """The HTML the PDF is made from: the same content as the HTML brief in a layout WeasyPrint lays out
    quickly (one plain paragraph per recommendation, simple selectors, no JavaScript chart)."""
    context = {
        "brief": brief,
        "svg": svg_bars(brief["summary"]["by_session"]),
        "stylesheet": PRINT_STYLESHEET.read_text(encoding="utf-8"),
    }
    return render_to_string("reports/brief_print.html", context)
