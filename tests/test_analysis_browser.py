"""Browser journey over analysis: the state page's link to the profile, the profile's Vega-Lite charts
drawn by the vendored JS with their tables, a pair page, the firsts panel htmx loads on the search page,
and a lineage chain on a recommendation page (Debian's chromium, against ``uprwatch serve --production``)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_profile_page_renders_charts_and_tables(page):  # noqa: F811
    page.goto("/states/china/")
    page.locator("#analysis-panel").get_by_role("link", name="Profile of China").click()
    page.wait_for_url(re.compile(r"/states/china/profile/$"))
    assert page.locator("h1").inner_text() == "Profile of China"
    # every chart is drawn (vega-embed puts an SVG or a canvas in its container) ...
    charts = page.locator("[data-vega-spec]")
    assert charts.count() == 4
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(state="attached")
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
    # ... and has its numbers as a table
    first_table = page.locator("#as-reviewed ~ table").first
    cells = first_table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["Cycle 1", "138"]
    assert "Cycle 1 → cycle 2" in page.locator("main").inner_text()

    page.get_by_role("link", name="pair: Canada → China").click()
    page.wait_for_url(re.compile(r"/states/canada/to/china/$"))
    # (the served home also holds the UN documents ingested by `init`, so count what the page lists)
    total = int(re.search(r"(\d+) recommendations?:", page.locator("main").inner_text()).group(1))
    assert total >= 14 and page.locator("ol.recs > li.rec").count() == total


def test_firsts_panel_loads_on_the_search_page(page):  # noqa: F811
    page.goto("/search/?q=non-refoulement&sur=China")
    panel = page.locator("#firsts")
    panel.locator("table.firsts-by-state").wait_for(state="attached")
    firsts = panel.locator("ol.firsts").inner_text()
    assert "session 4" in firsts and "Canada" in firsts and "Czechia" in firsts
    panel.get_by_text("First by each recommending state").click()  # open the <details>
    rows = [row.locator("td").all_inner_texts()[:2] for row in panel.locator("table.firsts-by-state tbody tr").all()]
    assert ["Republic of Korea", "17"] in rows and ["Canada", "4"] in rows


def test_recurring_list_and_lineage_chain(page):  # noqa: F811
    page.goto("/states/china/recurring/")
    assert page.locator("h1").inner_text() == "Recurring recommendations to China"
    href = page.locator("ol.recs > li.rec").first.locator("a").first.get_attribute("href")
    assert re.fullmatch(r"/recommendations/\d+/", href)
    page.goto(href)
    lineage = page.locator("#lineage")
    assert "first in cycle 1" in lineage.inner_text()
    assert lineage.locator("li.rec").count() >= 2
