"""The issue's journey in a browser: a person loads a UHRI export holding China's 2024 review, finds the
Republic of Korea's recommendation about escapees, sees China's position beside what the treaty bodies said
on the same point, and sees the state page and the home page say which cycles are loaded and from where.

The export is written in the real file's format (``../shared/sources/README.md`` §1, with its quirks),
served from 127.0.0.1 and loaded with ``uprwatch sync uhri --url`` into a fresh home, as a user would;
then ``uprwatch serve --production`` and Debian's chromium.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_support import Server, copy_home, open_page, query_home, run_uprwatch
from source_servers import FileServer
from uhri_records import mechanism, upr

from uprwatch.sources.uhri_writer import write_json

pytestmark = pytest.mark.browser

WG_REPORT = "A/HRC/56/6"  # the Working Group's report on China's 4th review (session 45, January 2024)
KOREA = "e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a01"
CAT = "e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b01"
KOREA_TEXT = ("Take measures to protect escapees from the Democratic People’s Republic of Korea, including by "
              "respecting the principle of non-refoulement and allowing them to travel to the destination of "
              "their choice")
CAT_TEXT = ("The State party should ensure that no person is expelled, returned (“refouled”) or extradited to "
            "another State where there are substantial grounds for believing that he or she would be in danger of "
            "being subjected to torture, and refrain from forcibly returning escapees from the Democratic "
            "People’s Republic of Korea, who face torture and other ill-treatment upon return.")


def _china_2024(annotation: str, paragraph: str, text: str, by: list[str], position: list[str], **extra) -> dict:
    # The real file's UPR rows: HTML text with the paragraph in front and the recommending state behind.
    return upr(annotation, f"<p>{paragraph}&nbsp;{text} ({' and '.join(extra.pop('named', by))});</p>",
               ["- China"], by, position, "- 45th Session - Cycle 4", WG_REPORT, "2024-04-26", **extra)


def export_records() -> list[dict]:
    rows = [
        _china_2024(KOREA, "161.210", KOREA_TEXT.replace("’", "&rsquo;"), ["- Republic of Korea"], ["- Noted"]),
        _china_2024("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a02", "161.211", "Cease the forced repatriation of North "
                    "Korean escapees, in line with the principle of non-refoulement", ["- United States of America"],
                    ["- Noted"]),
        # an ISO-2 code where a state's name should be, and the hyphen as an entity
        _china_2024("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a03", "161.212", "Respect the principle of non&#8209;"
                    "refoulement with regard to asylum seekers from neighbouring countries and grant the Office of "
                    "the United Nations High Commissioner for Refugees access to them", ["CZ"], ["- Noted"],
                    named=["Czechia"]),
        _china_2024("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a04", "161.1", "Consider ratifying the International "
                    "Covenant on Civil and Political Rights", ["- France"], ["- Supported/Noted"],
                    Themes=["- Acceptance of international norms"]),
        _china_2024("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a05", "161.98", "Establish a moratorium on the use of the "
                    "death penalty with a view to its abolition", ["- Iceland"], ["- Noted"],
                    Themes=["- Death penalty"]),
        _china_2024("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6a06", "161.140", "Continue to promote high-quality "
                    "development and to lift rural residents out of poverty", ["- State of Palestine*"],
                    ["- Supported"], named=["State of Palestine"], Themes=["- Right to development"]),
        # not recommendations: the state's response, and an artefact row with no content
        upr("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6af1", "Response of China to the recommendations contained in "
            "paragraph 161", ["- China"], [], [], "- 45th Session - Cycle 4", WG_REPORT + "/Add.1", "2024-06-21"),
        upr("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6af2", "<p>&nbsp;</p>", ["- China"], [], [], "- 45th Session - Cycle 4",
            WG_REPORT, "2024-04-26"),
        # the treaty bodies and a special procedure to China: under acronyms and long names
        mechanism(CAT, "- CAT", f"<p>{CAT_TEXT.replace('“', '&ldquo;').replace('”', '&rdquo;')}</p>", ["- China"],
                  "CAT/C/CHN/CO/5", "2016-02-03", kind="- Recommendations",
                  Sdgs=["- 16.3 - Promote the rule of law at the national and international levels and ensure equal "
                        "access to justice for all"]),
        mechanism("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b02", "Committee against Torture", "The State party should "
                  "abolish the practice of residential surveillance at a designated location and guarantee that all "
                  "detainees have access to a lawyer of their choice from the outset of detention.", ["China"],
                  "CAT/C/CHN/CO/5", "2016-02-03", kind="- Recommendations"),
        mechanism("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b03", "- Committee on the Elimination of Racial Discrimination",
                  "The Committee recommends that the State party respect the principle of non-refoulement, refrain "
                  "from forcibly returning nationals of the Democratic People's Republic of Korea and grant them "
                  "access to asylum procedures and to the Office of the United Nations High Commissioner for "
                  "Refugees.", ["- China"], "CERD/C/CHN/CO/14-17", "2018-09-19", kind="- Recommendations",
                  Themes=["- Refugees & asylum seekers"]),
        mechanism("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b04", "- CEDAW", "The Committee recommends that the State "
                  "party refrain from repatriating women from the Democratic People's Republic of Korea who have "
                  "fled to its territory, protect them from trafficking and forced marriage, and ensure that their "
                  "children are registered at birth.", ["- China"], "CEDAW/C/CHN/CO/9", "2023-05-31",
                  kind="- Recommendations", Sdgs=["5.2 - Eliminate all forms of violence against all women and girls "
                                                   "in the public and private spheres"]),
        mechanism("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b05", "Committee on Economic, Social and Cultural Rights",
                  "The Committee recommends that the State party abolish the household registration system (hukou) "
                  "and ensure that internal migrants enjoy equal access to social security.", ["- China"],
                  "E/C.12/CHN/CO/3", "2023-03-22", kind="- Recommendations",
                  AnnotationType="3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
        mechanism("e1f0a6c2-7b3d-4f5e-9a1b-2c3d4e5f6b06", "- SR on the situation of human rights in the Democratic "
                  "People's Republic of Korea", "All States, in particular China, should respect the principle of "
                  "non-refoulement and refrain from forcibly returning persons to the Democratic People's Republic "
                  "of Korea.", ["- China", "- KP"], "A/HRC/55/63", "2024-02-23", kind="- Recommendations"),
    ]
    return rows


@pytest.fixture(scope="module")
def uhri_server_url(tmp_path_factory):
    """A fresh home (the bundled data: China's cycles 1-3), the export loaded into it over HTTP, served."""
    home = copy_home(tmp_path_factory.mktemp("uhri-browser") / "home")
    export = home.parent / "export-full-en.json"
    write_json(export_records(), export)
    with FileServer({"/uhri/export-results/export-full-en.json": export.read_bytes()}) as files:
        synced = run_uprwatch(home, "sync", "uhri", "--url", files.url + "/uhri/export-results/export-full-en.json",
                              "--json")
    report = json.loads(synced.stdout)
    assert report["upr"]["added"] == 6 and report["other_mechanisms"]["added"] == 6, report
    assert report["skipped"] == {"no text": 1, "response of the state, not a recommendation": 1}, report
    assert query_home(home, "models.Recommendation.objects.filter(review__session_id=45, "
                            "review__state__iso3='CHN').count()") == 6
    server = Server(home).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_find_koreas_escapee_recommendation_beside_the_treaty_bodies(browser, uhri_server_url):
    with open_page(browser, uhri_server_url) as page:
        # The home page's per-cycle figures say which states they cover.
        page.goto("/")
        by_cycle = page.locator("table", has=page.locator("th", has_text="States covered"))
        covered = {cells[0]: cells[-1] for cells in (row.locator("td").all_inner_texts()
                                                     for row in by_cycle.locator("tbody tr").all())}
        assert covered["1"] == "193 of 193 states reviewed so far"
        assert covered["4"].startswith("China, Slovenia only (2 of ")

        # Search as a user would: the words, then China and cycle 4 from the filters.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
        page.wait_for_url(re.compile(r"/search/"))
        page.get_by_role("searchbox", name="Search words").fill("North Korean escapees")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"q=North"))
        facet = page.locator("details.facet[data-facet='sur']")
        facet.get_by_role("link", name="China", exact=True).click()
        page.wait_for_url(re.compile(r"sur=China"))
        page.locator("details.facet[data-facet='cycle'] summary").click()
        page.locator("details.facet[data-facet='cycle']").get_by_role("link", name="cycle 4", exact=True).click()
        page.wait_for_url(re.compile(r"cycle=4"))
        korea = page.locator("ol.results li.rec", has_text="allowing them to travel to the destination")
        assert "by Republic of Korea" in korea.inner_text() and "session 45 (cycle 4, 2024)" in korea.inner_text()
        search_url = page.url

        # Its page: who recommended it, China's position and where that comes from, the treaty bodies beside it.
        korea.get_by_role("link", name=re.compile(r"^#\d+$")).click()
        page.wait_for_url(re.compile(r"/recommendations/\d+/$"))
        assert page.locator("h1").inner_text() == "Recommendation 161.210 to China"
        assert page.locator("blockquote.rec").inner_text() == KOREA_TEXT
        facts = page.locator("dl.facts")
        assert facts.locator("dt:has-text('Recommended by') + dd").inner_text() == "Republic of Korea"
        response = facts.locator("dt:has-text('Response') + dd").inner_text()
        assert "noted" in response and "source: OHCHR Universal Human Rights Index" in response
        sources = facts.locator("dt:has-text('Sources') + dd")
        assert sources.inner_text().startswith(f"OHCHR Universal Human Rights Index — {WG_REPORT}, record {KOREA}")
        assert sources.get_by_role("link", name=WG_REPORT).get_attribute("href") == f"https://docs.un.org/en/{WG_REPORT}"
        panel = page.locator("#other-mechanisms")
        assert panel.get_by_role("heading").inner_text() == "Other UN mechanisms on this point"
        cat = panel.locator("li", has=page.locator(".badge", has_text=re.compile(r"^CAT$")))
        assert cat.count() == 1 and "refrain from forcibly returning escapees" in cat.inner_text()
        score = float(re.search(r"score (\d\.\d\d)", cat.inner_text()).group(1))
        assert 0.45 <= score <= 1
        assert cat.get_by_role("link", name="CAT/C/CHN/CO/5").get_attribute("href") == \
            "https://docs.un.org/en/CAT/C/CHN/CO/5"
        assert "residential surveillance" not in panel.inner_text()  # the same committee on another point
        assert "CERD/C/CHN/CO/14-17" in panel.inner_text()

        # The body facet switches the same search to the Committee against Torture.
        page.goto(search_url)
        bodies = page.locator("details.facet[data-facet='body']")
        bodies.get_by_role("link", name="CAT", exact=True).click()
        page.wait_for_url(re.compile(r"body=CAT"))
        assert "sur=China" in page.url and "cycle=" not in page.url  # no cycle for a committee: left out
        assert page.get_by_role("alert").count() == 0
        found = page.locator("ol.results li.mechanism")
        assert found.count() == 1 and "refrain from forcibly returning escapees" in found.inner_text()
        assert found.get_by_role("link", name="CAT/C/CHN/CO/5").count() == 1
        assert "1 record of other UN mechanisms" in page.locator(".result-count").inner_text()

        # China's page says which cycles are loaded and from where.
        page.goto("/states/china/")
        coverage = page.locator("#coverage")
        rows = {int(m.group(1)): text for text in coverage.locator("li").all_inner_texts()
                if (m := re.match(r"Cycle (\d)", text))}
        assert "UPR Info database" in rows[1] and "UPR Info database" in rows[2]
        assert rows[4].startswith("Cycle 4 (session 45, 2024): 6 recommendations from "
                                  "OHCHR Universal Human Rights Index")
        assert "not yet held" in rows[5]
