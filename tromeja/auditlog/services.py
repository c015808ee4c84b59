import csv
import json
from datetime import UTC, date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from tromeja.auditlog import signed
from tromeja.auditlog.filters import apply_filters
from tromeja.auditlog.models import AuditExport, ExportFormat, ExportStatus
from tromeja.auditlog.records import BY_LABEL, RECORD_TYPES, as_uuid, references
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.exports import safe_cell
from tromeja.core.models import AuditChainHead, AuditEntry
from tromeja.core.roles import Perm

# Every column of an entry, the chain hashes last; with the acting user's
# name and unit and the record's reference beside the snapshots.
COLUMNS = (
    "seq",
    "at",
    "action",
    "action_label",
    "actor_username",
    "actor_name",
    "actor_unit",
    "actor_country",
    "subject_country",
    "record_ref",
    "root_type",
    "root_id",
    "root_country",
    "object_type",
    "object_id",
    "purpose",
    "recipients",
    "request_id",
    "source_ip",
    "detail",
    "prev_hash",
    "entry_hash",
)


def describe(entries) -> list:
    """The entries of a page with what a reader needs beside them: the
    acting user (full name and unit, as they are now), the record's
    reference and the short name of its type. One query per kind, not per
    entry."""
    entries = list(entries)
    ids = {e.actor_id for e in entries if e.actor_id}
    users = {
        u.pk: u for u in get_user_model()._base_manager.filter(pk__in=ids).select_related("unit")
    }
    found = references(entries)
    for entry in entries:
        entry.actor = users.get(entry.actor_id)
        entry.reference = entry.record_ref or found.get((entry.root_type, entry.root_id), "")
        kind = BY_LABEL.get(entry.root_type)
        entry.record_kind = kind.slug if kind else ""
        entry.is_part = bool(entry.root_id) and entry.root_id != entry.object_id
        entry.type_name = type_name(entry.object_type)
        entry.root_name = type_name(entry.root_type)
    return entries


