"""The contact point through the API: what the inbox does, for national
systems that submit and fetch messages."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tromeja.core.consult import consult
from tromeja.core.roles import Perm
from tromeja.exchange import services
from tromeja.exchange.models import Case, Leg, Message

router = Router(tags=["contact-point exchange"])


def _require(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES):
        raise PermissionDenied


class LegOut(Schema):
    id: int
    case_id: UUID
    case_reference: str
    subject: str
    requester: str
    recipient: str
    urgency: str
    state: str
    received_at: datetime
    due_at: datetime | None
    suspended: bool
    seconds_left: int

    @staticmethod
    def from_leg(leg: Leg, now) -> "LegOut":
        clock = leg.clock
        return LegOut(
            id=leg.pk,
            case_id=leg.case_id,
            case_reference=leg.case.reference,
            subject=leg.case.subject,
            requester=leg.case.owner_country_id,
            recipient=leg.recipient_country_id,
            urgency=leg.urgency,
            state=leg.state,
            received_at=leg.received_at,
            due_at=leg.due_at,
            suspended=clock.suspended,
            seconds_left=int(clock.remaining(now).total_seconds()),
        )


class MessageOut(Schema):
    id: UUID
    kind: str
    sender: str
    created_at: datetime
    body: str
    language: str
    handling_code: str
    handling_note: str
    refusal_ground: str
    leg_id: int | None

    @staticmethod
    def from_message(m: Message) -> "MessageOut":
        return MessageOut(id=m.pk, kind=m.kind, sender=m.owner_country_id,
                          created_at=m.created_at, body=m.body, language=m.language,
                          handling_code=m.handling_code, handling_note=m.handling_note,
                          refusal_ground=m.refusal_ground, leg_id=m.leg_id)  # fmt: skip


class CaseOut(Schema):
    id: UUID
    reference: str
    subject: str
    urgency: str
    requester: str
    legs: list[LegOut]
    messages: list[MessageOut]


class VehicleIn(Schema):
    plate: str = Field(min_length=2, max_length=20)
    registration_country: str = Field(min_length=2, max_length=2)


class RequestIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    urgency: Literal["urgent_direct", "urgent_indirect", "not_urgent"]
    recipients: list[str] = Field(min_length=1, max_length=20)
    handling_code: Literal["H0", "H1", "H2", "H3"] = "H0"
    handling_note: str = Field("", max_length=500)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=50)
    phones: list[str] = Field(default_factory=list, max_length=50)


class ReplyIn(Schema):
    kind: Literal["acknowledgement", "clarification_request", "partial_answer", "answer", "refusal"]
    body: str = Field("", max_length=20000)
    refusal_ground: str = Field("", max_length=24)


class TextIn(Schema):
    body: str = Field(min_length=1, max_length=20000)


class ForwardIn(Schema):
    recipients: list[str] = Field(min_length=1, max_length=20)
    note: str = Field("", max_length=2000)


class ConsentIn(Schema):
    countries: list[str] = Field(min_length=1, max_length=20)


def _case_out(request, case: Case) -> CaseOut:
    now = timezone.now()
    shown = list(Message.objects.restrict(request.user).filter(case=case))
    consult(request.user, [case, *shown])
    legs = Leg.objects.for_user(request.user).filter(case=case).select_related("case")
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        subject=case.subject,
        urgency=case.urgency,
        requester=case.owner_country_id,
        legs=[LegOut.from_leg(leg, now) for leg in legs],
        messages=[MessageOut.from_message(m) for m in shown],
    )


@router.get("/legs", response=list[LegOut], summary="Requests to and from my country, by time left")
def list_legs(request, direction: Literal["in", "out"] = "in", open_only: bool = True):
    _require(request.user)
    country = request.user.country_code
    legs = Leg.objects.for_user(request.user).select_related("case")
    if direction == "in":
        legs = legs.filter(recipient_country_id=country)
    else:
        legs = legs.filter(case__owner_country_id=country)
    if open_only:
        legs = legs.filter(closed_at__isnull=True)
    now = timezone.now()
    rows = sorted(legs[:500], key=lambda leg: (leg.due_at is None, leg.due_at or now))
    return [LegOut.from_leg(leg, now) for leg in rows]


@router.post(
    "/requests", response={201: CaseOut}, summary="Send a request to partner contact points"
)
def send_request(request, payload: RequestIn):
    _require(request.user)
    case = services.send_request(user=request.user, **payload.model_dump())
    return Status(201, _case_out(request, case))


@router.get("/cases/{case_id}", response=CaseOut, summary="A case with what you may read of it")
def get_case(request, case_id: UUID):
    case = Case.objects.get_visible(request.user, case_id)
    _require(request.user)
    return _case_out(request, case)


def _leg(request, leg_id: int) -> Leg:
    _require(request.user)
    return get_object_or_404(Leg.objects.for_user(request.user).select_related("case"), pk=leg_id)


@router.post("/legs/{leg_id}/reply", response=CaseOut, summary="Acknowledge, ask, answer or refuse")
def reply(request, leg_id: int, payload: ReplyIn):
    leg = _leg(request, leg_id)
    services.reply(user=request.user, leg=leg, **payload.model_dump())
    return _case_out(request, leg.case)


@router.post("/legs/{leg_id}/clarify", response=CaseOut, summary="Give the clarification asked for")
def clarify(request, leg_id: int, payload: TextIn):
    leg = _leg(request, leg_id)
    services.clarify(user=request.user, leg=leg, body=payload.body)
    return _case_out(request, leg.case)


def _message(request, message_id: UUID) -> Message:
    _require(request.user)
    return get_object_or_404(Message.objects.restrict(request.user), pk=message_id)


@router.post(
    "/messages/{message_id}/forward",
    response={201: CaseOut},
    summary="Pass received information on (H2 only with the provider's consent)",
)
def forward(request, message_id: UUID, payload: ForwardIn):
    message = _message(request, message_id)
    case = services.forward(user=request.user, message=message, **payload.model_dump())
    return Status(201, _case_out(request, case))


@router.post(
    "/messages/{message_id}/consent",
    response=MessageOut,
    summary="As the provider, consent to an H2 message being passed on",
)
def consent(request, message_id: UUID, payload: ConsentIn):
    message = _message(request, message_id)
    services.record_consent(user=request.user, message=message, countries=payload.countries)
    return MessageOut.from_message(message)
