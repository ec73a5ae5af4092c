"""Hypothesis on the state-name resolver: it never guesses, never crashes, and folding is stable."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uprwatch.records.states import (
    UnknownStateError,
    load_states,
    normalise_name,
    resolve_state,
    try_resolve_state,
)

STATES = load_states()
names = st.sampled_from([s.name for s in STATES] + [a for s in STATES for a in s.aliases])


def _decorate(name: str, case: str, the: bool, spaces: int) -> str:
    text = {"upper": name.upper(), "lower": name.lower(), "title": name.title(), "same": name}[case]
    text = text.replace(" ", " " * spaces)
    return ("the " if the else "") + text


@given(names, st.sampled_from(["upper", "lower", "title", "same"]), st.booleans(), st.integers(1, 3))
def test_case_spacing_and_the_do_not_change_the_state(name, case, the, spaces):
    expected = resolve_state(name)
    assert resolve_state(_decorate(name, case, the, spaces)).iso3 == expected.iso3


@given(st.text(max_size=80))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_text_resolves_or_raises_a_clear_error(text):
    try:
        state = resolve_state(text)
    except UnknownStateError as exc:
        assert repr(text) in str(exc)
        assert all(suggestion in {s.name for s in STATES} for suggestion in exc.suggestions)
    else:
        # Never a fuzzy guess: whatever resolves has exactly the folded key of a known name.
        keys = {normalise_name(k) for k in (state.name, state.iso3, state.iso2, *state.aliases)}
        assert normalise_name(text) in keys


@given(st.text(max_size=60))
def test_normalising_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(names, st.text(alphabet=string.ascii_letters, min_size=3, max_size=8))
def test_a_name_with_extra_words_is_not_silently_accepted(name, junk):
    extended = f"{name} {junk}xq"
    assert try_resolve_state(extended) is None or normalise_name(extended) in {
        normalise_name(k) for s in STATES for k in (s.name, s.iso3, s.iso2, *s.aliases)
    }


def test_known_traps():
    assert resolve_state("Republic of Korea").iso3 == "KOR"
    assert resolve_state("DPR Korea").iso3 == "PRK"
    assert resolve_state("Côte d’Ivoire").iso3 == resolve_state("Cote d'Ivoire").iso3 == "CIV"
