"""Every write of the contact-point exchange. Each function checks who may do
it and in which state, then writes the message, the leg and the audit entries
in one transaction."""

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja.core import audit
from tromeja.core.choices import AuditAction, Distribution
from tromeja.core.consult import disclose
from tromeja.core.models import Country, Sequence
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for
from tromeja.exchange import alerts
from tromeja.exchange.choices import LegState, MessageKind, RefusalGround, Urgency
from tromeja.exchange.models import Case, Leg, Message, Subject

# Where each kind of reply may come from, and what it does to the leg.
_RECIPIENT_REPLIES = {
    MessageKind.ACKNOWLEDGEMENT: (
        {LegState.NEW},
        LegState.ACKNOWLEDGED,
    ),
    MessageKind.CLARIFICATION_REQUEST: (
        {LegState.NEW, LegState.ACKNOWLEDGED, LegState.IN_PROGRESS},
        LegState.AWAITING_CLARIFICATION,
    ),
    MessageKind.PARTIAL_ANSWER: (
        {LegState.NEW, LegState.ACKNOWLEDGED, LegState.IN_PROGRESS},
        LegState.IN_PROGRESS,
    ),
    MessageKind.ANSWER: (
        {LegState.NEW, LegState.ACKNOWLEDGED, LegState.IN_PROGRESS},
        LegState.ANSWERED,
    ),
    MessageKind.REFUSAL: (
        {LegState.NEW, LegState.ACKNOWLEDGED, LegState.IN_PROGRESS},
        LegState.REFUSED,
    ),
}


def _require_spoc(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES) or not user.unit_id:
        raise PermissionDenied


def _time_zone(user) -> str:
    from django.conf import settings

    return getattr(user, "time_zone", "") or settings.TIME_ZONE


def _message(user, case, kind, body, *, leg=None, recipients=(), refusal_ground="", **codes):
    message = Message(
        case=case,
        kind=kind,
        leg=leg,
        body=(body or "").strip(),
        language=getattr(user, "language", "") or "en",
        refusal_ground=refusal_ground,
        owner_agency_id=user.unit.agency_id,
        owner_country_id=user.country_code,
        created_by=user,
        updated_by=user,
        distribution=Distribution.NAMED,
        **codes,
    )
    message.full_clean(exclude=["owner_agency", "owner_country", "created_by", "updated_by",
                                "case", "leg"])  # fmt: skip
    message.save()
    message.shared_with.set(recipients)
    audit.log(AuditAction.COLLECTION, actor=user, obj=message)
    disclose(user, [message], recipients=sorted(recipients), channel="exchange")
    return message


