"""Paragraph references as the addenda write them: "140.7, 140.8", "140.7–140.12", "140.82-85, 87", "1–5".

``parse_references`` expands such a list into paragraph strings in document order. A bare number
after a dotted one continues its parent ("140.82-85, 87" is 140.82–140.85 and 140.87); bare numbers
with no parent stay bare ("1–5" is 1, 2, 3, 4, 5) and the ingest matches them to the report's
sub-paragraphs.
"""

from __future__ import annotations

import re

MAX_RANGE = 400  # a range wider than any report's list is a misreading, not a range

_DASH = r"\s*[-–—]\s*"
_ITEM = re.compile(rf"(?:(\d{{1,3}})\.)?(\d{{1,3}})(?:{_DASH}(?:(\d{{1,3}})\.)?(\d{{1,3}}))?")


def parse_references(text: str) -> list[str]:
    """Expand a list of paragraph references; unparseable pieces are skipped, never guessed."""
    found: list[str] = []
    parent: str | None = None
    text = text.replace("\u2013", "–")
    for match in _ITEM.finditer(text):
        head, first, end_head, last = match.groups()
        if head is not None:
            parent = head
        prefix = f"{parent}." if parent is not None else ""
        start = int(first)
        if last is None:
            found.append(prefix + str(start))
            continue
        stop = int(last)
        if end_head is not None and parent is not None and end_head != parent:
            continue  # "140.7–141.2" crosses paragraphs: not a range we can expand
        if stop < start or stop - start > MAX_RANGE:
            found.append(prefix + str(start))
            continue
        found.extend(prefix + str(n) for n in range(start, stop + 1))
    return list(dict.fromkeys(found))
