"""Assessments of implementation (with history) and the evidence behind assessments and events."""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from uprwatch.errors import NotFound
from uprwatch.records.models import Recommendation
from uprwatch.tracking import audit
from uprwatch.tracking.errors import Conflict, Invalid
from uprwatch.tracking.limits import check_text, parse_version
from uprwatch.tracking.models import (
    Assessment,
    AssessmentVersion,
    Event,
    EvidenceItem,
    ImplementationStatus,
    Organisation,
    Role,
    Visibility,
)
from uprwatch.tracking.permissions import (
    get_visible,
    has_role,
    require_role,
    visible_evidence_filter,
    visible_filter,
)

# Evidence files: documents and images only. HTML, SVG and scripts are refused so that nothing an
# uploader sends can run in a reader's browser from our origin; files are served as attachments anyway.
ALLOWED_FILE_TYPES = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".png": ("image/png", b"\x89PNG"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
}
MAX_EVIDENCE_BYTES = settings.UPRWATCH_MAX_EVIDENCE_BYTES


def parse_date(value, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{field} must be a date like 2023-10-09, not {value!r}") from None


def state_claim(rec: Recommendation) -> dict:
    """What the State under Review itself said, kept apart from any organisation's assessment."""
    return {
        "state": rec.review.state.name,
        "response": rec.response,
        "already_implemented": rec.already_implemented,
        "explanation": rec.response_explanation,
        "source": rec.response_source,
    }


def visible_assessments(user):
    return Assessment.objects.filter(visible_filter(user)).select_related("organisation", "recommendation")


def assessments_of(user, rec_ids) -> dict[int, list[Assessment]]:
    """Visible assessments per recommendation — one per organisation, side by side, never merged."""
    grouped: dict[int, list[Assessment]] = {}
    for assessment in visible_assessments(user).filter(recommendation_id__in=rec_ids).order_by("organisation__name"):
        grouped.setdefault(assessment.recommendation_id, []).append(assessment)
    return grouped


def _version_row(assessment: Assessment, user) -> None:
    AssessmentVersion.objects.create(
        assessment=assessment, version=assessment.version, status=assessment.status,
        assessed_on=assessment.assessed_on, rationale=assessment.rationale,
        visibility=assessment.visibility, saved_by=user,
    )


@transaction.atomic
def save_assessment(user, organisation: Organisation, rec_id: int, *, status: str, rationale: str = "",
                    assessed_on=None, version: int | None = None, publish: bool = False) -> Assessment:
    """Create the organisation's assessment of a recommendation, or add a new version of it.

    A contributor's save is a draft (private). Saving over an existing assessment needs the version
    that was edited: a stale one raises ``Conflict`` and writes nothing.
    """
    require_role(user, organisation, Role.CONTRIBUTOR)
    if publish:
        require_role(user, organisation, Role.EDITOR)
    if status not in ImplementationStatus.values:
        raise Invalid(f"status must be one of {', '.join(ImplementationStatus.values)}, not {status!r}")
    version = parse_version(version)
    if not Recommendation.objects.filter(pk=rec_id).exists():
        raise Invalid(f"no recommendation {rec_id}")
    assessed_on = parse_date(assessed_on, "assessed_on") or timezone.localdate()
    assessment = (
        Assessment.objects.select_for_update().filter(recommendation_id=rec_id, organisation=organisation).first()
    )
    if assessment is None:
        assessment = Assessment.objects.create(
            recommendation_id=rec_id, organisation=organisation, status=status, rationale=rationale or "",
            assessed_on=assessed_on, created_by=user, updated_by=user,
            visibility=Visibility.PUBLISHED if publish else Visibility.PRIVATE,
            published_at=timezone.now() if publish else None,
        )
        _version_row(assessment, user)
        audit.record(user, "publish" if publish else "create", assessment, after=audit.snapshot(assessment))
        return assessment
    if version is None or version != assessment.version:
        raise Conflict(
            f"this assessment was changed by someone else (now version {assessment.version}, you edited "
            f"version {version}); nothing was saved — your text is kept below, review and save again",
            assessment.version, audit.snapshot(assessment),
        )
    before = audit.snapshot(assessment)
    assessment.status, assessment.rationale, assessment.assessed_on = status, rationale or "", assessed_on
    # A change by a contributor goes back to draft until an editor publishes it again.
    if publish:
        assessment.visibility, assessment.published_at = Visibility.PUBLISHED, timezone.now()
    elif not _is_editor(user, organisation):
        assessment.visibility = Visibility.PRIVATE
    assessment.updated_by = user
    assessment.version += 1
    assessment.save()
    _version_row(assessment, user)
    audit.record(user, "publish" if publish else "update", assessment, before=before, after=audit.snapshot(assessment))
    return assessment


def _is_editor(user, organisation) -> bool:
    return has_role(user, organisation, Role.EDITOR)


@transaction.atomic
def publish(user, obj, *, version: int | None = None):
    """Publish a draft assessment or evidence, or a private event/campaign (editors and admins)."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    require_role(user, obj.organisation, Role.EDITOR)
    version = parse_version(version)
    if version is not None and version != obj.version:
        raise Conflict(f"it was changed since you read it (now version {obj.version}); nothing was published",
                       obj.version, audit.snapshot(obj))
    if obj.visibility == Visibility.PUBLISHED:
        return obj
    before = audit.snapshot(obj)
    obj.visibility = Visibility.PUBLISHED
    if isinstance(obj, Assessment):
        obj.published_at = timezone.now()
        obj.updated_by = user
    obj.version += 1
    obj.save()
    if isinstance(obj, Assessment):
        _version_row(obj, user)
    audit.record(user, "publish", obj, before=before, after=audit.snapshot(obj))
    return obj


def check_file(upload) -> tuple[str, str]:
    """Validate an uploaded evidence file; returns (safe file name, content type)."""
    name = Path(upload.name or "file").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_FILE_TYPES:
        raise Invalid(f"files of type {suffix or '(none)'} are not accepted; "
                      f"use {', '.join(sorted(ALLOWED_FILE_TYPES))}", field="file")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise Invalid(f"the file is {upload.size:,} bytes; the limit is {MAX_EVIDENCE_BYTES:,}", field="file")
    content_type, magic = ALLOWED_FILE_TYPES[suffix]
    head = upload.read(8)
    upload.seek(0)
    if magic and not head.startswith(magic):
        raise Invalid(f"the file's content is not {suffix} (it does not start like one)", field="file")
    if magic is None and b"\x00" in upload.read(4096):
        raise Invalid("a text file may not contain binary data", field="file")
    upload.seek(0)
    return name, content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


@transaction.atomic
def add_evidence(user, parent: Assessment | Event, *, citation: str, url: str = "", date=None, quote: str = "",
                 upload=None, publish: bool | None = None) -> EvidenceItem:
    """Add evidence to an assessment or event.

    A contributor's evidence is a draft (visible to the organisation only) until an editor publishes
    it, whatever the visibility of what it backs. An editor's is published unless ``publish=False``.
    """
    require_role(user, parent.organisation, Role.CONTRIBUTOR)
    if publish:
        require_role(user, parent.organisation, Role.EDITOR)
    published = _is_editor(user, parent.organisation) if publish is None else publish
    if not (citation or "").strip():
        raise Invalid("evidence needs a citation (who said it, where)")
    if url and not url.startswith(("http://", "https://")):
        raise Invalid("the URL must start with http:// or https://")
    item = EvidenceItem(
        organisation=parent.organisation, citation=citation.strip(), url=url or "",
        date=parse_date(date, "date"), quote=quote or "", created_by=user,
        visibility=Visibility.PUBLISHED if published else Visibility.PRIVATE,
        **({"assessment": parent} if isinstance(parent, Assessment) else {"event": parent}),
    )
    if upload is not None:
        name, content_type = check_file(upload)
        item.file_name, item.file_type, item.file_size = name, content_type, upload.size
    check_text(item)  # before the file is stored: refused evidence must leave no file behind
    if upload is not None:
        item.file.save(name, upload, save=False)
    item.save()
    audit.record(user, "publish" if published else "create", item, after=audit.snapshot(item))
    return item


@transaction.atomic
def delete_evidence(user, item: EvidenceItem) -> None:
    """Delete evidence and every copy of its content the system keeps: its file, and its citation,
    quote and file name in the audit log (so they do not live on in audit exports and dumps either)."""
    require_role(user, item.organisation, Role.EDITOR)
    forget_evidence(user, [item])
    item.delete()


def forget_evidence(user, items) -> None:
    """Before evidence rows are deleted (one by one, or with the event they back): blank their content
    in the audit log, log the deletion, and remove their files once the deletion is committed."""
    for item in items:
        stored = item.file.name
        audit.forget(item)
        audit.record(user, "delete", item, before=audit.tombstone(item))
        if stored:
            transaction.on_commit(lambda storage=item.file.storage, name=stored: storage.delete(name))


def visible_evidence(user, parent: Assessment | Event):
    """The evidence of ``parent`` that ``user`` may see (drafts only for the organisation's members)."""
    return parent.evidence.filter(visible_evidence_filter(user)).select_related("organisation")


def evidence_file(user, pk: int) -> EvidenceItem:
    """The evidence item whose file ``user`` may download; ``NotFound`` when there is none to see."""
    item = get_visible(EvidenceItem, user, pk)
    if not item.file:
        raise NotFound("this evidence has no file")
    if not item.file.storage.exists(item.file.name):
        # A restore without the uploads folder, or a file removed by hand: say so, never a 500.
        raise NotFound(
            f"the file {item.file_name or item.file.name!r} of this evidence is missing from the server's "
            "uploads folder; ask the site's administrator to restore it from a backup"
        )
    return item
