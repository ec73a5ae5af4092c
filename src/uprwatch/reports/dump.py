"""A lossless dump of the whole database and its uploaded files, and its restore into an empty database.

Format (``uprwatch-dump`` version 2): a gzipped JSON Lines file.

- line 1, the header: ``{"format": "uprwatch-dump", "version": 2, "created_at", "uprwatch_version",
  "database": <vendor>, "migrations": {app: [applied migration names]},
  "models": [{"model": "records.recommendation", "columns": [...], "count": N}, ...],
  "files": [{"name": <path under the uploads folder>, "size": N, "sha256": <hex>}, ...],
  "missing_files": [<names the database refers to that were not in the uploads folder>]}``
- one line per row: ``["records.recommendation", [value, value, ...]]`` in the header's column order;
- then the uploaded files the rows refer to (evidence files...), in the header's order, each in one or
  more lines of at most 1 MiB: ``["@file", <name>, <base64 bytes>]``;
- the trailer: ``{"end": "uprwatch-dump", "rows": N, "sha256": <hex of every line before the trailer>}``.

One file is the whole backup: the database rows and the files they name, each file with its own
checksum, which ``restore`` verifies after writing it back. Version 1 dumps (rows only) still restore.

The models are read from the app registry, so every model of every ``uprwatch.*`` app is covered
the day it is added, with Django's users, groups, their permissions and the admin log. Content types
and permissions are created by ``migrate`` with database-specific ids, so references to them are
written as natural keys (``[app_label, model]``, ``[app_label, codename]``). Values are written
in a portable form (ISO dates, decimal strings, base64 bytes) so a dump moves between SQLite and
PostgreSQL unchanged.

A dump names models and columns as they were when it was written; ``restore`` reads the names of
models renamed since (``RENAMED_MODELS``, ``RENAMED_COLUMNS``: ``tracking.watchlist`` is
``tracking.campaign`` since tracking's migration 0004) under their new names.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import os
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from uprwatch.errors import Invalid
from uprwatch.reports.output import atomic_output

FORMAT = "uprwatch-dump"
VERSION = 2
READABLE_VERSIONS = (1, 2)
FILE_RECORD = "@file"
FILE_CHUNK = 1024 * 1024
BATCH_SIZE = 2000
# Beyond uprwatch's own apps: accounts and the admin's audit log. Sessions are transient.
EXTRA_APPS = ("auth", "admin")
# ``uprwatch init`` steps that rebuild data kept outside the model tables (full-text index, vector
# files); ``uprwatch restore`` runs them after a restore. Steps that load or derive rows are not run:
# the dump already holds those rows.
DERIVED_INIT_STEPS = ("search index", "vectors", "mechanism index")

# Renamed models and columns: ``{label in older dumps: label now}`` (a model's many-to-many tables are
# named after it) and ``{(label now, column in older dumps): column now}``.
RENAMED_MODELS = {
    "tracking.watchlist": "tracking.campaign",
    "tracking.watchlist_pinned": "tracking.campaign_pinned",
    "tracking.watchlist_excluded": "tracking.campaign_excluded",
    "tracking.watchlist_states": "tracking.campaign_states",
}
RENAMED_COLUMNS = {
    ("tracking.notification", "watchlist_id"): "campaign_id",
    ("tracking.campaign_pinned", "watchlist_id"): "campaign_id",
    ("tracking.campaign_excluded", "watchlist_id"): "campaign_id",
    ("tracking.campaign_states", "watchlist_id"): "campaign_id",
}
# References to a renamed model's content type and permissions (``change_watchlist``...), by natural key.
RENAMED_CONTENT_TYPES = {("tracking", "watchlist"): ("tracking", "campaign")}
RENAMED_PERMISSIONS = {
    (app, f"{action}_{old}"): (new_app, f"{action}_{new}")
    for (app, old), (new_app, new) in RENAMED_CONTENT_TYPES.items() for action in ("add", "change", "delete", "view")
}


class DumpError(Invalid):
    """The dump file is unreadable, foreign, truncated or corrupt, or cannot be restored here."""


@dataclass
class DumpSummary:
    path: str
    rows: int
    counts: dict[str, int] = field(default_factory=dict)
    sha256: str = ""
    files: int = 0
    file_bytes: int = 0
    missing_files: list[str] = field(default_factory=list)


# --- uploaded files ----------------------------------------------------------------------------------

def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def referenced_files(chosen: list[type[models.Model]] | None = None) -> list[str]:
    """The names (relative to the uploads folder) of every file a dumped row refers to, sorted."""
    names: set[str] = set()
    for model in chosen if chosen is not None else dumped_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                names.update(n for n in model._base_manager.exclude(**{f.attname: ""})
                             .values_list(f.attname, flat=True) if n)
    return sorted(names)


def safe_upload_path(name: str) -> Path:
    """Where the uploads folder keeps ``name``; ``DumpError`` for a name that would leave it."""
    root = uploads_root().resolve()
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\x00" in name:
        raise DumpError(f"the dump names a file outside the uploads folder ({name[:80]!r}): corrupt")
    return root / relative


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(FILE_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_entries(names: list[str]) -> tuple[list[dict], list[str]]:
    present, missing = [], []
    for name in names:
        path = safe_upload_path(name)
        if path.is_file():
            present.append({"name": name, "size": path.stat().st_size, "sha256": _file_sha256(path)})
        else:
            missing.append(name)
    return present, missing


def _last_dump_record() -> Path:
    return Path(settings.HOME) / "last-dump.json"


def last_dump() -> dict | None:
    """What the last ``uprwatch dump`` on this home wrote (``uprwatch check`` compares the uploads to it)."""
    try:
        return json.loads(_last_dump_record().read_text())
    except (OSError, ValueError):
        return None


def dumped_models() -> list[type[models.Model]]:
    """Every concrete, managed model whose rows the dump holds, in a stable order."""
    chosen = []
    # A model whose migration has not been written yet has no table and so no rows to keep.
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue
        app_name = meta.app_config.name
        if app_name.startswith("uprwatch.") or meta.app_label in EXTRA_APPS:
            if meta.label in ("auth.Permission",):
                continue  # created by migrate; referenced by natural key
            chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label_lower)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]


# --- value conversion: Python (as the database returns it) <-> portable JSON ---------------------

def _encoder(f: models.Field, natural: dict) -> Callable:
    related = getattr(f, "related_model", None)
    if f.is_relation and related in natural:
        ids_to_keys = natural[related]
        return lambda v: None if v is None else ids_to_keys[v]
    if isinstance(f, models.DateTimeField | models.DateField | models.TimeField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(f, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(f, models.UUIDField):
        return lambda v: None if v is None else str(v)
    if isinstance(f, models.DurationField):
        return lambda v: None if v is None else [v.days, v.seconds, v.microseconds]
    if isinstance(f, models.BinaryField):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    return lambda v: v


def _decoder(f: models.Field, natural: dict) -> Callable:
    related = getattr(f, "related_model", None)
    if f.is_relation and related in natural:
        keys_to_ids = natural[related]
        return lambda v: None if v is None else keys_to_ids[tuple(v)]
    if isinstance(f, models.DateTimeField):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(f, models.TimeField):
        return lambda v: None if v is None else dt.time.fromisoformat(v)
    if isinstance(f, models.DecimalField):
        return lambda v: None if v is None else decimal.Decimal(v)
    if isinstance(f, models.UUIDField):
        return lambda v: None if v is None else uuid.UUID(v)
    if isinstance(f, models.DurationField):
        return lambda v: None if v is None else dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2])
    if isinstance(f, models.BinaryField):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _natural_keys_out() -> dict:
    return {
        ContentType: {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.all()},
        Permission: {
            p.pk: [p.content_type.app_label, p.codename] for p in Permission.objects.select_related("content_type")
        },
    }


class _MissingNaturalKey(dict):
    def __init__(self, kind: str, data: dict, renamed: dict):
        super().__init__(data)
        self.kind = kind
        self.renamed = renamed

    def __missing__(self, key):
        if key in self.renamed:
            return self[self.renamed[key]]
        raise DumpError(f"the dump refers to {self.kind} {'.'.join(key)}, which this database does not have")


def _natural_keys_in() -> dict:
    return {
        ContentType: _MissingNaturalKey(
            "content type", {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()},
            RENAMED_CONTENT_TYPES,
        ),
        Permission: _MissingNaturalKey(
            "permission",
            {(p.content_type.app_label, p.codename): p.pk for p in Permission.objects.select_related("content_type")},
            RENAMED_PERMISSIONS,
        ),
    }


def model_rows(model: type[models.Model], natural: dict | None = None) -> Iterator[list]:
    """The rows of ``model`` in primary-key order, as portable JSON values."""
    natural = natural if natural is not None else _natural_keys_out()
    columns = _columns(model)
    encoders = [_encoder(f, natural) for f in columns]
    queryset = model._base_manager.order_by("pk").values_list(*[f.attname for f in columns])
    for values in queryset.iterator(chunk_size=BATCH_SIZE):
        yield [encode(value) for encode, value in zip(encoders, values, strict=True)]


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _package_version() -> str:
    try:
        return version("uprwatch")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# --- dump ------------------------------------------------------------------------------------------

def dump_database(path: str | os.PathLike, progress: Callable[[str, int], None] | None = None) -> DumpSummary:
    """Write the whole database to ``path`` (gzipped JSON Lines; temporary file, then rename)."""
    chosen = dumped_models()
    natural = _natural_keys_out()
    digest = hashlib.sha256()
    total = 0
    # One transaction: the counts in the header and the rows below come from the same snapshot.
    outermost = not connection.in_atomic_block
    with transaction.atomic(), atomic_output(path) as temporary:
        # Only the transaction's first statement may set its isolation; inside a caller's transaction
        # (a test, a script) that one already fixes what this dump sees.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = {m._meta.label_lower: m._base_manager.count() for m in chosen}
        files, missing = _file_entries(referenced_files(chosen))
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "uprwatch_version": _package_version(),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "models": [
                {"model": m._meta.label_lower, "columns": [f.attname for f in _columns(m)],
                 "count": counts[m._meta.label_lower]}
                for m in chosen
            ],
            "files": files,
            "missing_files": missing,
        }
        # compresslevel 6: most of level 9's size at a fraction of its time.
        with gzip.open(temporary, "wb", compresslevel=6) as out:
            def write(obj) -> None:
                line = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                digest.update(line)
                out.write(line)

            write(header)
            for model in chosen:
                label = model._meta.label_lower
                written = 0
                for row in model_rows(model, natural):
                    write([label, row])
                    written += 1
                if written != counts[label]:  # pragma: no cover - the snapshot makes this impossible
                    raise DumpError(f"{label} changed while it was being dumped; try again")
                total += written
                if progress:
                    progress(label, written)
            for entry in files:
                check = hashlib.sha256()
                with open(safe_upload_path(entry["name"]), "rb") as handle:
                    for block in iter(lambda: handle.read(FILE_CHUNK), b""):
                        check.update(block)
                        write([FILE_RECORD, entry["name"], base64.b64encode(block).decode("ascii")])
                if check.hexdigest() != entry["sha256"]:
                    raise DumpError(f"uploaded file {entry['name']} changed while it was being dumped; try again")
            if progress and files:
                progress("uploaded files", len(files))
            trailer = {"end": FORMAT, "rows": total, "sha256": digest.hexdigest()}
            out.write((json.dumps(trailer) + "\n").encode("utf-8"))
    summary = DumpSummary(path=str(path), rows=total, counts=counts, sha256=digest.hexdigest(), files=len(files),
                          file_bytes=sum(f["size"] for f in files), missing_files=missing)
    _record_dump(summary, header["created_at"])
    return summary


def _record_dump(summary: DumpSummary, created_at: str) -> None:
    """Remember the backup on this home, for ``uprwatch check``; a failure here never fails the dump."""
    record = {"path": str(Path(summary.path).resolve()), "created_at": created_at, "files": summary.files,
              "file_bytes": summary.file_bytes, "missing_files": len(summary.missing_files)}
    try:
        _last_dump_record().write_text(json.dumps(record, indent=2))
    except OSError:
        pass


# --- reading and validating ------------------------------------------------------------------------

@contextmanager
def _lines(path: str | os.PathLike) -> Iterator[Iterable[bytes]]:
    path = Path(path)
    if not path.is_file():
        raise DumpError(f"{path}: no such file")
    with open(path, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            raise DumpError(f"{path} is not an uprwatch dump (not a gzip file)")
    try:
        with gzip.open(path, "rb") as handle:
            yield handle
    except (OSError, EOFError, zlib.error) as exc:
        raise DumpError(f"{path} is damaged or truncated ({exc})") from None


def _parse(line: bytes, number: int):
    try:
        return json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DumpError(f"line {number} of the dump is not valid JSON: the file is corrupt") from None


def read_header(path: str | os.PathLike) -> dict:
    with _lines(path) as lines:
        first = next(iter(lines), b"")
    header = _parse(first, 1) if first else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError(f"{path} is not an uprwatch dump (no uprwatch-dump header)")
    if header.get("version") not in READABLE_VERSIONS:
        raise DumpError(
            f"{path} is an uprwatch dump of format version {header.get('version')}; "
            f"this uprwatch reads versions {', '.join(map(str, READABLE_VERSIONS))}"
        )
    return header


def validate_dump(path: str | os.PathLike) -> dict:
    """Read the whole file and check header, row counts and checksum; return the header.

    Raises ``DumpError`` for a foreign, truncated or corrupt file, before anything is written.
    """
    header = read_header(path)
    expected = {m["model"]: m["count"] for m in header["models"]}
    widths = {m["model"]: len(m["columns"]) for m in header["models"]}
    seen = dict.fromkeys(expected, 0)
    files = {f["name"]: f for f in header.get("files", [])}
    for name in files:
        safe_upload_path(name)
    file_digests = {name: hashlib.sha256() for name in files}
    file_sizes = dict.fromkeys(files, 0)
    digest = hashlib.sha256()
    trailer = None
    with _lines(path) as lines:
        for number, line in enumerate(lines, start=1):
            if trailer is not None:
                raise DumpError(f"{path} has data after its end marker: the file is corrupt")
            if line.startswith(b'{"end"'):
                trailer = _parse(line, number)
                continue
            digest.update(line)
            if number == 1:
                continue
            record = _parse(line, number)
            if isinstance(record, list) and len(record) == 3 and record[0] == FILE_RECORD:
                if record[1] not in files or not isinstance(record[2], str):
                    raise DumpError(f"line {number} of the dump is a file its header does not list: corrupt")
                data = _b64(record[2], number)
                file_digests[record[1]].update(data)
                file_sizes[record[1]] += len(data)
                continue
            if (not isinstance(record, list) or len(record) != 2 or record[0] not in expected
                    or not isinstance(record[1], list) or len(record[1]) != widths[record[0]]):
                raise DumpError(f"line {number} of the dump is not a row of a model in its header: corrupt")
            seen[record[0]] += 1
    if trailer is None:
        raise DumpError(f"{path} is truncated (no end marker)")
    if trailer.get("sha256") != digest.hexdigest():
        raise DumpError(f"{path} is corrupt (checksum mismatch)")
    wrong = [f"{label}: {seen[label]} rows, header says {count}" for label, count in expected.items()
             if seen[label] != count]
    wrong += [f"file {name}: checksum or size differs from the header" for name, entry in files.items()
              if file_digests[name].hexdigest() != entry["sha256"] or file_sizes[name] != entry["size"]]
    if wrong:
        raise DumpError(f"{path} is inconsistent: " + "; ".join(wrong[:5]))
    return header


def _b64(text: str, number: int) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise DumpError(f"line {number} of the dump holds damaged file data: corrupt") from None


def dump_rows(path: str | os.PathLike) -> Iterator[tuple[str, list]]:
    """The ``(model label, row)`` pairs of a dump, in file order (no validation; files left out)."""
    with _lines(path) as lines:
        for number, line in enumerate(lines, start=1):
            if number == 1 or line.startswith(b'{"end"') or line.startswith(b'["@file"'):
                continue
            label, row = _parse(line, number)
            yield label, row


def dump_files(path: str | os.PathLike) -> Iterator[tuple[str, bytes]]:
    """The ``(name, chunk of bytes)`` pairs of a dump's uploaded files, in file order."""
    with _lines(path) as lines:
        for number, line in enumerate(lines, start=1):
            if line.startswith(b'["@file"'):
                _label, name, data = _parse(line, number)
                yield name, _b64(data, number)


