"""Browser journeys of the issue: search → recommendation → similar → export, and login → a campaign
(Debian's chromium against ``uprwatch serve --production``, real CSP, real data)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser_support import query_home, run_uprwatch

pytestmark = pytest.mark.browser


def test_search_recommendation_similar_export(page):  # noqa: F811
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url(re.compile(r"/search/"))
    page.get_by_role("searchbox", name="Search words").fill("non-refoulement")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=non-refoulement"))
    results = page.locator("ol li .snippet")
    assert results.count() > 0
    first_link = results.first.locator("a[href^='/recommendations/']")
    rec_id = first_link.inner_text().lstrip("#")
    snippet = results.first.inner_text()
    assert "refoulement" in snippet.casefold()

    # Export: the CSV holds the results shown, the first one among them.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8-sig"))))
    assert rows and any(str(row.get("id")) == rec_id for row in rows), list(rows[0])

    first_link.click()
    page.wait_for_url(re.compile(rf"/recommendations/{rec_id}/$"))
    assert "refoulement" in page.locator("main").inner_text().casefold()
    # The similar-recommendations panel loads through htmx (no inline script, CSP intact).
    similar = page.locator("section.similar")
    similar.get_by_text("similarity").first.wait_for()
    other = similar.locator("a[href^='/recommendations/']").first
    other_href = other.get_attribute("href")
    assert other_href != f"/recommendations/{rec_id}/"
    other.click()
    page.wait_for_url(re.compile(re.escape(other_href) + "$"))


def test_login_and_create_a_campaign(page, server_home):  # noqa: F811
    run_uprwatch(server_home, "users", "create", "erin", "--email", "erin@example.org",
                 "--password", "a quiet river under Geneva")
    run_uprwatch(server_home, "orgs", "create", "Erin's Coalition", "--admin", "erin")
    rec_id = query_home(server_home, "models.Recommendation.objects.filter(review__state__iso3='CHN')"
                                     ".order_by('id').values_list('id', flat=True).first()")

    page.goto("/tracking/campaigns/new/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("User name").fill("erin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert "did not match" in page.get_by_role("alert").inner_text()
    page.get_by_label("User name").fill("erin")
    page.get_by_label("Password").fill("a quiet river under Geneva")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tracking/campaigns/new/"))

    page.get_by_label("Name").fill("Non-refoulement <in> China")
    page.get_by_label("What the campaign is about").fill("Follow-up of the <b>cycle 2</b> recommendations")
    page.locator("input[name=query]").fill("q=refoulement&sur=China")
    page.locator("textarea[name=states]").fill("China")
    page.get_by_role("button", name="Save campaign").click()
    page.wait_for_url(re.compile(r"/tracking/campaigns/\d+/$"))
    # User input comes back as text, never as markup.
    assert page.locator("h1").inner_text() == "Non-refoulement <in> China"
    assert page.locator("main b").count() == 0
    saved = query_home(server_home, "list(__import__('uprwatch.tracking.models', fromlist=['Campaign'])"
                                    ".Campaign.objects.values_list('name', flat=True))")
    assert "Non-refoulement <in> China" in saved
    # A new campaign's form no longer takes recommendation numbers: they are pinned from the recommendation.
    page.goto(f"/recommendations/{rec_id}/")
    page.get_by_role("button", name="Pin to Non-refoulement <in> China").click()
    page.get_by_text("Pinned to Non-refoulement <in> China").wait_for()
    pinned = query_home(server_home, "list(__import__('uprwatch.tracking.models', fromlist=['Campaign'])"
                                     ".Campaign.objects.get(name='Non-refoulement <in> China')"
                                     ".pinned.values_list('id', flat=True))")
    assert pinned == [rec_id]
