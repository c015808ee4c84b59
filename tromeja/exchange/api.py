"""The contact point through the API: what the inbox does, for national
systems that submit and fetch messages."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from tromeja.core.consult import consult, disclose
from tromeja.core.records import RECIPIENT, SENDER
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDate
from tromeja.exchange import services
from tromeja.exchange.choices import OPEN_STATES
from tromeja.exchange.files import ACCEPTED as ACCEPTED_TYPES
from tromeja.exchange.models import Case, Leg, Message
from tromeja.openapi import PERSONAL_DATA

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


class SubjectOut(Schema):
    kind: str
    label: str
    key: str
    category: str
    detail: dict


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str


class MessageOut(Schema):
    model_config = ConfigDict(json_schema_extra=PERSONAL_DATA)

    id: UUID
    kind: str
    sender: str
    created_at: datetime
    body: str
    language: str
    handling_code: str
    handling_note: str
    stamp: str
    refusal_ground: str
    leg_id: int | None
    subjects: list[SubjectOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def from_message(m: Message) -> "MessageOut":
        return MessageOut(
            id=m.pk,
            kind=m.kind,
            sender=m.owner_country_id,
            created_at=m.created_at,
            body=m.body,
            language=m.language,
            handling_code=m.handling_code,
            handling_note=m.handling_note,
            stamp=m.stamp,
            refusal_ground=m.refusal_ground,
            leg_id=m.leg_id,
            subjects=[
                SubjectOut(
                    kind=s.kind, label=s.label, key=s.key, category=s.category, detail=s.detail
                )
                for s in m.subjects.all()
            ],
            attachments=[
                AttachmentOut(
                    id=a.pk, name=a.name, size=a.size, content_type=a.content_type, sha256=a.sha256
                )
                for a in m.attachments.all()
            ],
        )


class CaseOut(Schema):
    id: UUID
    reference: str
    subject: str
    urgency: str
    requester: str
    handling_code: str
    stamp: str
    legs: list[LegOut]
    messages: list[MessageOut]


class SubjectVehicleIn(Schema):
    plate: str = Field(min_length=2, max_length=20)
    registration_country: str = Field(min_length=2, max_length=2)


class SubjectPersonIn(Schema):
    surname: str = Field(min_length=1, max_length=100)
    given_names: str = Field("", max_length=100)
    date_of_birth: ApiDate | Literal[""] = Field("", description="YYYY-MM-DD")
    nationality: str = Field("", max_length=2)
    category: Literal["suspect", "convicted", "victim", "other"]


class SubjectDocumentIn(Schema):
    type: Literal["passport", "id_card", "residence", "driving", "other"]
    number: str = Field(min_length=1, max_length=30)
    issuing_country: str = Field(min_length=2, max_length=2)


class PlaceIn(Schema):
    name: str = Field("", max_length=120)
    latitude: float
    longitude: float


class AttachmentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(description="the file's bytes, Base64-encoded")


class RequestIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    urgency: Literal["urgent_direct", "urgent_indirect", "not_urgent"]
    recipients: list[str] = Field(min_length=1, max_length=20)
    handling_code: Literal["H0", "H1", "H2", "H3"] = "H0"
    handling_note: str = Field("", max_length=500)
    vehicles: list[SubjectVehicleIn] = Field(default_factory=list, max_length=50)
    phones: list[str] = Field(default_factory=list, max_length=50)
    persons: list[SubjectPersonIn] = Field(default_factory=list, max_length=50)
    documents: list[SubjectDocumentIn] = Field(default_factory=list, max_length=50)
    places: list[PlaceIn] = Field(default_factory=list, max_length=50)
    incidents: list[str] = Field(
        default_factory=list, max_length=50, description="references of incident reports"
    )
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class InformationIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    recipients: list[str] = Field(min_length=1, max_length=20)
    handling_code: Literal["H0", "H1", "H2", "H3"] = "H0"
    handling_note: str = Field("", max_length=500)
    vehicles: list[SubjectVehicleIn] = Field(default_factory=list, max_length=50)
    phones: list[str] = Field(default_factory=list, max_length=50)
    persons: list[SubjectPersonIn] = Field(default_factory=list, max_length=50)
    documents: list[SubjectDocumentIn] = Field(default_factory=list, max_length=50)
    places: list[PlaceIn] = Field(default_factory=list, max_length=50)
    incidents: list[str] = Field(default_factory=list, max_length=50)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class CloseIn(Schema):
    body: str = Field("", max_length=5000)


class ReplyIn(Schema):
    kind: Literal["acknowledgement", "clarification_request", "partial_answer", "answer", "refusal"]
    body: str = Field("", max_length=20000)
    refusal_ground: str = Field("", max_length=24)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class TextIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


def _files(items) -> list:
    """Base64 attachments as files; undecodable ones are refused by name."""
    import base64
    import binascii

    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile
    from django.utils.translation import gettext as _

    found, errors = [], []
    for item in items:
        try:
            data = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            errors.append(_("“%(name)s” is not Base64.") % {"name": item["name"]})
            continue
        found.append(ContentFile(data, name=item["name"]))
    if errors:
        raise ValidationError({"attachments": errors})
    return found


class ForwardIn(Schema):
    recipients: list[str] = Field(min_length=1, max_length=20)
    note: str = Field("", max_length=2000)


class ConsentIn(Schema):
    countries: list[str] = Field(min_length=1, max_length=20)


def _case_out(request, case: Case) -> CaseOut:
    now = timezone.now()
    shown = list(
        Message.objects.restrict(request.user)
        .filter(case=case)
        .prefetch_related("subjects", "attachments")
    )
    disclose(request.user, [case, *shown], channel="api")
    consult(request.user, [case, *shown])
    legs = Leg.objects.restrict(request.user).filter(case=case).select_related("case")
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        subject=case.subject,
        urgency=case.urgency,
        requester=case.owner_country_id,
        handling_code=case.handling_code,
        stamp=case.stamp,
        legs=[LegOut.from_leg(leg, now) for leg in legs],
        messages=[MessageOut.from_message(m) for m in shown],
    )


@router.get("/legs", response=list[LegOut], summary="Requests to and from my country, by time left")
def list_legs(request, direction: Literal["in", "out"] = "in", open_only: bool = True):
    _require(request.user)
    side = RECIPIENT if direction == "in" else SENDER
    legs = Leg.objects.restrict(request.user, side=side).select_related("case")
    if open_only:
        legs = legs.filter(state__in=OPEN_STATES)
    now = timezone.now()
    rows = sorted(legs[:500], key=lambda leg: (leg.due_at is None, leg.due_at or now))
    return [LegOut.from_leg(leg, now) for leg in rows]


@router.post(
    "/requests", response={201: CaseOut}, summary="Send a request to partner contact points"
)
def send_request(request, payload: RequestIn):
    _require(request.user)
    data = payload.model_dump()
    data["attachments"] = _files(data["attachments"])
    case = services.send_request(user=request.user, **data)
    return Status(201, _case_out(request, case))


@router.post(
    "/information", response={201: CaseOut}, summary="Send spontaneous information to partners"
)
def send_information(request, payload: InformationIn):
    _require(request.user)
    data = payload.model_dump()
    data["attachments"] = _files(data["attachments"])
    case = services.send_information(user=request.user, **data)
    return Status(201, _case_out(request, case))


@router.post("/cases/{case_id}/close", response=CaseOut, summary="Close my case with a note")
def close_case(request, case_id: UUID, payload: CloseIn):
    case = Case.objects.get_visible(request.user, case_id)
    _require(request.user)
    services.close_case(user=request.user, case=case, body=payload.body)
    return _case_out(request, case)


@router.get("/cases/{case_id}", response=CaseOut, summary="A case with what you may read of it")
def get_case(request, case_id: UUID):
    case = Case.objects.get_visible(request.user, case_id)
    _require(request.user)
    return _case_out(request, case)


def _leg(request, leg_id: int) -> Leg:
    _require(request.user)
    return get_object_or_404(Leg.objects.restrict(request.user).select_related("case"), pk=leg_id)


@router.post("/legs/{leg_id}/reply", response=CaseOut, summary="Acknowledge, ask, answer or refuse")
def reply(request, leg_id: int, payload: ReplyIn):
    leg = _leg(request, leg_id)
    data = payload.model_dump()
    data["attachments"] = _files(data["attachments"])
    services.reply(user=request.user, leg=leg, **data)
    return _case_out(request, leg.case)


@router.post("/legs/{leg_id}/clarify", response=CaseOut, summary="Give the clarification asked for")
def clarify(request, leg_id: int, payload: TextIn):
    leg = _leg(request, leg_id)
    services.clarify(
        user=request.user,
        leg=leg,
        body=payload.body,
        attachments=_files(payload.model_dump()["attachments"]),
    )
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


@router.get(
    "/attachments/{attachment_id}",
    summary="An attachment's bytes (to those who may read its message)",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as a download, with the type it was accepted as",
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in ACCEPTED_TYPES
                },
            }
        }
    },
)
def attachment(request, attachment_id: int):
    from tromeja.exchange.views import attachment_response

    return attachment_response(request.user, attachment_id)


# Duty roster, assignment and overdue requests; yearly statistics.
from tromeja.exchange.duty_api import router as duty_router  # noqa: E402
from tromeja.exchange.stats_api import router as stats_router  # noqa: E402

router.add_router("", duty_router)
router.add_router("", stats_router)
