"""State names as UN documents write them: in parentheses after a recommendation, inverted, run together."""

from __future__ import annotations

import difflib
import functools
import re

from uprwatch.records.states import load_states, normalise_name, try_resolve_state

_STYLED_NAME = re.compile(
    r"^(?:the\s+)?(?:[A-Z][a-z]+\s+)?(?:Republic|State|Kingdom|Principality|Commonwealth|Sultanate)\s+of\s+(?:the\s+)?(.+)$"
)


@functools.lru_cache(maxsize=8192)  # a failed lookup ranks suggestions (difflib): never twice per name
def lookup_state(name: str) -> str | None:
    """ISO3 of a state name as UN documents spell it, or None.

    ISO codes are not names (``_named``). Beyond the states table's aliases, two spelling slips of real
    reports are repaired, neither of them a guess: a styled name the table does not list ("Plurinational Republic of Bolivia",
    "the Republic of the Marshall Islands") is read by its short name, and a name whose words ran
    together in the PDF ("TimorLeste") matches the table with spaces ignored.
    """
    name = re.sub(r"\s+", " ", name).strip(" .;,")
    if len(name) < 2 or len(name) > 80:
        return None
    if (state := try_resolve_state(name)) and _named(name, state):
        return state.iso3
    if (styled := _STYLED_NAME.match(name)) and (state := try_resolve_state(styled.group(1))):
        return state.iso3
    return _squashed_index().get(normalise_name(name).replace(" ", ""))


def _named(name: str, state) -> bool:
    """Whether ``name`` is one of the state's names or aliases rather than a bare ISO code.

    Reports never name a state by its code, and in prose the codes are ordinary words: "It recommended"
    is not Italy, "and" not Andorra, "(NLD)" the National League for Democracy. The acronyms reports do
    use ("USA", "UK") are aliases in the states table.
    """
    key = normalise_name(name)
    return key not in (normalise_name(state.iso2), normalise_name(state.iso3)) or key in {
        normalise_name(alias) for alias in state.aliases}


@functools.lru_cache(maxsize=1)
def _squashed_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for state in load_states():
        for alias in (state.name, *state.aliases):
            index.setdefault(normalise_name(alias).replace(" ", ""), state.iso3)
    return index


# Words that style a state's name without naming it ("Costa Rica Republic", "Russia Federation").
_STYLE_WORDS = frozenset("republic of the state states kingdom federation federal islamic plurinational bolivarian "
                         "democratic people s peoples united".split())


@functools.lru_cache(maxsize=4096)
def lookup_misspelt_state(name: str) -> str | None:
    """ISO3 of a state name with a typing slip, as reports of 2009-2014 have them in parentheses: "United
    Sates of America", "New Zeeland", "Holly See", "Islamic Republic Iran", "Costa Rica Republic".

    Only for text already known to be a name (a parenthesis after a recommendation, the State under
    Review line), never for prose: a name of eight letters or more whose spelling is within a few
    letters of exactly one name or alias of the states table (similarity >= 0.88, the runner-up at
    least 0.05 behind), or whose significant words are those of exactly one state.
    """
    name = re.sub(r"\s+", " ", name).strip(" .;,")
    if state := lookup_state(name):
        return state
    key = normalise_name(name)
    if len(key.replace(" ", "")) < 8 or len(key) > 80 or not re.search(r"[a-z]{3}", key):
        return None
    spaced = _spaced_index()
    scores = sorted(((difflib.SequenceMatcher(None, key, alias, autojunk=False).ratio(), code)
                     for alias, code in spaced.items()
                     if abs(len(alias) - len(key)) <= max(4, len(key) // 4)), reverse=True)
    if scores and scores[0][0] >= 0.88:
        rivals = [s for s, code in scores[1:] if code != scores[0][1]]
        if not rivals or rivals[0] <= scores[0][0] - 0.05:
            return scores[0][1]
    words = set(key.split()) - _STYLE_WORDS
    if words:
        found = {code for alias, code in spaced.items() if set(alias.split()) - _STYLE_WORDS == words}
        if len(found) == 1:
            return found.pop()
    return None


@functools.lru_cache(maxsize=1)
def _spaced_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for state in load_states():
        for alias in (state.name, *state.aliases):
            if len(normalise_name(alias).replace(" ", "")) >= 4:
                index.setdefault(normalise_name(alias), state.iso3)
    return index


def _run_of_names(part: str) -> list[str] | None:
    """"United Kingdom France": names a report ran together without a comma, read longest first."""
    words = part.split()
    found: list[str] = []
    start = 0
    while start < len(words):
        if (named := _longest_name_at(words, start)) is None:
            return None
        code, start = named
        found.append(code)
    return found if len(found) > 1 else None


def _longest_name_at(words: list[str], start: int) -> tuple[str, int] | None:
    """(ISO3, index after the name) of the longest state name (up to 7 words) starting at ``start``."""
    for end in range(min(len(words), start + 7), start, -1):
        if code := lookup_state(" ".join(words[start:end])):
            return code, end
    return None


def split_state_names(content: str) -> list[str] | None:
    """ISO3 codes if every name in a parenthesis is a state, else None."""
    content = re.sub(r"\s+", " ", content).strip(" ;,")
    if not content:
        return None
    whole = lookup_state(content)
    if whole:
        return [whole]
    codes = []
    for part in re.split(r"\s*[,;/]\s*", content):
        part = re.sub(r"^(?:and|&)\s+", "", part)  # "(Slovenia, Argentina, France, and Sweden)"
        if not part:
            continue
        state = lookup_state(part)
        if state:
            codes.append(state)
            continue
        pieces = [lookup_state(p) for p in re.split(r"\s+and\s+", part)]
        if len(pieces) > 1 and all(pieces):
            codes.extend(pieces)
            continue
        if run := _run_of_names(part):
            codes.extend(run)
            continue
        if state := lookup_misspelt_state(part):
            codes.append(state)
            continue
        return None
    return codes or None


# "Iran (Islamic Republic of)", also as some reports type it, "Iran (Islamic republic of)".
_INVERTED_NAME = re.compile(r"\b([A-Z][a-z]+)\s*\(((?:[A-Z][a-z]+\s+)*(?:[Rr]epublic|[Ss]tates?)\s+of)\s*\)")


def uninvert_state_names(text: str) -> str:
    """"Venezuela (Bolivarian Republic of)" -> "Bolivarian Republic of Venezuela": no nested parentheses."""
    return _INVERTED_NAME.sub(lambda m: f"{m.group(2)} {m.group(1)}", text)


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:of|the|and|[A-Z][\w'’-]*))*")


def states_named(text: str) -> list[str]:
    """The states a sentence names, in order: each run of capitalised words, longest name first."""
    found = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group().split()
        start = 0
        while start < len(words):
            if (named := _longest_name_at(words, start)) is None:
                start += 1
                continue
            code, start = named
            found.append(code)
    return found
