import csv
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tromeja.auditlog.filters import apply_filters
from tromeja.auditlog.models import AuditExport, ExportStatus
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.exports import safe_cell
from tromeja.core.models import AuditEntry
from tromeja.core.roles import Perm

COLUMNS = (
    "seq",
    "at",
    "action",
    "actor_username",
    "actor_country",
    "subject_country",
    "object_type",
    "object_id",
    "purpose",
    "recipients",
    "request_id",
    "source_ip",
    "entry_hash",
)


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_export(*, user, filters: dict) -> AuditExport:
    if not user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied
    from tromeja.auditlog.tasks import run_audit_export

    with transaction.atomic():
        export = AuditExport.objects.create(requested_by=user, filters=filters)
        audit.log(
            AuditAction.DISCLOSURE,
            actor=user,
            obj=export,
            detail={"channel": "audit_export", "filters": filters},
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


def run_export(export_id: int, *, chunk: int = 5000) -> AuditExport:
    export = AuditExport.objects.select_related("requested_by").get(pk=export_id)
    user = export.requested_by
    # The job sees what its requester may see, no more.
    entries = apply_filters(AuditEntry.objects.restrict(user), _parse(export.filters))
    export.status = ExportStatus.RUNNING
    export.total = entries.count()
    export.file_name = f"audit-{export.pk}-{timezone.now():%Y%m%d%H%M%S}.csv"
    export.save(update_fields=["status", "total", "file_name"])
    path = export_dir() / export.file_name
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            rows = entries.order_by("seq").values_list(*COLUMNS).iterator(chunk_size=chunk)
            for done, row in enumerate(rows, start=1):
                writer.writerow([safe_cell(v) for v in row])
                if done % chunk == 0:
                    AuditExport.objects.filter(pk=export.pk).update(done=done)
    except Exception:
        AuditExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        raise
    AuditExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, done=export.total, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export
