"""The coalition's day in Debian's chromium (issue 20): search → save the search as a campaign → pin a result
(htmx, no reload) → assess with evidence (a refused upload keeps the typed citation) → record an event →
the brief (a visible chart, draft markers) → the matrix; every page at 390 px without sideways scrolling;
labelled, keyboard-reachable fields with a visible focus and readable contrast; a token-authenticated API
client fetches its own campaign's brief. Screenshots of the main pages at 1280 and 390 px are written to
``var/screenshots/`` for a person to look at.

Runs against ``uprwatch serve --production`` on a copy of an initialised home (see browser_support), with
the real Content Security Policy (the ``page`` fixture fails a test on any JavaScript or CSP error).
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from browser_support import ROOT, run_uprwatch

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "var" / "screenshots"
USER, PASSWORD = "dana-day", "dana-coalition-pw-1"
ORG = "Escapees Coalition"
CAMPAIGN = "Refoulement of North Koreans in China"

# Text at least 4.5:1 against its background (3:1 for large text), computed in the page for every element
# that holds text directly; background: the nearest ancestor with an opaque background colour.
CONTRAST_FAILURES = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a >= 0.99) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (el.closest('.visually-hidden, .skip-link, svg, [aria-hidden="true"]')) continue;
    const fg = parse(style.color), bg = background(el); if (!fg) continue;
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a); const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""

# Every visible form control has a name a screen reader reads: a <label>, aria-label or aria-labelledby.
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea')).filter((el) => {
  if (el.type === 'hidden' || el.offsetParent === null) return false;
  return !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
}).map((el) => el.outerHTML.slice(0, 120))"""

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check_page_basics(page, name: str) -> None:
    """Labels, contrast and a screenshot of the page as it is now (1280 px wide)."""
    assert page.evaluate(UNLABELLED) == [], name
    assert page.evaluate(CONTRAST_FAILURES) == [], name
    shoot(page, name)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=False)


