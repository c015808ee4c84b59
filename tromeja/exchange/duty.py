"""Who answers the contact point's requests: assignment of an incoming request
to an officer, the hand-over at shift change, the duty roster and the hours
it leaves uncovered, and the requests past their deadline.

Directive (EU) 2023/977 art. 14: the single point of contact is staffed and
reachable 24 hours a day, 7 days a week; the roster shows where it is not.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tromeja.accounts.models import User
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import Country
from tromeja.core.records import RECIPIENT
from tromeja.core.roles import ROLE_PERMISSIONS, Perm
from tromeja.core.transitions import lock
from tromeja.exchange.choices import OPEN_STATES, DutyRole
from tromeja.exchange.models import DutyShift, Leg

# A shift is one stretch of duty; anything longer is a typing error.
MAX_SHIFT = timedelta(hours=24)


def _require_spoc(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES) or not user.country_code:
        raise PermissionDenied(_("Only contact-point officers may do this."))


def is_supervisor(user) -> bool:
    # Validating reports is the supervisor's alone among the roles.
    return bool(
        user.is_authenticated
        and user.country_code
        and user.has_perm_code(Perm.VALIDATE_REPORTS)
        and user.has_perm_code(Perm.EXCHANGE_MESSAGES)
    )


def _require_supervisor(user):
    if not is_supervisor(user):
        raise PermissionDenied(_("Only a supervisor may do this."))


def contact_point_officers(country: str):
    """The active officers of a country who handle contact-point requests:
    those who may be assigned a request or put on the roster."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.EXCHANGE_MESSAGES in perms]
    return (
        User.objects.filter(
            is_active=True, unit__agency__country_id=country, role_grants__role__in=roles
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _check_officer(country: str, officer, field: str):
    if (
        officer is None
        or not officer.is_active
        or officer.country_code != country
        or not officer.has_perm_code(Perm.EXCHANGE_MESSAGES)
    ):
        raise ValidationError({field: _("Choose an officer of your country's contact point.")})


def zone_of(country: str) -> ZoneInfo:
    """The time zone of a country's contact point (the node's if unset)."""
    zone = Country.objects.filter(code=country).values_list("time_zone", flat=True).first()
    return ZoneInfo(zone or settings.TIME_ZONE)


def user_zone(user) -> ZoneInfo:
    """The time zone a user reads and types times in."""
    try:
        return ZoneInfo(getattr(user, "zone_name", "") or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


# Assignment and hand-over


def assign(*, user, leg: Leg, officer) -> Leg:
    """An officer of the receiving contact point gives an open request to a
    colleague of the same contact point, or takes it."""
    _require_spoc(user)
    if leg.recipient_country_id != user.country_code:
        raise PermissionDenied(_("Only the receiving contact point assigns its requests."))
    _check_officer(user.country_code, officer, "officer")
    with transaction.atomic():
        # Two officers assigning at once: the second waits, then assigns the
        # request as it is now; a request closed meanwhile is a conflict.
        leg = lock(
            leg,
            expected=OPEN_STATES,
            in_place=False,
            message=_("This request is closed; there is nothing to assign."),
        )
        if leg.assigned_to_id == officer.pk:
            return leg
        previous = leg.assigned_to.username if leg.assigned_to_id else None
        leg.assigned_to = officer
        leg.assigned_at = timezone.now()
        leg.handover_note = ""
        leg.save(update_fields=["assigned_to", "assigned_at", "handover_note"])
        audit.log(
            AuditAction.ALTERATION,
            actor=user,
            obj=leg,
            detail={"assigned_to": officer.username, "previous": previous},
        )
    return leg


def hand_over(*, user, to_officer, note: str = "") -> int:
    """At shift change, every open request assigned to `user` goes to the
    officer taking over, in one transaction; returns how many."""
    _require_spoc(user)
    _check_officer(user.country_code, to_officer, "to")
    if to_officer.pk == user.pk:
        raise ValidationError({"to": _("Hand over to a colleague, not to yourself.")})
    note = (note or "").strip()[:500]
    with transaction.atomic():
        legs = list(
            Leg.objects.restrict(user, side=RECIPIENT)
            .select_for_update()
            .filter(state__in=OPEN_STATES, assigned_to=user)
            .order_by("pk")
        )
        if not legs:
            return 0
        now = timezone.now()
        Leg.objects.filter(pk__in=[leg.pk for leg in legs]).update(
            assigned_to=to_officer, assigned_at=now, handover_note=note
        )
        detail = {
            "assigned_to": to_officer.username,
            "previous": user.username,
            "hand_over": True,
            "note": note,
        }
        audit.log_many(
            [audit.Event(AuditAction.ALTERATION, leg, detail=detail) for leg in legs], actor=user
        )
    return len(legs)


# The roster


def shifts_for(user):
    """The shifts a user may see: those of their own country's contact point."""
    if not user.is_authenticated or not user.has_perm_code(Perm.EXCHANGE_MESSAGES):
        return DutyShift.objects.none()
    country = user.country_code
    if not country:
        return DutyShift.objects.none()
    return DutyShift.objects.filter(country_id=country)


def on_duty(country: str, at: datetime, role: str | None = None):
    """The officers on duty at the country's contact point at an instant
    (only those of one duty, if `role` is given)."""
    shift = {
        "duty_shifts__country_id": country,
        "duty_shifts__starts_at__lte": at,
        "duty_shifts__ends_at__gt": at,
    }
    if role:
        shift["duty_shifts__role"] = role
    return User.objects.filter(is_active=True, **shift).distinct()


def add_shift(*, user, officer, role: str, starts_at: datetime, ends_at: datetime) -> DutyShift:
    """A supervisor puts an officer of their contact point on the roster."""
    _require_supervisor(user)
    country = user.country_code
    _check_officer(country, officer, "officer")
    errors = {}
    if role not in DutyRole.values:
        errors["role"] = [_("Choose the duty.")]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            errors[name] = [_("Give the date and time.")]
        elif timezone.is_naive(value):
            errors[name] = [_("Give the time with its time zone.")]
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = [_("The shift must end after it starts.")]
    elif not errors and ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = [_("A shift lasts at most 24 hours.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Locking the officer serialises two supervisors rostering them at once.
        User.objects.select_for_update(of=("self",)).filter(pk=officer.pk).first()
        clash = DutyShift.objects.filter(
            officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": _(
                        "%(officer)s is already on the roster from %(start)s to %(end)s."
                    )
                    % {
                        "officer": officer,
                        "start": _local(clash.starts_at),
                        "end": _local(clash.ends_at),
                    }
                }
            )
        shift = DutyShift.objects.create(
            country_id=country,
            officer=officer,
            role=role,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=user,
        )
        audit.log(AuditAction.COLLECTION, actor=user, obj=shift, detail=_shift_detail(shift))
    return shift


def delete_shift(*, user, shift: DutyShift) -> None:
    """A supervisor takes a shift off their contact point's roster."""
    _require_supervisor(user)
    if shift.country_id != user.country_code:
        raise PermissionDenied(_("Only a supervisor of that country may do this."))
    with transaction.atomic():
        audit.log(AuditAction.ERASURE, actor=user, obj=shift, detail=_shift_detail(shift))
        shift.delete()


def _shift_detail(shift: DutyShift) -> dict:
    return {
        "officer": shift.officer.username,
        "role": shift.role,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }


def _local(value: datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@dataclass(frozen=True)
class Gap:
    """A period in which no duty officer is on the roster."""

    start: datetime
    end: datetime


def gaps(country: str, start: datetime, end: datetime) -> list[Gap]:
    """The periods between `start` and `end` in which nobody is on duty as
    duty officer at the country's contact point, in its time zone."""
    zone = zone_of(country)
    covered = DutyShift.objects.filter(
        country_id=country, role=DutyRole.DUTY_OFFICER, starts_at__lt=end, ends_at__gt=start
    ).order_by("starts_at")
    found = []
    cursor = start
    for shift_start, shift_end in covered.values_list("starts_at", "ends_at"):
        if shift_start > cursor:
            found.append(Gap(cursor.astimezone(zone), shift_start.astimezone(zone)))
        cursor = max(cursor, shift_end)
    if cursor < end:
        found.append(Gap(cursor.astimezone(zone), end.astimezone(zone)))
    return found


# Past the deadline


def overdue(user, now: datetime | None = None):
    """Open requests to the supervisor's country whose deadline has passed,
    the most overdue first."""
    _require_supervisor(user)
    now = now or timezone.now()
    return (
        Leg.objects.restrict(user, side=RECIPIENT)
        .filter(state__in=OPEN_STATES, due_at__lt=now)
        .select_related("case", "assigned_to")
        .order_by("due_at", "pk")
    )
