"""Browser journey of a coalition member (issue 8): create the campaign "North Korean escapees in China",
record an event with evidence, draft and publish an assessment, then receive an alert after a new
document is ingested (`uprwatch ingest` + `uprwatch jobs run` against the served home).

Runs against ``uprwatch serve --production`` on a copy of an initialised home (see browser_support), in
Debian's chromium, with the real Content Security Policy.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_support import run_uprwatch

pytestmark = pytest.mark.browser

CAMPAIGN = "North Korean escapees in China"
NEW_TEXT = "stop the forced repatriation of North Korean escapees"


def thematic_list(path):
    """An OHCHR-style thematic list for China's 4th-cycle review with one matching recommendation."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "UPR of China (4th Cycle – 45th session)"
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Recommendation", "Position", "Full list of themes"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = (
        f"45.101 Respect the principle of non-refoulement and {NEW_TEXT} (Republic of Korea);\n"
        "Source of position: A/HRC/55/6/Add.1"
    )
    table.rows[1].cells[1].text = "Noted"
    table.rows[1].cells[2].text = "D26 Conditions of detention"
    table.rows[2].cells[0].text = "45.102 Strengthen rural health services (Viet Nam);"
    table.rows[2].cells[1].text = "Supported"
    table.rows[2].cells[2].text = "E41 Right to health"
    document.save(path)
    return path


def test_coalition_journey_campaign_event_assessment_alert(page, server_home, tmp_path):  # noqa: F811
    run_uprwatch(server_home, "users", "create", "alice-t", "--email", "alice-t@example.org",
                 "--password", "alice-tracking-pw-1")
    run_uprwatch(server_home, "orgs", "create", "NK Escapees Coalition", "--admin", "alice-t")

    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("alice-t")
    page.get_by_label("Password").fill("alice-tracking-pw-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tracking/$"))

    # 1. The campaign: a saved search plus the watched state.
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Name").fill(CAMPAIGN)
    page.get_by_label("Saved search").fill("q=refoulement&sur=China")
    page.get_by_label("Watched states").fill("China")
    page.get_by_role("button", name="Save campaign").click()
    page.wait_for_url(re.compile(r"/tracking/campaigns/\d+/$"))
    campaign_url = page.url
    assert page.locator("h1").inner_text() == CAMPAIGN
    assert "non-refoulement of refugees from the Democratic People's Republic of Korea" in page.locator("main").inner_text()

    # 2. An event with evidence (and a file).
    page.get_by_role("link", name="Record an event").first.click()
    page.get_by_label("Title").fill("Reported forced repatriation of about 600 people from China to the DPRK")
    # A required field's label ends in an aria-hidden "*" (the site's one form layout), which Playwright's
    # label text still contains; "Date" alone, not "Date of the source".
    page.get_by_label(re.compile(r"^Date( \*)?$")).first.fill("2023-10-09")
    page.get_by_label("Number of people").fill("600")
    page.get_by_label("Count qualifier").fill("about")
    page.get_by_label("Places").fill("Jilin; Liaoning")
    page.get_by_label("States concerned").fill("China")
    page.get_by_label("Citation").fill("Human Rights Watch, 13 October 2023")
    page.get_by_label("URL").fill("https://www.hrw.org/news/2023/10/13/china-forcibly-returns-hundreds-north-koreans")
    page.get_by_label("Quote").fill("Chinese authorities forcibly returned an estimated 500 to 600 North Koreans")
    page.get_by_label("File").set_input_files(
        files=[{"name": "hrw-2023.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% evidence\n"}]
    )
    page.get_by_label("Visibility").select_option("published")
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url(re.compile(r"/tracking/events/\d+/$"))
    main = page.locator("main").inner_text()
    assert "about 600" in main and "Human Rights Watch, 13 October 2023" in main
    assert page.get_by_role("link", name="download hrw-2023.pdf").count() == 1

    # 3. Draft an assessment, then publish it.
    page.goto(campaign_url)
    # exact: the campaign page's contents list has "Recommendations and assessments" before the rows.
    page.get_by_role("link", name="Assess", exact=True).first.click()
    page.get_by_label("Status").select_option("not_implemented")
    page.get_by_label("Rationale").fill("Forced returns continued in 2023 (see the event of October 2023).")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/tracking/assessments/\d+/$"))
    assert "draft" in page.locator("main p.muted").first.inner_text()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/tracking/assessments/\d+/$"))
    assert "published" in page.locator("main p.muted").first.inner_text()
    page.goto(campaign_url)
    timeline = page.locator("ol.timeline").inner_text()
    assert "Reported forced repatriation" in timeline and "not implemented" in timeline

    # 4. A new document is ingested; the job runner (cron in production) raises the alert.
    report = json.loads(run_uprwatch(server_home, "ingest", str(thematic_list(tmp_path / "china-wg45.docx")),
                                     "--json").stdout)
    assert report["added"] >= 1, report
    figures = json.loads(run_uprwatch(server_home, "jobs", "run", "--json").stdout)
    assert figures["match_notifications"] >= 1, figures
    page.goto("/tracking/")
    page.get_by_role("link", name="Notifications", exact=True).click()
    alert = page.get_by_role("link", name=re.compile(f"match the campaign “{CAMPAIGN}”"))
    assert alert.count() >= 1, page.locator("main").inner_text()
    assert alert.count() == 1, page.locator("main").inner_text()
    alert.click()
    page.wait_for_url(campaign_url)
    assert NEW_TEXT in page.locator("main").inner_text()