def restore_files(path: str | os.PathLike, header: dict) -> list[str]:
    """Write the dump's files into the uploads folder and verify each one's checksum; return the names.

    Each file is written to a temporary name and renamed into place once complete. On any failure the
    files this call wrote are removed and ``DumpError`` is raised (the caller rolls the database back).
    """
    entries = {f["name"]: f for f in header.get("files", [])}
    written: list[Path] = []
    handles: dict[str, tuple[Path, object]] = {}
    try:
        for name, data in dump_files(path):
            if name not in handles:
                target = safe_upload_path(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".{target.name}.restoring")
                handles[name] = (temporary, open(temporary, "wb"))
            handles[name][1].write(data)
        for name, (temporary, handle) in handles.items():
            handle.close()
            target = safe_upload_path(name)
            os.replace(temporary, target)
            written.append(target)
            if _file_sha256(target) != entries[name]["sha256"]:
                raise DumpError(f"restored file {name} does not match its checksum (disk full or failing?)")
        absent = sorted(set(entries) - set(handles))
        if absent:
            raise DumpError(f"the dump lists files it does not hold: {', '.join(absent[:5])}")
    except OSError as exc:
        for target in written:
            target.unlink(missing_ok=True)
        raise DumpError(f"cannot write the uploaded files into {uploads_root()}: {exc.strerror}") from None
    except DumpError:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    finally:
        for temporary, handle in handles.values():
            handle.close()
            temporary.unlink(missing_ok=True)
    return sorted(handles)


