"""The audit log through the API: the same search, record history and
exports as the pages (auditlog/services.py), for data protection officers
and, for the history of their country's records, supervisors."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from tromeja.auditlog import services
from tromeja.auditlog.filters import apply_filters
from tromeja.auditlog.models import AuditExport, ExportFormat, ExportStatus
from tromeja.core import signing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.core.pagination import BoundedPageNumberPagination
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDate
from tromeja.openapi import file_responses

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    action: str
    action_label: str
    actor_id: int | None
    actor_username: str
    actor_name: str
    actor_unit: str
    actor_country: str
    subject_country: str
    record_ref: str = Field(description="The reference of the record the entry is about")
    root_type: str = Field(description="The type of that record (e.g. exchange.case)")
    root_id: str = Field(description="Its full id")
    root_country: str = Field(description="Its owner country")
    object_type: str = Field(description="What the entry names: the record or one of its parts")
    object_id: str
    purpose: str
    recipients: str
    request_id: str
    prev_hash: str
    entry_hash: str


def _out(entries) -> list[dict]:
    return [services.entry_row(e) for e in services.describe(entries)]


class AuditFilter(FilterSchema):
    user: str | None = Field(
        None, max_length=150, description="Full name or user name, case and accents ignored"
    )
    action: AuditAction | None = None
    record: str | None = Field(
        None, max_length=64, description="A record's reference or the full id of it or a part"
    )
    purpose: str | None = Field(None, max_length=100)
    since: ApiDate | None = None
    until: ApiDate | None = None


def _require_dpo(user):
    if not user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied


class _Described(BoundedPageNumberPagination):
    """The bounded page, each entry with its user's name and record reference."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = _out(page[self.items_attribute])
        return page


@router.get(
    "", response=list[AuditEntryOut], summary="Search the audit log (data protection officers)"
)
@paginate(_Described, page_size=100)
def list_entries(request, filters: Query[AuditFilter]):
    _require_dpo(request.user)
    return apply_filters(AuditEntry.objects.restrict(request.user), filters.model_dump())


@router.get(
    "/records/{record_id}",
    response=list[AuditEntryOut],
    summary="Every access to a record and its parts (its country's supervisors and DPO)",
)
@paginate(_Described, page_size=100)
def record_history(request, record_id: str):
    _kind, _id, _record, entries = services.record_history(request.user, record_id)
    return entries


class UserOut(Schema):
    username: str
    name: str
    unit: str
    country: str


@router.get(
    "/users",
    response=list[UserOut],
    summary="Users whose name holds the text, to search the log by (data protection officers)",
)
def users(request, q: str = Query(..., min_length=2, max_length=150)):
    _require_dpo(request.user)
    return [
        {
            "username": u.username,
            "name": u.get_full_name(),
            "unit": u.unit.name if u.unit_id else "",
            "country": u.country_code or "",
        }
        for u in services.suggest_users(request.user, q)
    ]


class KeyOut(Schema):
    key_id: str
    algorithm: str
    public_key: str = Field(description="The raw Ed25519 public key, base64")
    public_pem: str
    created_at: datetime
    current: bool


@router.get("/keys", response=list[KeyOut], summary="The node's public signing keys")
def keys(request):
    found = signing.all_keys() or [signing.current()]
    return [
        {
            "key_id": k.key_id,
            "algorithm": signing.ALGORITHM,
            "public_key": k.public_key,
            "public_pem": k.public_pem,
            "created_at": k.created_at,
            "current": k is found[-1],
        }
        for k in reversed(found)
    ]


class ExportIn(Schema):
    format: ExportFormat = ExportFormat.CSV


class ExportOut(Schema):
    id: int
    format: str
    status: str
    total: int
    done: int
    file_url: str | None


def _export_out(export) -> dict:
    ready = export.status == ExportStatus.DONE
    return {
        "id": export.pk,
        "format": export.format,
        "status": export.status,
        "total": export.total,
        "done": export.done,
        "file_url": reverse("api-1:audit_export_file", args=[export.pk]) if ready else None,
    }


@router.post(
    "/exports",
    response={202: ExportOut},
    summary="Export the entries the filters select, as CSV or as JSON signed with the node's "
    "key (a job; the export is logged as a disclosure)",
)
def create_export(request, body: ExportIn, filters: Query[AuditFilter]):
    _require_dpo(request.user)
    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v))
        for k, v in filters.model_dump().items()
        if v
    }
    export = services.request_export(user=request.user, filters=data, format=body.format)
    return Status(202, _export_out(export))


def _own_export(request, export_id: int) -> AuditExport:
    _require_dpo(request.user)
    return get_object_or_404(AuditExport, pk=export_id, requested_by=request.user)


@router.get("/exports/{export_id}", response=ExportOut, summary="Progress of an audit export")
def get_export(request, export_id: int):
    return _export_out(_own_export(request, export_id))


@router.get(
    "/exports/{export_id}/file",
    url_name="audit_export_file",
    summary="The file an audit export wrote",
    openapi_extra=file_responses(["text/csv", "application/json"]),
)
def get_export_file(request, export_id: int):
    export = _own_export(request, export_id)
    path = services.export_dir() / export.file_name if export.file_name else None
    if export.status != ExportStatus.DONE or path is None or not path.is_file():
        raise Http404
    kind = "application/json" if export.format == ExportFormat.JSON else "text/csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=kind)
