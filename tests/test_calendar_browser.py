"""Browser journey over the calendar: the calendar page, a state lookup with a typo, the state panel,
the .ics link a person subscribes to (Debian's chromium, against ``uprwatch serve --production``)."""

from __future__ import annotations

import re
import urllib.request

import icalendar
import pytest

pytestmark = pytest.mark.browser


def test_calendar_journey(page, server_url):  # noqa: F811
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    page.wait_for_url(re.compile(r"/calendar/$"))
    assert page.locator("h1").inner_text() == "UPR calendar"
    assert page.get_by_role("heading", name="What is due next").count() == 1

    page.get_by_label("State").fill("Chna")
    page.get_by_role("button", name="Show its reviews").click()
    alert = page.get_by_role("alert")
    assert "Chna" in alert.inner_text()
    alert.get_by_role("link", name="China").click()
    page.wait_for_url(re.compile(r"state=China"))
    table = page.locator("table.calendar-reviews")
    sessions = [cell.strip() for cell in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert sessions == ["WG 4", "WG 17", "WG 31", "WG 45", "WG 59"]

    page.goto("/states/china/")
    panel = page.locator("#calendar")
    assert "Next review" in panel.inner_text() and "projected" in panel.inner_text()
    href = panel.get_by_role("link", name=re.compile(r"Subscribe")).get_attribute("href")
    with urllib.request.urlopen(server_url + href) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(response.read()).walk("VEVENT")
    assert any(str(e["UID"]) == "review-chn-c5-working-group@uprwatch" for e in events)
