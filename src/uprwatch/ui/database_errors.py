"""Values the database cannot hold answer 400, not 500.

Request parameters are checked by type but not against what the database stores: an id too large for
its integer column reaches the driver through a join (``recommendations=<id>``), ``__in`` or raw SQL,
and a NUL character is refused by PostgreSQL's text type. The drivers raise ``OverflowError`` (SQLite)
or ``DataError`` (PostgreSQL: out of range, NUL bytes, invalid values). Whatever the view, the request
is what is wrong, so the client gets a 400 saying so, and nothing was written (each write is atomic).
The answer itself is ``ui.user_errors``'s, the web's one translation of errors.
"""

from __future__ import annotations

from django.db import DataError

# What the drivers raise for a value the database cannot hold or look up (ui.user_errors answers it).
DATABASE_VALUE_ERRORS = (OverflowError, DataError)


def describe(exception: Exception) -> str:
    text = str(exception)
    if isinstance(exception, OverflowError) or "out of range" in text:
        return "a number in the request is too large"
    if "NUL" in text:
        return "the request contains a NUL character"
    return "a value in the request cannot be stored or looked up"
