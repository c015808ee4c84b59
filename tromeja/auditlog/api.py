from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from tromeja.auditlog.filters import apply_filters
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.core.pagination import BoundedPageNumberPagination
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDate

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    action: str
    actor_username: str
    actor_country: str
    subject_country: str
    object_type: str
    object_id: str
    purpose: str
    recipients: str
    request_id: str
    entry_hash: str


class AuditFilter(FilterSchema):
    user: str | None = Field(None, max_length=150)
    action: AuditAction | None = None
    record: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=100)
    since: ApiDate | None = None
    until: ApiDate | None = None


@router.get(
    "", response=list[AuditEntryOut], summary="Search the audit log (data protection officers)"
)
@paginate(BoundedPageNumberPagination, page_size=100)
def list_entries(request, filters: Query[AuditFilter]):
    if not request.user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied
    return apply_filters(AuditEntry.objects.restrict(request.user), filters.model_dump())
