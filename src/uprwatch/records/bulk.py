"""Fast bulk inserts for the initial load.

``QuerySet.bulk_create`` spends most of its time compiling SQL per object (about 90 % of
``uprwatch init`` when measured); the dataset load inserts ~200,000 rows, so it goes through
``executemany`` instead. Defaults, ``auto_now`` fields and value preparation (JSON, dates) still
come from the model's fields, so a column added later with a default keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

# Field types whose Python values need the backend's conversion before executemany.
_PREPARED_TYPES = {"JSONField", "DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField"}


def next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def insert_rows(model: type[models.Model], rows: Iterable[dict], *, explicit_ids: bool = False) -> int:
    """Insert dicts keyed by field attname (``review_id``, ``text``, ...); return the row count.

    With ``explicit_ids`` each row carries its ``id``; the table's sequence is reset afterwards
    (PostgreSQL does not advance it for explicit values).
    """
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if explicit_ids or not f.primary_key]
    defaults: dict[str, object] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:  # the declared default, else "" or None as Django itself would store
            defaults[field.attname] = field.get_default()
    prepared = [f for f in fields if f.get_internal_type() in _PREPARED_TYPES]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    attnames = [f.attname for f in fields]

    def values(row: dict) -> list:
        merged = {**defaults, **row}
        for field in prepared:
            merged[field.attname] = field.get_db_prep_save(merged[field.attname], connection)
        return [merged[name] for name in attnames]

    batch: list[list] = []
    count = 0
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(values(row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
        if explicit_ids:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
    return count
