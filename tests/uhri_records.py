"""Real-looking UHRI export records (JSON field names) with every quirk the sources note lists.

China's 4th review (Working Group session 45, January 2024; report A/HRC/56/6) with the Republic of
Korea's recommendation on escapees from the DPRK and non-refoulement, China's 2nd-review recommendations
that UPR Info also holds, the Committee against Torture on the same point, and one record for each
known quirk and defect.
"""

from __future__ import annotations

KOREA_2024 = "a9d0c1e2-4f5b-4c6d-8e7f-000000000045"
KOREA_2013 = "a9d0c1e2-4f5b-4c6d-8e7f-000000000017"
CZECH_2013 = "a9d0c1e2-4f5b-4c6d-8e7f-000000000018"
CAT_CHINA = "c0a7c0a7-0000-4000-8000-000000000001"
CAT_CHINA_LONG = "c0a7c0a7-0000-4000-8000-000000000002"
CRC_CHINA = "c0a7c0a7-0000-4000-8000-000000000003"
SR_DPRK = "c0a7c0a7-0000-4000-8000-000000000004"

KOREA_2024_TEXT = ("Take measures to protect escapees from the Democratic People's Republic of Korea, including by "
                   "respecting the principle of non-refoulement")


def upr(annotation_id: str, text: str, countries: list[str], recommending: list[str], position: list[str] | None,
        session: str | None, symbol: str, date: str, **extra) -> dict:
    record = {
        "AnnotationId": annotation_id,
        "AnnotationType": "- Recommendations",
        "Body": "- UPR",
        "Countries": countries,
        "Regions": ["Asia-Pacific"],
        "DocumentId": "d0c00000-0000-4000-8000-" + annotation_id[-12:],
        "Symbol": symbol,
        "PublicationDate": f"{date}T00:00:00",
        "PublicationDateOnUhri": "2026-04-12T11:59:28",
        "Themes": ["Refugees & asylum seekers", "Migrants"],
        "AffectedPersons": ["Refugees & asylum seekers"],
        "Sdgs": ["10.7 - Facilitate orderly, safe, regular and responsible migration and mobility of people",
                 "16.3 - Promote the rule of law at the national and international levels and ensure equal "
                 "access to justice for all"],
        "Text": text,
        "UprCycle": None,
        "UprSession": [session] if session else [],
        "UprPositions": position or [],
        "UprRecommendingCountry": recommending,
        "UprRecommendingRegions": ["Asia-Pacific"],
    }
    record.update(extra)
    return record


def mechanism(annotation_id: str, body: str, text: str, countries: list[str], symbol: str, date: str,
              kind: str = "- Concerns/Observations", **extra) -> dict:
    record = {
        "AnnotationId": annotation_id, "AnnotationType": kind, "Body": body, "Countries": countries,
        "Regions": ["Asia-Pacific"], "DocumentId": "d0c00000-0000-4000-8000-" + annotation_id[-12:],
        "Symbol": symbol, "PublicationDate": f"{date}T00:00:00", "PublicationDateOnUhri": "2026-04-12T11:59:28",
        "Themes": ["Torture and other cruel, inhuman or degrading treatment or punishment"],
        "AffectedPersons": ["Refugees & asylum seekers"],
        "Sdgs": ["16.2 - Protect children from abuse, exploitation, trafficking and violence"],
        "Text": text, "UprCycle": None, "UprSession": [], "UprPositions": [], "UprRecommendingCountry": [],
        "UprRecommendingRegions": [],
    }
    record.update(extra)
    return record


