"""The contact point's duty through the API: the roster and its gaps,
assignment, hand-over and the supervisors' overdue list. The rules are in
exchange.duty, as for the pages."""

from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tromeja.accounts.models import User
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDateTime
from tromeja.exchange import duty
from tromeja.exchange.choices import DutyRole
from tromeja.exchange.models import DutyShift, Leg

router = Router(tags=["contact-point exchange"])

# A roster read covers at most this long a period.
MAX_ROSTER_PERIOD = timedelta(days=62)


def _require(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES) or not user.country_code:
        raise PermissionDenied


class ShiftOut(Schema):
    id: int
    country: str
    officer: str
    officer_name: str
    role: str
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def from_shift(shift: DutyShift) -> "ShiftOut":
        return ShiftOut(
            id=shift.pk,
            country=shift.country_id,
            officer=shift.officer.username,
            officer_name=str(shift.officer),
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
        )


class GapOut(Schema):
    starts_at: datetime
    ends_at: datetime


class RosterOut(Schema):
    country: str
    time_zone: str
    since: datetime
    until: datetime
    shifts: list[ShiftOut]
    gaps: list[GapOut] = Field(description="Periods with no duty officer on the roster")


class ShiftIn(Schema):
    officer: str | int = Field(description="Username or id")
    role: DutyRole = DutyRole.DUTY_OFFICER
    starts_at: ApiDateTime = Field(description="Without a time zone: in yours")
    ends_at: ApiDateTime


class AssignIn(Schema):
    officer: str | int = Field(description="Username or id; your own to take the request")


class HandOverIn(Schema):
    to: str | int = Field(description="Username or id of the officer taking over")
    note: str = Field("", max_length=500)


class HandOverOut(Schema):
    handed_over: int


class AssignedOut(Schema):
    id: int
    case_id: UUID
    case_reference: str
    state: str
    due_at: datetime | None
    assigned_to: str | None
    assigned_at: datetime | None

    @staticmethod
    def from_leg(leg: Leg) -> "AssignedOut":
        return AssignedOut(
            id=leg.pk,
            case_id=leg.case_id,
            case_reference=leg.case.reference,
            state=leg.state,
            due_at=leg.due_at,
            assigned_to=leg.assigned_to.username if leg.assigned_to_id else None,
            assigned_at=leg.assigned_at,
        )


class OverdueOut(AssignedOut):
    requester: str
    urgency: str
    seconds_overdue: int


def _officer(user, value, field: str) -> User:
    """An officer named by username or id, among those of the user's contact
    point (the same answer for a stranger as for nobody)."""
    officers = duty.contact_point_officers(user.country_code)
    if isinstance(value, int) or str(value).isdigit():
        found = officers.filter(pk=int(value)).first()
    else:
        found = officers.filter(username=value).first()
    if found is None:
        raise ValidationError({field: _("Choose an officer of your country's contact point.")})
    return found


def _aware(user, value: datetime) -> datetime:
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, duty.user_zone(user))


@router.get("/roster", response=RosterOut, summary="My contact point's duty roster and its gaps")
def get_roster(request, since: ApiDateTime | None = None, until: ApiDateTime | None = None):
    user = request.user
    _require(user)
    since = _aware(user, since) if since else timezone.now()
    until = _aware(user, until) if until else since + timedelta(days=7)
    if until <= since:
        raise ValidationError({"until": _("The period must end after it starts.")})
    if until - since > MAX_ROSTER_PERIOD:
        raise ValidationError({"until": _("Ask for at most 62 days at a time.")})
    country = user.country_code
    shifts = (
        duty.shifts_for(user)
        .filter(starts_at__lt=until, ends_at__gt=since)
        .select_related("officer")
        .order_by("starts_at", "pk")
    )
    return RosterOut(
        country=country,
        time_zone=duty.zone_of(country).key,
        since=since,
        until=until,
        shifts=[ShiftOut.from_shift(s) for s in shifts],
        gaps=[GapOut(starts_at=g.start, ends_at=g.end) for g in duty.gaps(country, since, until)],
    )


@router.post("/roster", response={201: ShiftOut}, summary="Put an officer on the roster")
def add_shift(request, payload: ShiftIn):
    user = request.user
    _require(user)
    if not duty.is_supervisor(user):
        raise PermissionDenied
    shift = duty.add_shift(
        user=user,
        officer=_officer(user, payload.officer, "officer"),
        role=payload.role,
        starts_at=_aware(user, payload.starts_at),
        ends_at=_aware(user, payload.ends_at),
    )
    return Status(201, ShiftOut.from_shift(shift))


@router.delete("/roster/{shift_id}", response={204: None}, summary="Take a shift off the roster")
def delete_shift(request, shift_id: int):
    _require(request.user)
    shift = get_object_or_404(duty.shifts_for(request.user).select_related("officer"), pk=shift_id)
    duty.delete_shift(user=request.user, shift=shift)
    return Status(204, None)


@router.post("/legs/{leg_id}/assign", response=AssignedOut, summary="Assign a request to us")
def assign(request, leg_id: int, payload: AssignIn):
    _require(request.user)
    leg = get_object_or_404(Leg.objects.restrict(request.user).select_related("case"), pk=leg_id)
    officer = _officer(request.user, payload.officer, "officer")
    leg = duty.assign(user=request.user, leg=leg, officer=officer)
    return AssignedOut.from_leg(leg)


@router.post("/hand-over", response=HandOverOut, summary="Hand my open requests over")
def hand_over(request, payload: HandOverIn):
    _require(request.user)
    officer = _officer(request.user, payload.to, "to")
    count = duty.hand_over(user=request.user, to_officer=officer, note=payload.note)
    return HandOverOut(handed_over=count)


@router.get("/overdue", response=list[OverdueOut], summary="Supervisors: requests past deadline")
def overdue(request):
    _require(request.user)
    now = timezone.now()
    return [
        OverdueOut(
            **AssignedOut.from_leg(leg).model_dump(),
            requester=leg.case.owner_country_id,
            urgency=leg.urgency,
            seconds_overdue=int((now - leg.due_at).total_seconds()),
        )
        for leg in duty.overdue(request.user, now)[:500]
    ]
