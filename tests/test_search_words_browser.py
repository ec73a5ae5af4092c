"""In the browser, with China selected, the words an advocate types find Canada's 2009 and Czechia's 2013
recommendations on North Korean refugees, the expansions are shown, and the box turns them off (issue 18)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("words", ["north korean escapees", "DPRK refugees", "defectors"])
def test_china_escapee_queries_find_canada_2009_and_czechia_2013(page, words):  # noqa: F811
    page.goto("/search/?sur=China")
    page.get_by_role("searchbox", name="Search words").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"sur=China"))
    results = page.locator("section[aria-label='Results'] > ol.results > li.rec")
    canada = results.filter(has_text="People's Republic of Korea").filter(has_text="by Canada")
    czechia = results.filter(has_text="North Korean refugees").filter(has_text="by Czechia")
    assert canada.count() == 1 and "session 4" in canada.inner_text()
    assert czechia.count() == 1 and "session 17" in czechia.inner_text()
    assert page.locator("#expansions").is_visible() and "Also searched" in page.locator("#expansions").inner_text()
    count = page.locator("p.result-count strong").inner_text()
    assert re.fullmatch(r"\d+ recommendations? match(es)?", count), count

    # The box searches only the words typed: the press's "defectors" is not what the texts say.
    page.get_by_label("only the words typed (no other names or synonyms)").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"expand=0"))
    assert "Only the words typed" in page.locator("#expansions").inner_text()
    # the typed words alone miss Canada's "refugees from the Democratic People's Republic of Korea"
    assert results.filter(has_text="People's Republic of Korea").filter(has_text="by Canada").count() == 0
