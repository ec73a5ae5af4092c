"""Text a person typed must fit the column it is stored in, on every database.

SQLite stores a 10,000-character campaign name in a ``varchar(200)`` and a NUL character anywhere;
PostgreSQL refuses both (``DataError``). Checking here, before the row is saved, gives the same
answer on both: ``Invalid`` naming the field (400 on the web, 422 in the API, ``Error:`` in the CLI),
and nothing is written (the services save inside a transaction).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from uprwatch.tracking.errors import Invalid


def check_text(instance: models.Model, only: Iterable[str] | None = None) -> None:
    """Raise ``Invalid`` when a text field of ``instance`` (of ``only``, when given) is longer than its
    column or holds a NUL."""
    names = set(only) if only is not None else None
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if names is not None and field.name not in names and field.attname not in names:
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        label = field.name.replace("_", " ")
        if "\x00" in value:
            raise Invalid(f"{label} contains a NUL character", field=field.name)
        if field.max_length is not None and len(value) > field.max_length:
            raise Invalid(f"{label} is {len(value):,} characters long; the limit is {field.max_length:,}",
                          field=field.name)


def check_before_save(sender, instance: models.Model, raw: bool = False,
                      update_fields: Iterable[str] | None = None, **kwargs) -> None:
    """``pre_save`` receiver for the models people write to (``raw``: loading a dump, already stored once).

    With ``update_fields`` only those are checked: revoking a token stored before this check existed
    (an overlong name, kept by SQLite) must not fail on a field the save does not write.
    """
    if not raw:
        check_text(instance, update_fields)


def parse_version(value: int | str | None) -> int | None:
    """The version a form or request says it edited (None when not sent); ``Invalid`` when not a number."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"version must be a whole number, not {str(value)[:40]!r}") from None
