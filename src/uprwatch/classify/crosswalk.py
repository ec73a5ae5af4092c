"""UPR Info issues ↔ OHCHR theme codes (``data/classify/upr-info-ohchr-crosswalk.csv``).

The OHCHR codes and names are those printed in OHCHR's thematic lists of recommendations (China
2013/2018, Slovenia cycles 2–4). ``relation`` says how close the match is: ``exact``, ``close``,
``broader``/``narrower`` (the OHCHR theme is broader/narrower than the issue), ``related``, or
``none`` (no counterpart; the row documents the gap). Built by hand from both taxonomies' definitions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CROSSWALK_FILE = Path(__file__).resolve().parent.parent / "data" / "classify" / "upr-info-ohchr-crosswalk.csv"


@dataclass(frozen=True)
class Link:
    issue: str
    code: str
    theme: str
    relation: str
    note: str


@cache
def links() -> tuple[Link, ...]:
    with open(CROSSWALK_FILE, newline="", encoding="utf-8") as handle:
        return tuple(Link(r["upr_info_issue"], r["ohchr_code"], r["ohchr_theme"], r["relation"], r["note"])
                     for r in csv.DictReader(handle))


def themes_for_issues(issues: list[str]) -> list[dict]:
    """OHCHR themes for UPR Info issues: ``[{"code", "name", "relation", "issue"}, ...]`` (no repeats)."""
    wanted, seen, out = set(issues), set(), []
    for link in links():
        if link.issue in wanted and link.code and link.code not in seen:
            seen.add(link.code)
            out.append({"code": link.code, "name": link.theme, "relation": link.relation, "issue": link.issue})
    return out


def issues_for_theme(code: str) -> list[str]:
    """UPR Info issues for an OHCHR theme code (``"G5"`` → ``["Asylum-seekers - refugees"]``)."""
    # Document labels may carry the whole heading ("G5 Refugees & asylum seekers"): the code is its first word.
    code = code.strip().split(" ")[0].upper()
    return [link.issue for link in links() if link.code == code]
