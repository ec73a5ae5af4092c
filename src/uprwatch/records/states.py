"""The UN states table and the name resolver.

The table lives in ``uprwatch/data/states.csv`` (193 member states, the Holy See and the State of
Palestine). Names are resolved by *normalised alias lookup* only: an unknown name raises
``UnknownStateError`` naming it, with close matches as suggestions — never a fuzzy guess, because a
fuzzy match silently attributes a recommendation to the wrong state (pycountry, for instance, maps
"Republic of Korea" to North Korea).
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from uprwatch.errors import NotFound

STATES_FILE = Path(__file__).resolve().parent.parent / "data" / "states.csv"

# UPR Info's spellings of the regional groups.
REGIONAL_GROUP_ALIASES = {
    "africa": "African",
    "african": "African",
    "asia": "Asia-Pacific",
    "asia pacific": "Asia-Pacific",
    "asia-pacific": "Asia-Pacific",
    "eeg": "EEG",
    "eastern european": "EEG",
    "grulac": "GRULAC",
    "weog": "WEOG",
}

_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_STOPWORDS = {"the"}


class UnknownStateError(NotFound):
    """A state name that is not in the table (nor any of its aliases)."""

    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = suggestions or []
        message = f"unknown state name: {name!r}"
        if self.suggestions:
            message += " (did you mean: " + ", ".join(self.suggestions) + "?)"
        super().__init__(message)

    def __str__(self) -> str:  # LookupError would repr() the args
        return self.args[0]


@dataclass(frozen=True)
class StateRecord:
    iso3: str
    iso2: str
    name: str
    regional_group: str  # "" for the two observer states
    is_member: bool
    aliases: tuple[str, ...] = field(default=())
    # Names of the people ("North Korean", "Congolese"): search expands them to the state's names. Not
    # aliases: one demonym can name several states ("Korean", "Dominican"), an alias only one.
    demonyms: tuple[str, ...] = field(default=())


def normalise_name(name: str) -> str:
    """Fold a state name to its lookup key.

    Case, accents and apostrophes are folded, "&" reads "and", "St"/"St." reads "Saint", punctuation
    becomes space and the word "the" is dropped ("the Gambia", "Democratic Republic of Congo").
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text)
    words = []
    for word in text.split():
        if word in _STOPWORDS:
            continue
        words.append("saint" if word == "st" else word)
    return " ".join(words)


@functools.lru_cache(maxsize=1)
def load_states(path: Path = STATES_FILE) -> tuple[StateRecord, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(
            StateRecord(
                iso3=row["iso3"],
                iso2=row["iso2"],
                name=row["name"],
                regional_group=row["regional_group"],
                is_member=row["is_member"] == "1",
                aliases=tuple(a for a in row["aliases"].split(";") if a),
                demonyms=tuple(d for d in (row.get("demonyms") or "").split(";") if d),
            )
            for row in csv.DictReader(handle)
        )


@functools.lru_cache(maxsize=1)
def _alias_index() -> dict[str, StateRecord]:
    index: dict[str, StateRecord] = {}
    for state in load_states():
        for key in (state.name, state.iso3, state.iso2, *state.aliases):
            folded = normalise_name(key)
            other = index.get(folded)
            if other is not None and other.iso3 != state.iso3:
                raise ValueError(f"alias {key!r} names both {other.name} and {state.name}")
            index[folded] = state
    return index


def resolve_state(name: str) -> StateRecord:
    """Return the state a name refers to, or raise ``UnknownStateError``."""
    key = normalise_name(name or "")
    state = _alias_index().get(key)
    if state is None:
        raise UnknownStateError(name, suggest_states(name))
    return state


def try_resolve_state(name: str) -> StateRecord | None:
    try:
        return resolve_state(name)
    except UnknownStateError:
        return None


def suggest_states(name: str, limit: int = 3) -> list[str]:
    """Close matches, for error messages only (never used to resolve)."""
    index = _alias_index()
    keys = difflib.get_close_matches(normalise_name(name or ""), list(index), n=limit * 3, cutoff=0.6)
    seen: list[str] = []
    for key in keys:
        official = index[key].name
        if official not in seen:
            seen.append(official)
    return seen[:limit]