def send_request(
    *,
    user,
    subject: str,
    body: str,
    urgency: str,
    recipients,
    handling_code="H0",
    handling_note="",
    source_reliability="A",
    information_accuracy="1",
    vehicles=(),
    phones=(),
) -> Case:
    """Opens a case with a request to one or more partner contact points;
    each recipient gets its own leg, received now, with its deadline. The
    vehicles ({plate, registration_country}) and phone numbers it is about
    are normalised for the recipients' cross-check."""
    _require_spoc(user)
    errors = {}
    subjects = _subjects(user, vehicles, phones, errors)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    codes = sorted({getattr(c, "code", c) for c in recipients or ()})
    allowed = set(partner_countries_for(user).values_list("code", flat=True))
    if not codes:
        errors["recipients"] = [_("Name at least one partner contact point.")]
    elif not set(codes) <= allowed:
        errors["recipients"] = [
            _("Not a partner country you can send to: %(codes)s.")
            % {"codes": ", ".join(sorted(set(codes) - allowed))}
        ]
    if not (subject or "").strip():
        errors["subject"] = [_("Give the subject.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        year = timezone.localtime(now).year
        number = Sequence.next_value(f"case:{user.country_code}:{year}")
        case = Case(
            reference=f"{user.country_code}-C-{year}-{number:06d}",
            subject=subject.strip()[:200],
            urgency=urgency,
            owner_agency_id=user.unit.agency_id,
            owner_country_id=user.country_code,
            created_by=user,
            updated_by=user,
            distribution=Distribution.NAMED,
            handling_code=handling_code,
            handling_note=handling_note,
        )
        case.full_clean(exclude=["owner_agency", "owner_country", "created_by", "updated_by"])
        case.save()
        case.shared_with.set(codes)
        audit.log(AuditAction.COLLECTION, actor=user, obj=case)
        zones = _receiving_zones(codes)
        for code in codes:
            leg = Leg(case=case, recipient_country_id=code, urgency=urgency, received_at=now,
                      time_zone=zones[code])  # fmt: skip
            leg.due_at = leg.clock.due()
            leg.save()
            alerts.alert_new(leg)
        request = _message(user, case, MessageKind.REQUEST, body, recipients=codes,
                           handling_code=handling_code, handling_note=handling_note,
                           source_reliability=source_reliability,
                           information_accuracy=information_accuracy)  # fmt: skip
        Subject.objects.bulk_create(Subject(message=request, **s) for s in subjects)
    return case


def _subjects(user, vehicles, phones, errors) -> list[dict]:
    from tromeja.incidents import normalize
    from tromeja.incidents.choices import EntityKind

    found = []
    for i, vehicle in enumerate(vehicles or ()):
        plate = (vehicle.get("plate") or "").strip()
        country = (vehicle.get("registration_country") or "").strip().upper()
        try:
            key = normalize.plate_key(plate, country)
        except ValidationError as exc:
            errors.setdefault("vehicles", []).append(f"{i + 1}: {exc.messages[0]}")
            continue
        found.append({"kind": EntityKind.VEHICLE, "key": key, "label": f"{plate} ({country})"})
    for i, number in enumerate(phones or ()):
        try:
            key = normalize.phone_key(number, user.country_code)
        except ValidationError as exc:
            errors.setdefault("phones", []).append(f"{i + 1}: {exc.messages[0]}")
            continue
        found.append({"kind": EntityKind.PHONE, "key": key, "label": key})
    return found


def cross_check(*, user, leg: Leg) -> list:
    """Where the subjects of a request were seen in what the receiving
    country may see (its incident reports and what partners shared with
    it). Shown to the receiver only; the requester never sees these hits."""
    from tromeja.incidents.queries import sightings

    if leg.recipient_country_id != user.country_code:
        return []
    keys = list(
        Subject.objects.filter(message__case=leg.case, message__kind=MessageKind.REQUEST)
        .values_list("kind", "key")
        .distinct()
    )
    hits = sightings(user, keys)
    if hits:
        audit.log(AuditAction.COMBINATION, actor=user, obj=leg.case,
                  detail={"matched": sorted({h.incident_id for h in hits})})  # fmt: skip
    return hits


def _receiving_zones(codes) -> dict[str, str]:
    """The time zone in which each recipient's calendar days are counted."""
    from django.conf import settings

    zones = {"SI": "Europe/Ljubljana", "IT": "Europe/Rome", "HR": "Europe/Zagreb"}
    known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
    return {c: zones.get(c, settings.TIME_ZONE) for c in codes if c in known}


def _leg_for_recipient(user, leg: Leg) -> Leg:
    _require_spoc(user)
    if leg.recipient_country_id != user.country_code:
        raise PermissionDenied
    return Leg.objects.select_for_update().get(pk=leg.pk)


def reply(*, user, leg: Leg, kind: str, body: str = "", refusal_ground: str = "") -> Message:
    """The recipient's acknowledgement, request for clarification, partial or
    full answer, or refusal (with its ground)."""
    if kind not in _RECIPIENT_REPLIES:
        raise ValidationError({"kind": _("This is not a reply to a request.")})
    if kind == MessageKind.REFUSAL and refusal_ground not in RefusalGround.values:
        raise ValidationError({"refusal_ground": _("Name the ground for the refusal.")})
    if kind != MessageKind.REFUSAL and refusal_ground:
        raise ValidationError({"refusal_ground": _("Only a refusal has a ground.")})
    if kind in {MessageKind.ANSWER, MessageKind.CLARIFICATION_REQUEST} and not body.strip():
        raise ValidationError({"body": _("Write the text.")})
    with transaction.atomic():
        leg = _leg_for_recipient(user, leg)
        allowed_from, to = _RECIPIENT_REPLIES[kind]
        if leg.state not in allowed_from:
            raise ValidationError(
                _("Not possible while the request is “%(state)s”.")
                % {"state": leg.get_state_display()}
            )
        now = timezone.now()
        if kind == MessageKind.CLARIFICATION_REQUEST:
            # The clock stops until the clarification arrives.
            leg.suspensions = [*leg.suspensions, [_iso(now), None]]
        leg.state = to
        if to in {LegState.ANSWERED, LegState.REFUSED}:
            leg.closed_at = now
        leg.due_at = leg.clock.due()
        leg.save(update_fields=["state", "suspensions", "due_at", "closed_at"])
        return _message(user, leg.case, kind, body, leg=leg,
                        recipients=[leg.case.owner_country_id],
                        refusal_ground=refusal_ground)  # fmt: skip


def clarify(*, user, leg: Leg, body: str) -> Message:
    """The requester's clarification: the recipient's clock runs again."""
    _require_spoc(user)
    if not body.strip():
        raise ValidationError({"body": _("Write the text.")})
    with transaction.atomic():
        leg = Leg.objects.select_for_update().select_related("case").get(pk=leg.pk)
        if leg.case.owner_country_id != user.country_code:
            raise PermissionDenied
        if leg.state != LegState.AWAITING_CLARIFICATION:
            raise ValidationError(_("No clarification was asked for."))
        asked, _answered = leg.suspensions[-1]
        leg.suspensions = [*leg.suspensions[:-1], [asked, _iso(timezone.now())]]
        leg.state = LegState.IN_PROGRESS
        leg.due_at = leg.clock.due()
        leg.save(update_fields=["state", "suspensions", "due_at"])
        return _message(user, leg.case, MessageKind.CLARIFICATION, body, leg=leg,
                        recipients=[leg.recipient_country_id])  # fmt: skip


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def record_consent(*, user, message: Message, countries) -> Message:
    """The provider (the message's country) consents to its H2 message being
    passed on to the named partners."""
    _require_spoc(user)
    if message.owner_country_id != user.country_code:
        raise PermissionDenied
    codes = sorted({getattr(c, "code", c) for c in countries})
    allowed = set(partner_countries_for(user).values_list("code", flat=True))
    if not codes or not set(codes) <= allowed:
        raise ValidationError({"countries": _("Name the partner countries.")})
    with transaction.atomic():
        message.forward_consent = sorted(set(message.forward_consent) | set(codes))
        message.save(update_fields=["forward_consent"])
        audit.log(AuditAction.ALTERATION, actor=user, obj=message,
                  detail={"forward_consent": message.forward_consent})  # fmt: skip
    return message


def forward(*, user, message: Message, recipients, note: str = "") -> Case:
    """Passes a received message on to other partners as spontaneous
    information. H2 forbids it unless the provider consented for each of
    them (rules.md §1); the handling code travels with the text."""
    _require_spoc(user)
    if not Message.objects.restrict(user).filter(pk=message.pk).exists():
        raise PermissionDenied
    if message.owner_country_id == user.country_code:
        raise ValidationError(_("Share your own messages by sending them; forwarding is for "
                                "what partners sent you."))  # fmt: skip
    codes = sorted({getattr(c, "code", c) for c in recipients or ()})
    allowed = set(partner_countries_for(user).values_list("code", flat=True))
    allowed.discard(message.owner_country_id)
    if not codes or not set(codes) <= allowed:
        raise ValidationError({"recipients": _("Name partner countries other than the provider.")})
    if not message.may_be_passed_on:
        missing = sorted(set(codes) - set(message.forward_consent))
        if missing:
            raise ValidationError(
                {"recipients": _("H2: %(provider)s has not consented to passing this on to "
                                 "%(codes)s.") % {"provider": message.owner_country_id,
                                                  "codes": ", ".join(missing)}}
            )  # fmt: skip
    with transaction.atomic():
        year = timezone.localtime().year
        number = Sequence.next_value(f"case:{user.country_code}:{year}")
        case = Case(
            reference=f"{user.country_code}-C-{year}-{number:06d}",
            subject=(_("Passed on: %(subject)s") % {"subject": message.case.subject})[:200],
            urgency=Urgency.NOT_URGENT,
            owner_agency_id=user.unit.agency_id,
            owner_country_id=user.country_code,
            created_by=user,
            updated_by=user,
            distribution=Distribution.NAMED,
            handling_code=message.handling_code,
            handling_note=message.handling_note,
        )
        case.save()
        case.shared_with.set(codes)
        audit.log(AuditAction.COLLECTION, actor=user, obj=case)
        text = "\n\n".join(t for t in ((note or "").strip(), message.body) if t)
        forwarded = _message(user, case, MessageKind.SPONTANEOUS, text, recipients=codes,
                             handling_code=message.handling_code,
                             handling_note=message.handling_note,
                             source_reliability=message.source_reliability,
                             information_accuracy=message.information_accuracy)  # fmt: skip
        forwarded.forwarded_from = message
        forwarded.save(update_fields=["forwarded_from"])
    return case