def test_coalition_day(page, server_home, server_url):  # noqa: F811
    run_uprwatch(server_home, "users", "create", USER, "--email", "dana@example.org", "--password", PASSWORD)
    run_uprwatch(server_home, "orgs", "create", ORG, "--admin", USER)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tracking/$"))

    # 1. Search, and save the search as a campaign.
    page.goto("/search/?q=refoulement&sur=China")
    check_page_basics(page, "search")
    page.get_by_text("Save this search as a campaign").click()
    page.get_by_label("Campaign name").fill(CAMPAIGN)
    page.get_by_role("button", name="Save as a campaign").click()
    page.wait_for_url(re.compile(r"/tracking/campaigns/\d+/$"))
    campaign_url = page.url
    campaign_id = int(campaign_url.rstrip("/").rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == CAMPAIGN
    follows = page.locator("#follows").inner_text()
    assert "words refoulement" in follows and "State under Review China" in follows

    # 2. Pin a result of another search to it: htmx swaps the control in place, the page does not reload.
    page.goto("/search/?q=%22North+Korean%22&sur=China")
    page.evaluate("window.__notReloaded = true")
    first = page.locator("ol.results li.rec").first
    rec_id = int(first.get_attribute("id").split("-")[1])
    first.get_by_role("button", name=f"Pin to {CAMPAIGN}").click()
    first.get_by_text(f"Pinned to {CAMPAIGN}").wait_for()
    assert page.evaluate("window.__notReloaded") is True
    first.get_by_role("button", name=re.compile("Unpin")).click()
    first.get_by_role("button", name=f"Pin to {CAMPAIGN}").wait_for()
    first.get_by_role("button", name=f"Pin to {CAMPAIGN}").click()
    first.get_by_text(f"Pinned to {CAMPAIGN}").wait_for()
    page.goto(campaign_url)
    assert page.locator(f"#rec-{rec_id}").count() == 1
    check_page_basics(page, "campaign")

    # 3. Assess the pinned recommendation (a draft), then add evidence: a refused upload keeps the typed text.
    page.goto(f"/tracking/recommendations/{rec_id}/assess/")
    page.get_by_label("Status").select_option("not_implemented")
    page.get_by_label("Rationale").fill("Dana draft: returns continued in 2023.")
    check_page_basics(page, "assess")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/tracking/assessments/\d+/$"))
    assessment_url = page.url
    form = page.locator("#evidence-form")
    form.get_by_label("Citation").fill("Human Rights Watch, 13 October 2023")
    form.get_by_label("Quote").fill("forcibly returned an estimated 500 to 600 North Koreans")
    form.get_by_label("File").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a PDF</html>"}])
    form.get_by_role("button", name="Add evidence").click()
    page.wait_for_load_state()
    form = page.locator("#evidence-form")
    assert form.get_by_label("Citation").input_value() == "Human Rights Watch, 13 October 2023"
    assert "forcibly returned" in form.get_by_label("Quote").input_value()
    assert "is not .pdf" in form.locator("[data-field=file] .errorlist").inner_text()
    assert form.get_by_label("File").get_attribute("aria-invalid") == "true"
    form.locator("[data-field=file]").scroll_into_view_if_needed()
    check_page_basics(page, "evidence-refused")
    form.get_by_label("File").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% evidence\n"}])
    form.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(assessment_url)
    assert page.get_by_role("link", name="download report.pdf").count() == 1
    assert "draft — private to " + ORG in page.locator("main").inner_text()

    # 4. An event (private: unpublished).
    page.goto(f"/tracking/events/new/?recommendation={rec_id}")
    page.get_by_label("Title").fill("Forced repatriation of about 600 people")
    page.get_by_label("Date", exact=True).fill("2023-10-09")
    page.get_by_label("Number of people").fill("600")
    page.get_by_label("States concerned").fill("China")
    check_page_basics(page, "event-form")
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url(re.compile(r"/tracking/events/\d+/$"))
    assert "9 Oct 2023" in page.locator("main").inner_text()

    # 5. The brief: a chart with a width, and the unpublished material marked.
    page.goto(f"/reports/brief/?campaign={campaign_id}")
    chart = page.locator("[data-vega-spec='brief-chart'] svg, [data-vega-spec='brief-chart'] canvas").first
    chart.wait_for()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100, box
    main = page.locator("main").inner_text()
    assert "Not for circulation as is" in main and "DRAFT — PRIVATE TO " + ORG.upper() in main.upper()
    assert "firsts are computed for a search query" not in main and "First raised in session" in main
    check_page_basics(page, "brief")
    page.get_by_role("link", name="Leave out everything unpublished").click()
    assert "Dana draft" not in page.locator("main").inner_text()
    # The saved HTML file draws its chart without JavaScript (an SVG with bars).
    with page.expect_download() as download:
        page.get_by_role("link", name="Download HTML").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert html.count("<rect") >= 2 and 'class="chart-static"' in html

    # 6. The matrix.
    page.goto(campaign_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Submission matrix (DOCX)").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"

    # 7. Keyboard: the skip link comes first and every field shows where the focus is.
    page.goto(assessment_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.locator("#evidence-form").get_by_label("Citation").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline not in ("0px", ""), outline

    # 8. Every page of the day at 390 px: no sideways scrolling; facets fold behind a button.
    page.set_viewport_size({"width": 390, "height": 844})
    pages = {"home": "/", "search": "/search/?q=refoulement&sur=China", "state": "/states/china/",
             "states": "/states/", "calendar": "/calendar/", "campaign": campaign_url, "assessment": assessment_url,
             "assess": f"/tracking/recommendations/{rec_id}/assess/", "event-form": "/tracking/events/new/",
             "brief": f"/reports/brief/?campaign={campaign_id}", "recommendation": f"/recommendations/{rec_id}/",
             "tracking": "/tracking/", "campaigns": "/tracking/campaigns/", "not-found": "/no/such/page/"}
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW) <= 0, f"{name} scrolls sideways at 390 px"
        shoot(page, name)
    page.goto("/search/?q=refoulement&sur=China")
    toggle = page.get_by_role("button", name=re.compile("Show filters"))
    assert toggle.is_visible() and not page.locator("#facet-list").is_visible()
    first_result = page.locator("ol.results li.rec").first.bounding_box()
    assert first_result["y"] < 1200, first_result  # results come before the filters on a phone
    toggle.click()
    assert page.locator("#facet-list").is_visible()

    # 9. An API client with the member's token fetches its own campaign's brief.
    token = run_uprwatch(server_home, "tokens", "create", USER, "--name", "day").stdout.strip().split()[-1]
    request = urllib.request.Request(f"{server_url}/api/reports/brief?campaign={campaign_id}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        brief = json.loads(response.read())
    assert brief["campaign"] == CAMPAIGN and brief["unpublished"]["count"] >= 2
    assert any(r["id"] == rec_id for r in brief["recommendations"])