# --- restore ---------------------------------------------------------------------------------------

def _check_migrations(header: dict) -> None:
    here = applied_migrations()
    unknown = [f"{app}.{name}" for app, names in header["migrations"].items() for name in names
               if name not in here.get(app, [])]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise DumpError(
            f"the dump was made by a newer uprwatch (migrations this database lacks: {shown}); upgrade first"
        )


@contextmanager
def _keep_timestamps(chosen: list[type[models.Model]]) -> Iterator[None]:
    """bulk_create would stamp auto_now/auto_now_add fields with the current time; keep the dump's."""
    saved = []
    for model in chosen:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def restore_database(
    path: str | os.PathLike, migrate: bool = True, progress: Callable[[str, int], None] | None = None
) -> DumpSummary:
    """Restore a dump into an EMPTY database, in one transaction; validate the file first."""
    header = validate_dump(path)
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    _check_migrations(header)
    registry = {m._meta.label_lower: m for m in dumped_models()}
    missing = [m["model"] for m in header["models"]
               if RENAMED_MODELS.get(m["model"], m["model"]) not in registry and m["count"]]
    if missing:
        raise DumpError(f"this database has no table for {', '.join(missing)}; upgrade uprwatch first")
    plans = {}  # by the label the dump's rows carry, which may be a model's earlier name
    for entry in header["models"]:
        label = RENAMED_MODELS.get(entry["model"], entry["model"])
        model = registry.get(label)
        if model is None:
            continue
        by_attname = {f.attname: f for f in _columns(model)}
        columns = [RENAMED_COLUMNS.get((label, c), c) for c in entry["columns"]]
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise DumpError(f"{entry['model']} has no column {', '.join(unknown)} here; upgrade uprwatch first")
        plans[entry["model"]] = (model, [by_attname[c] for c in columns], entry["count"])

    total = 0
    with transaction.atomic():
        natural_in = _natural_keys_in()
        occupied = [plan[0] for plan in plans.values() if plan[0]._base_manager.exists()]
        if occupied:
            names = ", ".join(sorted(m._meta.label_lower for m in occupied)[:5])
            raise DumpError(f"the database is not empty ({names} hold rows): restore only into an empty database")
        with _keep_timestamps([plan[0] for plan in plans.values()]):
            decoders = {label: [_decoder(f, natural_in) for f in fields] for label, (_m, fields, _c) in plans.items()}
            batch: list[models.Model] = []
            batch_label = None

            def flush() -> None:
                nonlocal batch
                if batch:
                    plans[batch_label][0]._base_manager.bulk_create(batch, batch_size=BATCH_SIZE)
                    total_counts[batch_label] = total_counts.get(batch_label, 0) + len(batch)
                    batch = []

            total_counts: dict[str, int] = {}
            for label, row in dump_rows(path):
                if label not in plans:
                    continue
                if label != batch_label or len(batch) >= BATCH_SIZE:
                    flush()
                    if label != batch_label and batch_label is not None and progress:
                        progress(batch_label, total_counts.get(batch_label, 0))
                    batch_label = label
                model, fields, _count = plans[label]
                values = {f.attname: decode(v) for f, decode, v in zip(fields, decoders[label], row, strict=True)}
                batch.append(model(**values))
            flush()
            if batch_label is not None and progress:
                progress(batch_label, total_counts.get(batch_label, 0))
        total = sum(total_counts.values())
        # Last, still inside the transaction: a file that cannot be written back undoes the whole restore.
        restored_files = restore_files(path, header)
        if progress and restored_files:
            progress("uploaded files (checksums verified)", len(restored_files))
        # PostgreSQL sequences do not follow explicit ids: move them past the restored rows.
        statements = connection.ops.sequence_reset_sql(no_style(), [plan[0] for plan in plans.values()])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    counts = {m["model"]: m["count"] for m in header["models"]}
    files = header.get("files", [])
    return DumpSummary(path=str(path), rows=total, counts=counts, files=len(files),
                       file_bytes=sum(f["size"] for f in files), missing_files=header.get("missing_files", []))


def database_snapshot() -> dict[str, list[list]]:
    """Every dumped table's rows as portable values: two databases holding the same data compare equal."""
    natural = _natural_keys_out()
    return {m._meta.label_lower: list(model_rows(m, natural)) for m in dumped_models()}
