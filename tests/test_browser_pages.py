"""Browser journeys over the browsing pages: home → states → a state's profile → a review → a recommendation.

Runs against ``uprwatch serve --production`` on a copy of an initialised home (see browser_support), in
Debian's chromium, with the real Content Security Policy: a chart that needs inline script or eval fails.
"""

from __future__ import annotations

import re

import pytest
from browser_support import query_home

pytestmark = pytest.mark.browser


def test_home_shows_figures_and_draws_the_chart_under_csp(page, server_home):  # noqa: F811
    total = query_home(server_home, "models.Recommendation.objects.count()")
    assert total >= 41066  # the UPR Info dataset, plus whatever init ingests from documents
    page.goto("/")
    assert page.locator(".card .figure").first.inner_text().replace(",", "") == str(total)
    # Vega draws into the container only if its scripts ran under our CSP (no inline script, no eval).
    page.locator("[data-vega-spec='chart-sessions'] svg, [data-vega-spec='chart-sessions'] canvas").first.wait_for()


def test_state_profile_journey(page, server_home):  # noqa: F811
    expected = query_home(server_home, "models.Recommendation.objects.filter("
                                       "review__state__iso3='CHN', review__session_id=4).count()")
    assert expected >= 138  # UPR Info's figure for China, session 4
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="States").click()
    page.get_by_role("link", name="China", exact=True).first.click()
    assert page.locator("h1").inner_text() == "China"
    session4 = page.locator("tr", has=page.get_by_role("link", name="Session 4", exact=True))
    assert session4.locator("td.num").first.inner_text() == str(expected)
    session4.get_by_role("link", name="Session 4", exact=True).click()
    page.wait_for_url(re.compile(r"/states/china/sessions/4/"))
    first = page.locator("li.rec").first
    text = first.locator("div").first.inner_text().strip()
    href = first.locator("a[href^='/recommendations/']").first.get_attribute("href")
    page.goto(href)
    assert text[:60] in page.locator("main").inner_text()
    assert page.get_by_role("link", name="China").count() >= 1


def test_unknown_recommendation_is_a_clean_404(page):  # noqa: F811
    response = page.goto("/recommendations/999999999/")
    assert response.status == 404
    assert "999999999" in page.locator("main").inner_text()
