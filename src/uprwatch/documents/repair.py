"""Repair the damage PDF text extraction does to UN documents.

Pure string functions, fuzzed with hypothesis: page furniture (running symbol, page number, job number
such as ``GE.13-18855``, barcode ``*1318855*``) that lands in the middle of a paragraph, words
hyphenated at line ends, words split by stray spaces ("countri es"), footnote marks glued to words.
"""

from __future__ import annotations

import re
from collections import Counter

_FURNITURE = [
    re.compile(r"^\s*A/HRC/[\w./ ]*\*?\s*$"),  # running symbol, alone or with a page number
    re.compile(r"^\s*\d{1,3}\s*$"),  # page number
    re.compile(r"^\s*(?:\d{1,3}\s+)?GE[.:]\s?\d{2}-\d{4,6}.*$"),  # job number, maybe with a page number
    re.compile(r"^\s*A/HRC/[\w./]+\s+\d{1,3}\s*$"),
    re.compile(r"^\s*\d{1,3}\s+A/HRC/[\w./]+\s*$"),
    re.compile(r"^\s*\*\d{6,8}\*\s*$"),  # barcode
    re.compile(r"^\s*page\s+\d{1,3}\s*$", re.I),  # "Page 13" (2008-2009 reports)
    re.compile(r"^\s*\*\*?\s*(?:Conclusions and recommendations|The conclusions and).*(?:edited|issued)\.?[\s\d]*$", re.I),
    re.compile(r"^\s*\[English only\]\s*$", re.I),
]


def is_page_furniture(line: str) -> bool:
    return any(pattern.match(line) for pattern in _FURNITURE)


def strip_page_furniture(pages: list[str]) -> str:
    """Join pages into one text without running headers, page and job numbers."""
    kept = []
    for page in pages:
        for line in page.split("\n"):
            if not is_page_furniture(line):
                kept.append(line.rstrip())
    return "\n".join(kept)


def normalise_characters(text: str) -> str:
    """PDFium marks soft hyphens at line ends with U+FFFE; unify dashes, quotes and spaces."""
    text = text.replace("\ufffe", "\u00ad")
    text = re.sub(r"\u00ad\s*", "", text)  # soft hyphen: the word continues on the next line
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\t", " ")
    text = text.replace("\u2010", "-").replace("\u2011", "-")
    return text


def join_lines(text: str) -> str:
    """Unwrap lines into running text, undoing end-of-line hyphenation of lower-case words."""
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    return re.sub(r" {2,}", " ", text).strip()


def remove_footnote_marks(text: str) -> str:
    """Drop footnote numbers glued to a word or a closing punctuation mark ("Convention,12 and")."""
    return re.sub(r"(?<=[a-z),;:”’])\d{1,2}(?=[\s,.;]|$)", "", text)


# Footnotes that quote a recommendation as first worded; PDF text puts them wherever the page breaks,
# often inside a paragraph of the recommendations section.
# The quote may be followed by its state ("... trafficking” (Costa Rica).") and, on the same line, the
# number of the next footnote; since 2014 the quote marks may be missing ("...: ratify the ILO
# Convention No. 169 within a reasonable timeframe (Gabon). 5"), the state in parentheses ending it.
_STATE_PARENTHESIS = r"\((?:[^()]|\([^()]*\))*\)"
_QUOTED_FOOTNOTE = re.compile(
    # the footnote's number may stand on a line of its own before it ("so that it can\n1\n The
    # recommendation as read during the dialogue: ..."), and "interactive" may be left out
    r"(?:^|\n)(?:[ \t]*\d{1,3}[ \t]*(?=\n[ \t]*The\s))?\n?[ \t]*[”\"]?[ \t]*\d{0,3}[ \t]*The\s+(?:original\s+)?recommendations?\s+"
    r"(?:as\s+originally\s+(?:formulated|worded)|"
    r"(?:as\s+|has\s+)?(?:read|delivered|made)(?:\s+out)?\s+during\s+the\s+(?:interactive\s+)?dialogue)"
    r"\s*(?:(?:was|were)\s*)?(?:as\s+follows\s*)?:?\s*"
    rf"(?:[“\"][^”\"]{{0,2000}}[”\"]\.?(?:\s*{_STATE_PARENTHESIS})?|[^“\"]{{0,2000}}?{_STATE_PARENTHESIS})"
    r"\.?[ \t]*\d{0,3}[ \t]*(?=\n|$)",
    re.I,
)


def remove_quoted_footnotes(text: str) -> str:
    """Drop "The original recommendation as read during the interactive dialogue: “...”" footnotes."""
    # two footnotes on one line: "... (Argentina). 10 The recommendation as read ...", "...” 4 The
    # recommendation made during ...": the second starts a line of its own, its number with it
    text = re.sub(r"(?<=[.”\")])[ \t]+(?=\d{1,3}[ \t]+The\s+(?:original\s+)?recommendations?\s+(?:as|made|has)\s)",
                  "\n", text)
    return _QUOTED_FOOTNOTE.sub("", text)


_WORD = re.compile(r"[A-Za-z]+")


def vocabulary(text: str) -> Counter:
    return Counter(w.lower() for w in _WORD.findall(text))


def repair_split_words(text: str, words: Counter | None = None) -> str:
    """Join "countri es" into "countries" when the joined form is a word of the document.

    The document itself is the dictionary: a split is repaired only when the joined word occurs
    elsewhere and at least one half is not a word on its own, so "a n" or "in deed" stay apart
    unless the pieces are nonsense.
    """
    words = words if words is not None else vocabulary(text)
    tokens = text.split(" ")
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if index + 1 < len(tokens):
            left = re.search(r"[A-Za-z]{2,}$", token)
            right = re.match(r"[a-z]+", tokens[index + 1])
            if left and right and left.start() == len(token) - len(left.group()) and (
                    re.fullmatch(r"\W*[A-Za-z]+", token)):
                pieces = (left.group(), right.group())
                joined = (pieces[0] + pieces[1]).lower()
                if words.get(joined, 0) and (words.get(pieces[0].lower(), 0) <= 1 or words.get(pieces[1].lower(), 0) <= 1):
                    tokens[index + 1] = token + tokens[index + 1]
                    index += 1
                    continue
        out.append(token)
        index += 1
    return " ".join(out)


def clean_text(text: str, words: Counter | None = None) -> str:
    """One recommendation's text, ready to store."""
    text = join_lines(normalise_characters(text))
    text = repair_split_words(text, words)
    text = re.sub(r"\s+([,;:.)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    return text.strip()
