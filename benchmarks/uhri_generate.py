"""Write a UHRI-format export (JSON or XLSX) of N records from the real texts, for the scale run.

UPR records: every UPR Info row of the bundled dataset (cycles 1-2, real texts, the recommending state
as UPR Info has it, so the sync merges them into those rows), then the same texts perturbed (a dropped
or swapped word, a copy marker) for cycles 3 and 4 at each state's calendar session; the rest are other
mechanisms' records (treaty bodies, special procedures) made from the texts in committee wording. The
quirks of the real export are sprinkled in: "- " prefixes, paragraph prefixes of every form, HTML and
entities, ISO-2 codes, observer asterisks, "Response of ..." rows, content-free rows, committees under
their two names, a UUID where the type's label belongs.

    python benchmarks/uhri_generate.py --records 270000 --output /tmp/uhri-270k.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from search_scale import perturb  # the same text perturbation as the search scale run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BODIES = [("- CAT", "CAT"), ("Committee against Torture", "CAT"), ("- CRC", "CRC"),
          ("Committee on the Rights of the Child", "CRC"), ("- CEDAW", "CEDAW"), ("- CCPR", "CCPR"),
          ("- CESCR", "CESCR"), ("- CERD", "CERD"), ("- CRPD", "CRPD"), ("- CMW", "CMW"), ("- CED", "CED"),
          ("- SR on torture", "SR"), ("- SR on freedom of expression", "SR"), ("- WG on Arbitrary Detention", "WG"),
          ("- IE on sexual orientation and gender identity", "IE")]
PARAGRAPH_FORMS = ("{p}.{n} {t}", "{p}.{n}. {t}", "Recommendation No. {n}, para. {p}: {n}. {t}",
                   "para. {p}: {t}", "{n}. {t}")



def council_session(year: int, rng: random.Random) -> int:
    """A Human Rights Council session of that year or the next (where the Working Group's report goes)."""
    first = 4 + 3 * (year - 2007)
    return max(4, first + rng.randrange(0, 4))


def generate(total: int, seed: int = 17) -> Iterator[dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
    import django

    django.setup()
    from uprwatch.calendar.schedule import Schedule
    from uprwatch.records.states import load_states
    from uprwatch.records.upr_info import RECOMMENDATIONS_BUNDLE

    rng = random.Random(seed)
    states = {s.iso3: s for s in load_states()}
    schedule = Schedule(include_database=False)
    sessions = {(e.iso3, e.cycle): (e.session, e.year) for e in schedule.all_reviews()}
    with gzip.open(RECOMMENDATIONS_BUNDLE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    upr_total = int(total * 0.475)
    made = 0
    ids = iter(lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)), None)

    def upr(row: dict, text: str, cycle: int, session: int, year: int, number: int) -> dict:
        sur = states[row["sur"]]
        recommending = [states[c] for c in row["by"] if c in states]
        names = [(s.iso2 if rng.random() < 0.02 else s.name + ("*" if not s.is_member else "")) for s in recommending]
        form = rng.choice(PARAGRAPH_FORMS)
        body = form.format(p=80 + cycle * 10 + session % 7, n=number, t=text)
        if rng.random() < 0.1:
            body = f"<p>{body.replace(' ', '&nbsp;', 1)}</p>"
        council = council_session(year, rng)
        return {
            "AnnotationId": next(ids), "AnnotationType": "- Recommendations" if rng.random() > 0.01 else str(uuid.uuid4()),
            "Body": "- UPR", "Countries": [f"- {sur.name}"], "Regions": [sur.regional_group],
            "DocumentId": next(ids), "Symbol": f"A/HRC/{council}/{session % 20 + 1}",
            "PublicationDate": f"{year}-06-01T00:00:00", "PublicationDateOnUhri": "2026-04-12T11:59:28",
            "Themes": rng.sample(["Refugees & asylum seekers", "Torture", "Death penalty", "Women's rights",
                                  "Rights of the child", "Freedom of expression"], 2),
            "AffectedPersons": ["General"], "Sdgs": ["16.3 - Promote the rule of law"] if rng.random() < 0.3 else [],
            "Text": body, "UprCycle": None, "UprSession": [f"- {session}th Session - Cycle {cycle}"],
            "UprPositions": [rng.choice(["Supported", "Noted", "Supported/Noted"])] if cycle > 2 else
            ["Supported" if row["response"] == "supported" else "Noted"],
            "UprRecommendingCountry": names, "UprRecommendingRegions": [],
        }

    # cycles 1-2: the real rows, grouped by review as the export groups them by document
    rows.sort(key=lambda r: (r["session"], r["sur"]))
    for number, row in enumerate(rows, start=1):
        if made >= upr_total:
            break
        session = row["session"]
        year = {1: 2008, 2: 2008, 3: 2008, 4: 2009, 5: 2009, 6: 2009, 7: 2010, 8: 2010, 9: 2010, 10: 2011,
                11: 2011, 12: 2011, 13: 2012, 14: 2012, 15: 2013, 16: 2013, 17: 2013, 18: 2014, 19: 2014,
                20: 2014}[session]
        yield upr(row, row["text"], 1 if session <= 12 else 2, session, year, number % 250 + 1)
        made += 1
    copy = 0
    while made < upr_total:
        copy += 1
        for cycle in (3, 4):
            for number, row in enumerate(rows, start=1):
                if made >= upr_total:
                    break
                placed = sessions.get((row["sur"], cycle))
                if placed is None or placed[1] > 2026:
                    continue
                yield upr(row, perturb(row["text"], rng, copy), cycle, placed[0], placed[1], number % 250 + 1)
                made += 1
    # a few rows that are not recommendations
    for _ in range(max(1, total // 2000)):
        yield {"AnnotationId": next(ids), "AnnotationType": "- Recommendations", "Body": "- UPR",
               "Countries": ["- China"], "Symbol": "A/HRC/25/5/Add.1", "Text": "Response of China to the recommendations",
               "UprSession": ["- 17th Session - Cycle 2"]}
        yield {"AnnotationId": next(ids), "AnnotationType": "- Recommendations", "Body": "- UPR",
               "Countries": ["- China"], "Symbol": "A/HRC/25/5", "Text": "<p>&nbsp;</p>", "UprSession": []}
        made += 2
    member = [s for s in states.values() if s.is_member]
    while made < total:
        row = rows[made % len(rows)]
        body, code = BODIES[made % len(BODIES)]
        state = states.get(row["sur"]) or rng.choice(member)
        wording = "The Committee recommends that the State party " if code not in ("SR", "WG", "IE") else \
            "The State should "
        text = wording + row["text"][0].lower() + row["text"][1:]
        year = rng.randrange(2008, 2026)
        yield {
            "AnnotationId": next(ids), "AnnotationType": rng.choice(["- Recommendations", "- Concerns/Observations"]),
            "Body": body, "Countries": [f"- {state.name}"], "Regions": [state.regional_group], "DocumentId": next(ids),
            "Symbol": f"{code}/C/{state.iso3}/CO/{rng.randrange(1, 7)}", "PublicationDate": f"{year}-03-01T00:00:00",
            "PublicationDateOnUhri": "2026-04-12T11:59:28", "Themes": ["Torture"], "AffectedPersons": ["General"],
            "Sdgs": ["16.2 - Protect children from abuse, exploitation, trafficking and violence"]
            if rng.random() < 0.2 else [], "Text": perturb(text, rng, made), "UprCycle": None, "UprSession": [],
            "UprPositions": [], "UprRecommendingCountry": [], "UprRecommendingRegions": [],
        }
        made += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=270_000)
    parser.add_argument("--output", required=True)
    parser.add_argument("--format", choices=["json", "xlsx"], default="json")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    from uprwatch.sources.uhri_writer import write_json, write_xlsx

    writer = write_json if args.format == "json" else write_xlsx
    count = writer(generate(args.records, args.seed), args.output)
    print(json.dumps({"records": count, "output": args.output, "bytes": os.path.getsize(args.output)}))


if __name__ == "__main__":
    main()