def type_name(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def visible_users(dpo):
    """The users a data protection officer may pick in the search: those of
    their own country and the partners' users who appear in the entries
    they read (about their country's records)."""
    if not dpo.has_perm_code(Perm.READ_AUDIT_LOG):
        return get_user_model().objects.none()
    country = dpo.country_code
    actors = (
        AuditEntry.objects.restrict(dpo)
        .exclude(actor_id=None)
        .exclude(actor_country=country)
        .values("actor_id")
    )
    return get_user_model()._base_manager.filter(
        Q(unit__agency__country_id=country) | Q(pk__in=actors)
    )


def suggest_users(dpo, text: str, *, limit: int = 15) -> list:
    """Up to `limit` users the DPO may pick whose name holds `text` (folded)."""
    from tromeja.auditlog.filters import matching_user_ids

    if len(text.strip()) < 2:
        return []
    candidates = visible_users(dpo)
    ids = matching_user_ids(text, candidates)[:limit]
    return list(
        get_user_model()
        ._base_manager.filter(pk__in=ids)
        .select_related("unit")
        .order_by("last_name", "first_name", "username")
    )


def may_read_history(user) -> bool:
    """Supervisors (and data protection officers) answer for the accesses
    to their country's records."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm_code(Perm.READ_RECORD_HISTORY)


def history_record(user, pk):
    """(record type, id, record or None) of the record whose access history
    `user` asks for. PermissionDenied for a role that reads no history;
    Http404 for a record that is not theirs to answer for. A supervisor's
    record comes through the visibility rule: one of their own country that
    they may see. A DPO reads no records: their history is the entries the
    log's rule gives them, and the record is not loaded."""
    if not may_read_history(user):
        raise PermissionDenied
    found = as_uuid(str(pk))
    if found is None:
        raise Http404
    if user.has_perm_code(Perm.VIEW_RECORDS):
        for kind in RECORD_TYPES.values():
            record = kind.model.objects.own(user).filter(pk=found).first()
            if record is not None:
                return kind, found, record
        raise Http404
    label = (
        AuditEntry.objects.restrict(user)
        .filter(root_id=found, root_type__in=list(BY_LABEL))
        .values_list("root_type", flat=True)
        .first()
    )
    if label is None:
        raise Http404
    return BY_LABEL[label], found, None


def record_history(user, pk):
    """(type, id, record or None, entries) of a record's access history:
    every entry about it and its parts, whoever made it, for a supervisor of
    the owner country; for a DPO, those the log's rule gives them."""
    kind, found, record = history_record(user, pk)
    entries = AuditEntry.objects.about_record(kind.label, found)
    if record is None:
        entries = entries & AuditEntry.objects.restrict(user)
    return kind, found, record, entries


def history_url(user, record) -> str:
    """The link to a record's access history for `user`, or "" when they
    may not read it (the partial history_link.html shows it)."""
    from django.urls import reverse

    if record is None or not may_read_history(user) or not user.has_perm_code(Perm.VIEW_RECORDS):
        return ""
    label = f"{record._meta.app_label}.{record._meta.model_name}"
    if label not in BY_LABEL or not type(record).objects.own(user).filter(pk=record.pk).exists():
        return ""
    return reverse("auditlog:record_history", args=[record.pk])


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_export(*, user, filters: dict, format: str = ExportFormat.CSV) -> AuditExport:
    """Queues an export of the entries `filters` select among those the
    user may read. The export is itself a disclosure (to the supervisory
    authority, or whoever the DPO hands it to) and is logged as one."""
    if not user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied
    if format not in ExportFormat.values:
        raise ValueError(f"unknown format {format!r}")
    from tromeja.auditlog.tasks import run_audit_export

    with transaction.atomic():
        export = AuditExport.objects.create(requested_by=user, filters=filters, format=format)
        audit.log(
            AuditAction.DISCLOSURE,
            actor=user,
            obj=export,
            detail={"channel": "audit_export", "format": format, "filters": filters},
        )
        # The task row is committed with the export row, or neither is.
        run_audit_export.enqueue(export.pk)
    return export


def _parse(filters: dict) -> dict:
    parsed = dict(filters)
    for key in ("since", "until"):
        if parsed.get(key):
            parsed[key] = date.fromisoformat(parsed[key])
    return parsed


def _iso(at) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_row(entry) -> dict:
    """One entry as the exports give it (after `describe`)."""
    actor = entry.actor
    return {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "action": entry.action,
        "action_label": str(entry.get_action_display()),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "actor_name": actor.get_full_name() if actor else "",
        "actor_unit": actor.unit.name if actor and actor.unit_id else "",
        "actor_country": entry.actor_country,
        "subject_country": entry.subject_country,
        "record_ref": entry.reference,
        "root_type": entry.root_type,
        "root_id": entry.root_id,
        "root_country": entry.root_country,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "recipients": entry.recipients,
        "request_id": entry.request_id,
        "source_ip": entry.source_ip,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _described(entries, chunk: int):
    """The entries in chain order, described a chunk at a time."""
    last = 0
    while True:
        batch = list(entries.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from describe(batch)
        last = batch[-1].seq


def run_export(export_id: int, *, chunk: int = 5000) -> AuditExport:
    export = AuditExport.objects.select_related("requested_by").get(pk=export_id)
    user = export.requested_by
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, audit.GENESIS)
    # The job sees what its requester may see, no more, up to the chain's
    # head when it started.
    entries = apply_filters(AuditEntry.objects.restrict(user), _parse(export.filters)).filter(
        seq__lte=head_seq
    )
    export.status = ExportStatus.RUNNING
    export.total = entries.count()
    extension = "json" if export.format == ExportFormat.JSON else "csv"
    export.file_name = f"audit-{export.pk}-{timezone.now():%Y%m%d%H%M%S}.{extension}"
    export.save(update_fields=["status", "total", "file_name"])
    path = export_dir() / export.file_name
    rows = (entry_row(e) for e in _described(entries, chunk))
    try:
        if export.format == ExportFormat.JSON:
            _write_json(path, export, rows, head_seq, head_hash, chunk)
        else:
            _write_csv(path, export, rows, chunk)
    except Exception:
        AuditExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        raise
    AuditExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, done=export.total, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def _progress(export, done: int, chunk: int):
    if done % chunk == 0:
        AuditExport.objects.filter(pk=export.pk).update(done=done)


def _write_csv(path, export, rows, chunk):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for done, row in enumerate(rows, start=1):
            row["detail"] = json.dumps(row["detail"], sort_keys=True, ensure_ascii=False)
            writer.writerow([safe_cell(row[c]) for c in COLUMNS])
            _progress(export, done, chunk)


def _write_json(path, export, rows, head_seq, head_hash, chunk):
    from django.conf import settings as conf

    user = export.requested_by
    before = {
        "chain": {"head_seq": head_seq, "head_hash": head_hash},
        "created_at": _iso(timezone.now()),
    }
    after = {
        "filters": export.filters,
        "format": signed.FORMAT,
        "node": conf.NODE_COUNTRY,
        "requested_by": {
            "username": user.username,
            "name": user.get_full_name(),
            "country": user.country_code or "",
        },
    }
    with path.open("wb") as handle, signed.SignedWriter(handle, before=before, after=after) as out:
        for done, row in enumerate(rows, start=1):
            out.add(row)
            _progress(export, done, chunk)
