"""Every write of the contact-point exchange. Each function checks who may do
it and in which state, then writes the message, the leg and the audit entries
in one transaction."""

import uuid
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja.core import audit
from tromeja.core.choices import AuditAction, DataSubjectCategory, Distribution
from tromeja.core.consult import disclose
from tromeja.core.models import Country, Sequence
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for
from tromeja.core.transitions import StaleState, lock
from tromeja.exchange import alerts, files
from tromeja.exchange.choices import (
    OPEN_STATES,
    LegState,
    MessageKind,
    RefusalGround,
    SubjectKind,
    Urgency,
)
from tromeja.exchange.models import Attachment, Case, Leg, Message, Subject

# Subjects the incident module's entity index knows (cross-checked on receipt).
INDEXED_KINDS = (SubjectKind.PERSON, SubjectKind.VEHICLE, SubjectKind.PHONE, SubjectKind.DOCUMENT)

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

    return getattr(user, "zone_name", "") or settings.TIME_ZONE


def _message(
    user,
    case,
    kind,
    body,
    *,
    leg=None,
    recipients=(),
    refusal_ground="",
    subjects=(),
    attachments=(),
    **codes,
):
    personal = [s for s in subjects if s["kind"] in INDEXED_KINDS]
    categories = {s.get("category") for s in subjects if s.get("category")}
    if personal:
        from tromeja.incidents.services import _CATEGORY_ORDER, DEFAULT_REVIEW_DAYS

        codes["has_personal_data"] = True
        codes["data_subject_category"] = next(
            (c for c in _CATEGORY_ORDER if c in categories), DataSubjectCategory.OTHER
        )
        codes["review_by"] = timezone.localdate() + timedelta(days=DEFAULT_REVIEW_DAYS)
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
    message.full_clean(
        exclude=["owner_agency", "owner_country", "created_by", "updated_by", "case", "leg"]
    )
    message.save()
    message.shared_with.set(recipients)
    Subject.objects.bulk_create(Subject(message=message, **s) for s in subjects)
    Attachment.objects.bulk_create(
        Attachment(
            message=message, name=f.name, content_type=f.content_type, size=f.size, sha256=f.sha256
        )
        for f in attachments
    )
    for checked in attachments:
        files.store(checked)
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
    attachments=(),
    **about,
) -> Case:
    """Opens a case with a request to one or more partner contact points;
    each recipient gets its own leg, received now, with its deadline. What
    it is about (`about`: persons, vehicles, phones, documents, places,
    incidents, as `subjects_of` takes them) is checked and normalised for
    the recipients' cross-check; attachments are checked by their content.
    Nothing is sent unless all of it is right."""
    _require_spoc(user)
    errors = {}
    subjects, checked, codes = _outgoing(user, subject, recipients, attachments, about, errors)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic(), audit.batched():
        case = _open_case(user, subject, urgency, codes, handling_code, handling_note)
        zones = _receiving_zones(codes)
        for code in codes:
            leg = Leg(
                case=case,
                recipient_country_id=code,
                urgency=urgency,
                received_at=now,
                time_zone=zones[code],
            )
            leg.due_at = leg.clock.due()
            leg.save()
            alerts.alert_new(leg)
        _message(
            user,
            case,
            MessageKind.REQUEST,
            body,
            recipients=codes,
            handling_code=handling_code,
            handling_note=handling_note,
            source_reliability=source_reliability,
            information_accuracy=information_accuracy,
            subjects=subjects,
            attachments=checked,
        )
        _number(case)
    return case


