"""The audit log: who created, changed, deleted or published which tracking data, with before/after."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

from django.db import models

from uprwatch.tracking.models import AuditEntry, Organisation

EXPORT_FIELDS = ["id", "at", "username", "action", "object_type", "object_id", "before", "after"]


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's field values (and many-to-many ids) as JSON-safe data."""
    data = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _plain(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def object_type(obj: models.Model) -> str:
    """What the log calls ``obj``'s kind: its model's name, or the name the model had (``audit_type``)."""
    return getattr(obj, "audit_type", obj._meta.model_name)


def record(user, action: str, obj: models.Model, *, before: dict | None = None, after: dict | None = None,
           organisation: Organisation | None = None) -> AuditEntry:
    organisation = organisation or getattr(obj, "organisation", None)
    return AuditEntry.objects.create(
        organisation=organisation if isinstance(organisation, Organisation) else None,
        user=user if getattr(user, "is_authenticated", False) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def tombstone(obj: models.Model) -> dict:
    """What the audit log keeps of deleted evidence: where it was, not what it said."""
    return {"id": obj.pk, "assessment_id": getattr(obj, "assessment_id", None),
            "event_id": getattr(obj, "event_id", None), "content": "removed when the evidence was deleted"}


def forget(obj: models.Model) -> int:
    """Blank the content of ``obj`` in its earlier audit entries (its citation, quote, file name...).

    The log stays append-only for everything else: entries keep who did what and when. A deleted
    evidence item's text must not survive in the log, its exports or a dump.
    """
    stub = tombstone(obj)
    entries = AuditEntry.objects.filter(object_type=object_type(obj), object_id=str(obj.pk))
    return (entries.filter(before__isnull=False).update(before=stub)
            + entries.filter(after__isnull=False).update(after=stub))


def entries_for(organisation: Organisation):
    return AuditEntry.objects.filter(organisation=organisation).order_by("-at", "-id")


def entry_dict(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk, "at": entry.at.isoformat(), "username": entry.username, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "before": entry.before, "after": entry.after,
    }


def export(organisation: Organisation, fmt: str) -> str:
    """The organisation's audit log as ``csv`` or ``json`` text (oldest first)."""
    rows = [entry_dict(e) for e in entries_for(organisation).order_by("at", "id")]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: use csv or json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        row["before"] = json.dumps(row["before"], ensure_ascii=False) if row["before"] is not None else ""
        row["after"] = json.dumps(row["after"], ensure_ascii=False) if row["after"] is not None else ""
        writer.writerow(row)
    return out.getvalue()
