"""The one way from what a person typed to a ``State`` row: a slug, an ISO code or any alias.

``records.states.resolve_state`` reads the states table (no database); this adds the row. Every page,
endpoint and command that takes a state name uses ``find_state``, so they accept the same names and
answer an unknown one with the same message and its close matches.
"""

from __future__ import annotations

from uprwatch.errors import NotFound
from uprwatch.records.models import State
from uprwatch.records.states import UnknownStateError, resolve_state


class StateNotFound(NotFound):
    """A name that resolves to no state (the message carries close matches), or a state not in the database."""


def find_state(name_or_slug: str) -> State:
    """The state a user means: a slug, an ISO code or any alias known to the states table.

    :raises StateNotFound: for an unknown name (with suggestions) or a state the database lacks
    """
    state = State.objects.filter(slug=name_or_slug).first()
    if state is not None:
        return state
    try:
        record = resolve_state(name_or_slug)
    except UnknownStateError as exc:
        raise StateNotFound(str(exc)) from None
    state = State.objects.filter(iso3=record.iso3).first()
    if state is None:
        raise StateNotFound(f"{record.name} is not in the database (run `uprwatch init`)")
    return state