def send_information(
    *,
    user,
    subject: str,
    body: str,
    recipients,
    handling_code="H0",
    handling_note="",
    source_reliability="A",
    information_accuracy="1",
    attachments=(),
    **about,
) -> Case:
    """Spontaneous information to partner contact points (Directive (EU)
    2023/977 art. 7): no answer is due, so no deadline runs. What it is
    about and its attachments are checked as for a request."""
    _require_spoc(user)
    errors = {}
    subjects, checked, codes = _outgoing(user, subject, recipients, attachments, about, errors)
    if not (body or "").strip():
        errors["body"] = [_("Write the text.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.batched():
        case = _open_case(user, subject, Urgency.NOT_URGENT, codes, handling_code, handling_note)
        _message(
            user,
            case,
            MessageKind.SPONTANEOUS,
            body,
            recipients=codes,
            handling_code=handling_code,
            handling_note=handling_note,
            source_reliability=source_reliability,
            information_accuracy=information_accuracy,
            subjects=subjects,
            attachments=checked,
        )
        _number(case)
    return case


def close_case(*, user, case: Case, body: str = "") -> Message:
    """The requester closes a case with a closing note: requests still open
    are closed (their clocks stop) and every recipient is told."""
    _require_spoc(user)
    if case.owner_country_id != user.country_code:
        raise PermissionDenied
    with transaction.atomic(), audit.batched():
        legs = list(Leg.objects.select_for_update().filter(case=case).order_by("pk"))
        if legs and all(leg.state == LegState.CLOSED for leg in legs):
            # Closed a moment ago by a colleague, or long since.
            raise StaleState(_("The case is already closed."))
        now = timezone.now()
        for leg in legs:
            if leg.state in OPEN_STATES and leg.suspensions and leg.suspensions[-1][1] is None:
                leg.suspensions = [*leg.suspensions[:-1], [leg.suspensions[-1][0], _iso(now)]]
            leg.state = LegState.CLOSED
            leg.closed_at = leg.closed_at or now
        Leg.objects.bulk_update(legs, ["state", "closed_at", "suspensions"])
        codes = sorted(case.shared_with.values_list("code", flat=True))
        return _message(
            user,
            case,
            MessageKind.CLOSING_NOTE,
            body,
            recipients=codes,
            handling_code=case.handling_code,
            handling_note=case.handling_note,
        )


def _outgoing(user, subject, recipients, attachments, about, errors) -> tuple:
    """What a new case sends, checked: its subjects, attachments and
    recipients' codes; problems go to `errors`."""
    subjects = subjects_of(user, errors=errors, **about)
    checked = _attachments(attachments, errors)
    return subjects, checked, _recipients(user, recipients, subject, errors)


def new_case_errors(
    *, user, subject, recipients, urgency=None, attachments=(), **about
) -> dict[str, list[str]]:
    """Every problem with a request (with its `urgency`) or with spontaneous
    information (without), as `send_request` and `send_information` would
    refuse it, all at once and nothing written: for a form to show them
    together before sending. A person's, vehicle's, phone's or document's
    problems are under `persons.0`, ... (see `subjects_of`)."""
    _require_spoc(user)
    errors = {}
    subjects_of(user, errors=errors, by_row=True, **about)
    _attachments(attachments, errors)
    _recipients(user, recipients, subject, errors)
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    return errors


def _recipients(user, recipients, subject, errors) -> list[str]:
    codes = sorted({getattr(c, "code", c) for c in recipients or ()})
    allowed = set(partner_countries_for(user).values_list("code", flat=True))
    if not codes:
        errors["recipients"] = [_("Name at least one partner contact point.")]
    elif user.country_code in codes:
        errors["recipients"] = [_("A request goes to partners, not to your own country.")]
    elif not set(codes) <= allowed:
        errors["recipients"] = [
            _("Not a partner country you can send to: %(codes)s.")
            % {"codes": ", ".join(sorted(set(codes) - allowed))}
        ]
    if not (subject or "").strip():
        errors["subject"] = [_("Give the subject.")]
    return codes


def _open_case(user, subject, urgency, codes, handling_code, handling_note) -> Case:
    """A new case of the user's country; its number is given by `_number()`
    at the end of the transaction."""
    case = Case(
        reference=f"~{uuid.uuid4().hex[:24]}",
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
    return case


def _number(case: Case) -> None:
    """Numbers the case in its country's series for the year. Called last in
    the transaction that opens it, so that the series' row lock is held only
    from here to the commit: concurrent requests do not wait for each other's
    whole work."""
    year = timezone.localtime(case.created_at).year
    number = Sequence.next_value(f"case:{case.owner_country_id}:{year}")
    case.reference = f"{case.owner_country_id}-C-{year}-{number:06d}"
    Case.objects.filter(pk=case.pk).update(reference=case.reference)


def _attachments(uploads, errors) -> list:
    try:
        return files.check_all(uploads)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return []


def _add(errors, key, i, message):
    """A problem with the i-th place or report named, in the form of the
    entities' messages (tromeja.entities.message)."""
    kinds = {"places": _("Place"), "incidents": _("Report")}
    text = _("%(kind)s %(line)d: %(problem)s") % {
        "kind": kinds[key],
        "line": i + 1,
        "problem": message,
    }
    errors.setdefault(key, []).append(text)


def subjects_of(
    user,
    *,
    vehicles=(),
    phones=(),
    persons=(),
    documents=(),
    places=(),
    incidents=(),
    errors,
    by_row=False,
) -> list[dict]:
    """The subjects of a message as Subject fields; problems go to `errors`
    by kind, each naming the kind and the line it is on. Persons, vehicles,
    phones and documents are checked and keyed by tromeja.entities, as in
    incident reports; with `by_row` their problems go under `persons.0`,
    `documents.1`, ... (the index in the list given), as the incident
    service reports them, for a form to show each next to its row."""
    from tromeja import entities
    from tromeja.incidents.models import Incident

    cleaned = entities.clean(
        persons=persons,
        vehicles=vehicles,
        phones=phones,
        documents=documents,
        region=user.country_code,
    )
    for name, index, message in cleaned.errors:
        errors.setdefault(f"{name}.{index}" if by_row else name, []).append(message)
    found = []
    for p in cleaned.persons:
        born = p.date_of_birth.isoformat() if p.date_of_birth else ""
        label = " ".join(t for t in (p.surname.upper(), p.given_names) if t)
        extra = ", ".join(t for t in (born, p.nationality) if t)
        found.append(
            {
                "kind": SubjectKind.PERSON,
                "key": p.key,
                "category": p.category,
                "label": (f"{label} ({extra})" if extra else label)[:150],
                "detail": {"date_of_birth": born, "nationality": p.nationality},
            }
        )
    for v in cleaned.vehicles:
        found.append(
            {
                "kind": SubjectKind.VEHICLE,
                "key": v.key,
                "label": f"{v.plate} ({v.registration_country})",
            }
        )
    for ph in cleaned.phones:
        found.append({"kind": SubjectKind.PHONE, "key": ph.key, "label": ph.number})
    for d in cleaned.documents:
        found.append(
            {
                "kind": SubjectKind.DOCUMENT,
                "key": d.key,
                "detail": {"type": d.type},
                "label": f"{d.number} ({d.issuing_country})"[:150],
            }
        )
    for i, place in enumerate(places or ()):
        name = (place.get("name") or "").strip()[:120]
        try:
            lat, lon = float(place.get("latitude")), float(place.get("longitude"))
        except (TypeError, ValueError):
            _add(errors, "places", i, _("Give the place's latitude and longitude in degrees."))
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            _add(
                errors,
                "places",
                i,
                _("Latitude is between -90 and 90, longitude between -180 and 180."),
            )
            continue
        found.append(
            {
                "kind": SubjectKind.PLACE,
                "key": f"{lat:.5f},{lon:.5f}",
                "label": (name or f"{lat:.5f}, {lon:.5f}")[:150],
                "detail": {"latitude": lat, "longitude": lon},
            }
        )
    references = [str(r).strip() for r in incidents or () if str(r).strip()]
    if references:
        visible = dict(
            Incident.objects.restrict(user)
            .filter(reference__in=references)
            .values_list("reference", "pk")
        )
        for i, reference in enumerate(references):
            if reference not in visible:
                _add(
                    errors,
                    "incidents",
                    i,
                    _("“%(reference)s” is not a report you can see.") % {"reference": reference},
                )
                continue
            found.append(
                {
                    "kind": SubjectKind.INCIDENT,
                    "key": str(visible[reference]),
                    "label": reference,
                    "detail": {"id": str(visible[reference])},
                }
            )
    return found


def request_keys(user, leg: Leg) -> list[tuple[str, str]]:
    """The cross-match keys (tromeja.entities) of the persons, vehicles,
    phones and documents a leg's request is about, if the user may read
    the request."""
    request = Message.objects.restrict(user).filter(case_id=leg.case_id, kind=MessageKind.REQUEST)
    return list(
        Subject.objects.filter(message__in=request, kind__in=INDEXED_KINDS)
        .order_by("kind", "key")
        .values_list("kind", "key")
        .distinct()
    )


def cross_check(*, user, leg: Leg) -> list:
    """Where the subjects of a request were seen in what the receiving
    country may see (its incident reports and what partners shared with
    it). Shown to the receiver only; the requester never sees these hits."""
    from tromeja.incidents.queries import sightings

    if leg.recipient_country_id != user.country_code:
        return []
    hits = sightings(user, request_keys(user, leg))
    if hits:
        audit.log(
            AuditAction.COMBINATION,
            actor=user,
            obj=leg.case,
            detail={"matched": sorted({h.incident_id for h in hits})},
        )
    return hits


def earlier_cases(*, user, leg: Leg, limit: int = 50) -> list[dict]:
    """The receiver's cross-check against earlier exchanges: the messages it
    may read, in other cases, about the same persons, vehicles, phones or
    documents. Newest first; never shown to the requester."""
    from tromeja import entities

    if leg.recipient_country_id != user.country_code:
        return []
    keys = request_keys(user, leg)
    if not keys:
        return []
    rows = (
        Subject.objects.filter(
            entities.key_condition(keys), message__in=Message.objects.restrict(user)
        )
        .exclude(message__case_id=leg.case_id)
        .order_by("-message__created_at")
        .values(
            "label",
            "message__case_id",
            "message__case__reference",
            "message__owner_country_id",
            "message__created_at",
        )[:limit]
    )
    found = [
        {
            "label": r["label"],
            "case_id": r["message__case_id"],
            "reference": r["message__case__reference"],
            "country": r["message__owner_country_id"],
            "at": r["message__created_at"],
        }
        for r in rows
    ]
    if found:
        audit.log(
            AuditAction.COMBINATION,
            actor=user,
            obj=leg.case,
            detail={"cases": sorted({str(f["case_id"]) for f in found})},
        )
    return found


def seen_before(*, user, leg: Leg, limit: int = 50) -> list[dict]:
    """The receiver's cross-check, grouped by what the request asks about:
    for each person, vehicle, phone or document of the request, where the
    receiving country saw it before (the incident reports and the earlier
    cases it may see), the newest first; the subjects seen most recently
    first. Each group is {"kind", "key", "label", "hits", "count", "newest"},
    each hit {"source": "incident" or "case", "id", "reference", "country",
    "at"}. Never shown to the requester. Showing the hits combines records:
    written to the audit trail as `cross_check` and `earlier_cases` do."""
    from tromeja import entities
    from tromeja.incidents.queries import sightings

    if leg.recipient_country_id != user.country_code:
        return []
    request = Message.objects.restrict(user).filter(case_id=leg.case_id, kind=MessageKind.REQUEST)
    asked = {}
    for kind, key, label in (
        Subject.objects.filter(message__in=request, kind__in=INDEXED_KINDS)
        .order_by("kind", "key", "pk")
        .values_list("kind", "key", "label")
    ):
        asked.setdefault((kind, key), label)
    if not asked:
        return []
    hits = {pair: [] for pair in asked}
    for pair in asked:
        for seen in sightings(user, [pair], limit=limit):
            hits[pair].append(
                {
                    "source": "incident",
                    "id": seen.incident_id,
                    "reference": seen.reference,
                    "country": seen.country,
                    "at": seen.occurred_at,
                }
            )
    matched = sorted({h["id"] for found in hits.values() for h in found})
    earlier = (
        Subject.objects.filter(
            entities.key_condition(list(asked)),
            message__in=Message.objects.restrict(user),
            message__case__in=Case.objects.restrict(user),
        )
        .exclude(message__case_id=leg.case_id)
        .order_by("-message__created_at")
        .values_list(
            "kind",
            "key",
            "message__case_id",
            "message__case__reference",
            "message__owner_country_id",
            "message__created_at",
        )[:limit]
    )
    cases = set()
    for kind, key, case_id, reference, country, at in earlier:
        found = hits[(kind, key)]
        if any(h["source"] == "case" and h["id"] == case_id for h in found):
            continue  # the same case asked about it twice: one hit
        found.append(
            {"source": "case", "id": case_id, "reference": reference, "country": country, "at": at}
        )
        cases.add(str(case_id))
    if matched:
        audit.log(AuditAction.COMBINATION, actor=user, obj=leg.case, detail={"matched": matched})
    if cases:
        audit.log(
            AuditAction.COMBINATION, actor=user, obj=leg.case, detail={"cases": sorted(cases)}
        )
    groups = []
    for (kind, key), found in hits.items():
        if not found:
            continue
        found.sort(key=lambda h: h["at"], reverse=True)
        groups.append(
            {
                "kind": kind,
                "key": key,
                "label": asked[(kind, key)],
                "hits": found,
                "count": len(found),
                "newest": found[0]["at"],
            }
        )
    groups.sort(key=lambda g: g["newest"], reverse=True)
    return groups


def _receiving_zones(codes) -> dict[str, str]:
    """The time zone in which each recipient's calendar days are counted."""
    from django.conf import settings

    zones = dict(Country.objects.filter(code__in=codes).values_list("code", "time_zone"))
    return {code: zone or settings.TIME_ZONE for code, zone in zones.items()}


def _leg_for_recipient(user, leg: Leg, expected) -> Leg:
    """The recipient's leg, locked, and still in one of the `expected`
    states (another duty officer may have answered it a moment ago)."""
    _require_spoc(user)
    if leg.recipient_country_id != user.country_code:
        raise PermissionDenied
    return lock(
        leg,
        expected=expected,
        in_place=False,
        message=_("Not possible while the request is “%(state)s”."),
    )


def reply(
    *, user, leg: Leg, kind: str, body: str = "", refusal_ground: str = "", attachments=()
) -> Message:
    """The recipient's acknowledgement, request for clarification, partial or
    full answer, or refusal (with its ground), with attachments if any."""
    if kind not in _RECIPIENT_REPLIES:
        raise ValidationError({"kind": _("This is not a reply to a request.")})
    if kind == MessageKind.REFUSAL and refusal_ground not in RefusalGround.values:
        raise ValidationError({"refusal_ground": _("Name the ground for the refusal.")})
    if kind != MessageKind.REFUSAL and refusal_ground:
        raise ValidationError({"refusal_ground": _("Only a refusal has a ground.")})
    if kind in {MessageKind.ANSWER, MessageKind.CLARIFICATION_REQUEST} and not body.strip():
        raise ValidationError({"body": _("Write the text.")})
    checked = files.check_all(attachments)
    with transaction.atomic(), audit.batched():
        allowed_from, to = _RECIPIENT_REPLIES[kind]
        leg = _leg_for_recipient(user, leg, allowed_from)
        now = timezone.now()
        if kind == MessageKind.CLARIFICATION_REQUEST:
            # The clock stops until the clarification arrives.
            leg.suspensions = [*leg.suspensions, [_iso(now), None]]
        leg.state = to
        if to in {LegState.ANSWERED, LegState.REFUSED}:
            leg.closed_at = now
        leg.due_at = leg.clock.due()
        leg.save(update_fields=["state", "suspensions", "due_at", "closed_at"])
        return _message(
            user,
            leg.case,
            kind,
            body,
            leg=leg,
            recipients=[leg.case.owner_country_id],
            refusal_ground=refusal_ground,
            attachments=checked,
        )


def clarify(*, user, leg: Leg, body: str, attachments=()) -> Message:
    """The requester's clarification: the recipient's clock runs again."""
    _require_spoc(user)
    if not body.strip():
        raise ValidationError({"body": _("Write the text.")})
    checked = files.check_all(attachments)
    with transaction.atomic(), audit.batched():
        if leg.case.owner_country_id != user.country_code:
            raise PermissionDenied
        leg = lock(
            leg,
            expected={LegState.AWAITING_CLARIFICATION},
            in_place=False,
            message=_("No clarification was asked for: the request is “%(state)s”."),
        )
        asked, _answered = leg.suspensions[-1]
        leg.suspensions = [*leg.suspensions[:-1], [asked, _iso(timezone.now())]]
        leg.state = LegState.IN_PROGRESS
        leg.due_at = leg.clock.due()
        leg.save(update_fields=["state", "suspensions", "due_at"])
        return _message(
            user,
            leg.case,
            MessageKind.CLARIFICATION,
            body,
            leg=leg,
            recipients=[leg.recipient_country_id],
            attachments=checked,
        )


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
    with transaction.atomic(), audit.batched():
        message.forward_consent = sorted(set(message.forward_consent) | set(codes))
        message.save(update_fields=["forward_consent"])
        audit.log(
            AuditAction.ALTERATION,
            actor=user,
            obj=message,
            detail={"forward_consent": message.forward_consent},
        )
    return message


def forward(*, user, message: Message, recipients, note: str = "") -> Case:
    """Passes a received message on to other partners as spontaneous
    information. H2 forbids it unless the provider consented for each of
    them (docs/rules.md §1); the handling code travels with the text."""
    _require_spoc(user)
    if not Message.objects.restrict(user).filter(pk=message.pk).exists():
        raise PermissionDenied
    if message.owner_country_id == user.country_code:
        raise ValidationError(
            _("Share your own messages by sending them; forwarding is for what partners sent you.")
        )
    codes = sorted({getattr(c, "code", c) for c in recipients or ()})
    allowed = set(partner_countries_for(user).values_list("code", flat=True))
    allowed.discard(message.owner_country_id)
    if not codes or not set(codes) <= allowed:
        raise ValidationError({"recipients": _("Name partner countries other than the provider.")})
    if not message.may_be_passed_on:
        missing = sorted(set(codes) - set(message.forward_consent))
        if missing:
            raise ValidationError(
                {
                    "recipients": _(
                        "H2: %(provider)s has not consented to passing this on to %(codes)s."
                    )
                    % {"provider": message.owner_country_id, "codes": ", ".join(missing)}
                }
            )
    with transaction.atomic(), audit.batched():
        subject = (_("Passed on: %(subject)s") % {"subject": message.case.subject})[:200]
        case = _open_case(
            user, subject, Urgency.NOT_URGENT, codes, message.handling_code, message.handling_note
        )
        text = "\n\n".join(t for t in ((note or "").strip(), message.body) if t)
        forwarded = _message(
            user,
            case,
            MessageKind.SPONTANEOUS,
            text,
            recipients=codes,
            handling_code=message.handling_code,
            handling_note=message.handling_note,
            source_reliability=message.source_reliability,
            information_accuracy=message.information_accuracy,
        )
        forwarded.forwarded_from = message
        forwarded.save(update_fields=["forwarded_from"])
        _number(case)
    return case
