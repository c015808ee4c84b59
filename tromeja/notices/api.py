from datetime import date
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from tromeja.core.consult import consult
from tromeja.core.pagination import BoundedPageNumberPagination
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDate, SharedRecordOut, omittable
from tromeja.notices import services
from tromeja.notices.filters import apply_filters
from tromeja.notices.models import Notice
from tromeja.openapi import PERSONAL_DATA

router = Router(tags=["notices"])

Kind = Literal["modus_operandi", "lookout", "situation", "other"]
DistributionIn = Literal["national", "named", "partners"]
HandlingIn = Literal["H0", "H1", "H2", "H3"]
Reliability = Literal["A", "B", "C", "X"]
Accuracy = Literal["1", "2", "3", "4"]
Category = Literal["", "suspect", "convicted", "victim", "other"]


class NoticeListOut(SharedRecordOut):
    kind: str
    title: str
    valid_until: date | None


class NoticeOut(NoticeListOut):
    model_config = ConfigDict(json_schema_extra=PERSONAL_DATA)

    body: str
    persons_concerned: str


class NoticeIn(Schema):
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10000)
    persons_concerned: str = Field("", max_length=2000)
    valid_until: ApiDate | None = None
    distribution: DistributionIn = "national"
    shared_with: list[str] = Field(default_factory=list, max_length=20)
    handling_code: HandlingIn = "H0"
    handling_note: str = Field("", max_length=500)
    source_reliability: Reliability
    information_accuracy: Accuracy
    has_personal_data: bool = False
    data_subject_category: Category = ""
    review_by: ApiDate | None = None


class NoticePatch(Schema):
    """The fields to change; those left out stay as they are. Only the two
    dates may be sent as null (to clear them)."""

    kind: Kind = omittable()
    title: str = omittable(min_length=1, max_length=200)
    body: str = omittable(min_length=1, max_length=10000)
    persons_concerned: str = omittable(max_length=2000)
    valid_until: ApiDate | None = None
    distribution: DistributionIn = omittable()
    shared_with: list[str] = omittable(max_length=20)
    handling_code: HandlingIn = omittable()
    handling_note: str = omittable(max_length=500)
    source_reliability: Reliability = omittable()
    information_accuracy: Accuracy = omittable()
    has_personal_data: bool = omittable()
    data_subject_category: Category = omittable()
    review_by: ApiDate | None = None


class NoticeFilter(FilterSchema):
    q: str | None = Field(None, max_length=100)
    kind: Kind | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    sort: Literal["-created_at", "created_at", "title"] | None = None


def _base():
    return Notice.objects.select_related("owner_agency").prefetch_related("shared_with")


def _require(request, perm):
    if not request.user.has_perm_code(perm):
        raise PermissionDenied


@router.get("", response=list[NoticeListOut], summary="Notices you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_notices(request, filters: Query[NoticeFilter]):
    _require(request, Perm.VIEW_RECORDS)
    return apply_filters(_base().restrict(request.user), filters.model_dump())


@router.get("/{notice_id}", response=NoticeOut, summary="One notice")
def get_notice(request, notice_id: UUID):
    notice = _base().get_visible(request.user, notice_id)
    consult(request.user, [notice])
    return notice


@router.post("", response={201: NoticeOut}, summary="Create a notice")
def create_notice(request, payload: NoticeIn):
    _require(request, Perm.CREATE_RECORDS)
    notice = services.create_notice(user=request.user, **payload.model_dump())
    return Status(201, _base().get(pk=notice.pk))


@router.patch("/{notice_id}", response=NoticeOut, summary="Change or share a notice")
def update_notice(request, notice_id: UUID, payload: NoticePatch):
    notice = _base().get_visible(request.user, notice_id, Action.CHANGE)
    consult(request.user, [notice])
    services.update_notice(
        user=request.user, notice=notice, **payload.model_dump(exclude_unset=True)
    )
    return _base().get(pk=notice.pk)


@router.delete("/{notice_id}", response={204: None}, summary="Erase a notice")
def erase_notice(request, notice_id: UUID):
    notice = _base().get_visible(request.user, notice_id, Action.DELETE)
    services.erase_notice(user=request.user, notice=notice)
    return Status(204, None)