def china_export() -> list[dict]:
    return [
        # China's 4th review: the Republic of Korea on escapees; HTML text, a paragraph prefix, noted
        upr(KOREA_2024, f"<p>161.210&nbsp;{KOREA_2024_TEXT} (Republic of Korea);</p>", ["- China"],
            ["- Republic of Korea"], ["- Noted"], "- 45th Session - Cycle 4", "A/HRC/56/6", "2024-04-26"),
        upr("a9d0c1e2-4f5b-4c6d-8e7f-000000000046",
            "161.1 Consider ratifying the International Covenant on Civil and Political Rights (France);",
            ["China"], ["France"], ["Supported/Noted"], "45th Session - Cycle 4", "A/HRC/56/6", "2024-04-26"),
        # China's 2nd review, which UPR Info also holds (session given as the Council's: 25 = A/HRC/25/5)
        upr(KOREA_2013, "186.243. Provide adequate protection to asylum seekers and cross-border refugees including "
            "especially those from neighbouring countries, in accordance with humanitarian considerations and "
            "relevant international norms such as the principle of non-refoulement (Republic of Korea);",
            ["China"], ["Republic of Korea"], ["Noted"], "- 25th Session - Cycle 2", "A/HRC/25/5", "2013-12-04"),
        upr(CZECH_2013, "186.244 Protect North Korean refugees in accordance with international law, honouring the "
            "principle of non&#8209;refoulement (Czech Republic);", ["China"], ["CZ"], ["Supported"],
            "- 17th Session - Cycle 2", "A/HRC/25/5", "2013-12-04"),
        # the Committee against Torture, under its acronym and its long name
        mechanism(CAT_CHINA, "- CAT", "<p>The State party should ensure that no person is expelled, returned "
                  "(&ldquo;refouled&rdquo;) or extradited to another State where there are substantial grounds for "
                  "believing that he or she would be in danger of being subjected to torture, and refrain from "
                  "forcibly returning escapees to the Democratic People&rsquo;s Republic of Korea.</p>",
                  ["- China"], "CAT/C/CHN/CO/5", "2016-02-03"),
        mechanism(CAT_CHINA_LONG, "Committee against Torture", "The State party should abolish the practice of "
                  "residential surveillance at a designated location and guarantee access to a lawyer.",
                  ["China"], "CAT/C/CHN/CO/5", "2016-02-03", AnnotationType="- Recommendations"),
        mechanism(CRC_CHINA, "Committee on the Rights of the Child", "Ensure that children of women from the "
                  "Democratic People's Republic of Korea born in China are registered at birth.",
                  ["China"], "CRC/C/CHN/CO/3-4", "2013-10-29",
                  AnnotationType="3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),  # a UUID where the type's label should be
        mechanism(SR_DPRK, "- SR on the situation of human rights in the Democratic People's Republic of Korea",
                  "Neighbouring States should respect the principle of non-refoulement with regard to persons "
                  "fleeing the Democratic People's Republic of Korea.", ["China"], "A/HRC/52/64", "2023-03-10",
                  AnnotationType="- Recommendations"),
        # rows that are not recommendations
        upr("a9d0c1e2-4f5b-4c6d-8e7f-0000000000f1", "Response of China to recommendations contained in para. 161",
            ["China"], [], [], "- 45th Session - Cycle 4", "A/HRC/56/6/Add.1", "2024-06-20"),
        upr("a9d0c1e2-4f5b-4c6d-8e7f-0000000000f2", "<p>&nbsp;</p>", ["China"], [], [], "- 45th Session - Cycle 4",
            "A/HRC/56/6", "2024-04-26"),
        # a session that contradicts its document (A/HRC/40/6 is China's 3rd review, 2019)
        upr("a9d0c1e2-4f5b-4c6d-8e7f-0000000000f3", "28.5 Abolish the death penalty (Iceland);", ["China"],
            ["Iceland"], ["Noted"], "- 45th Session - Cycle 4", "A/HRC/40/6", "2019-01-02"),
    ]


def quirks_export() -> list[dict]:
    """One record per quirk of the other states' records."""
    return [
        # Timor-Leste stays one state; observer asterisk; ISO-2 code in a list; "- " on every line
        upr("b0000000-0000-4000-8000-000000000001", "Recommendation No. 41, para. 81: 41. Strengthen the "
            "independence of the judiciary", ["- Timor-Leste"], ["- Guinea-Bissau", "- State of Palestine*", "- PK"],
            ["- Supported"], "- 26th Session - Cycle 2", "A/HRC/34/11", "2016-12-20"),
        upr("b0000000-0000-4000-8000-000000000002", "Recommendations contained in para. 79(a): Ratify the "
            "Convention against Torture", ["Timor-Leste"], ["Portugal"], ["Supported"], "- 12th Session - Cycle 1",
            "A/HRC/19/17", "2011-12-02"),
        upr("b0000000-0000-4000-8000-000000000003", "para. 28: Combat domestic violence", ["Timor-Leste"],
            ["Brazil"], ["Supported"], "- 12th Session - Cycle 1", "A/HRC/19/17", "2011-12-02"),
        upr("b0000000-0000-4000-8000-000000000004", "67. Adopt a national action plan on human rights",
            ["Timor-Leste"], ["Ghana"], ["Noted"], "- 12th Session - Cycle 1", "A/HRC/19/17", "2011-12-02"),
        # A/HRC/22/3 is Czechia's, though tagged Uzbekistan too
        upr("b0000000-0000-4000-8000-000000000005", "94.12 Adopt a comprehensive anti-discrimination law",
            ["Uzbekistan", "CZ"], ["Canada"], ["Supported"], "- 14th Session - Cycle 2", "A/HRC/22/3", "2012-12-12"),
        # A/HRC/18/16: to Sudan and South Sudan jointly
        upr("b0000000-0000-4000-8000-000000000006", "83.5 Cooperate on the demarcation of the border",
            ["Sudan", "South Sudan"], ["Norway"], ["Supported"], "- 11th Session - Cycle 1", "A/HRC/18/16",
            "2011-07-11"),
        # a stray position, an unknown column, an unknown body, an unknown country
        upr("b0000000-0000-4000-8000-000000000007", "94.13 Ratify the Optional Protocol to the Convention against "
            "Torture", ["Czechia"], ["Denmark"], ["Concerns/Observations"], "- 14th Session - Cycle 2", "A/HRC/22/3",
            "2012-12-12", NewField="surprise"),
        mechanism("b0000000-0000-4000-8000-000000000008", "- Committee on the Rights of Martians", "Protect Martians.",
                  ["Atlantis"], "X/1", "2020-01-01"),
        mechanism("b0000000-0000-4000-8000-000000000009", "- CRC", "Ensure that children in Guinea-Bissau are "
                  "registered at birth.", ["- Guinea-Bissau"], "CRC/C/GNB/CO/2-4", "2013-07-08"),
    ]
