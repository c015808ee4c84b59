"""Escalation of requests as their deadline approaches (issue: 50 %, 90 % and
expiry; new urgent requests at once).

Raising an alert and recording that it was raised happen in one transaction
on the locked leg, and each (leg, alert, officer) is unique: however many
workers run and however often they restart, an alert is raised once.
Delivery (e-mail in the recipient's language) follows from the stored
notifications and marks each one sent.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tromeja.accounts.models import User
from tromeja.core.choices import UnitKind
from tromeja.core.roles import Role
from tromeja.exchange.choices import OPEN_STATES, Alert, LegState
from tromeja.exchange.models import Leg, Notification

log = logging.getLogger(__name__)

THRESHOLDS = ((Alert.HALF, 0.5), (Alert.NINETY, 0.9), (Alert.EXPIRED, 1.0))


def _officers(country: str, role: str) -> list[User]:
    """Holders of a role at the country's contact point (or, if it has none,
    anywhere in the country)."""
    people = User.objects.filter(
        is_active=True, unit__agency__country_id=country, role_grants__role=role
    ).distinct()
    at_spoc = [u for u in people if u.unit and u.unit.kind == UnitKind.CONTACT_POINT]
    return at_spoc or list(people)


def recipients_for(leg: Leg, alert: str) -> list[User]:
    """The assigned officer first; then the duty officers; at expiry also
    the supervisors."""
    country = leg.recipient_country_id
    assigned = [leg.assigned_to] if leg.assigned_to_id else []
    duty = _officers(country, Role.DUTY_OFFICER)
    if alert == Alert.NEW_URGENT:
        people = duty
    elif alert == Alert.HALF:
        people = assigned or duty
    elif alert == Alert.NINETY:
        people = assigned + duty
    else:
        people = assigned + duty + _officers(country, Role.SUPERVISOR)
    return list({u.pk: u for u in people}.values())


def _raise(leg: Leg, alert: str) -> int:
    rows = [Notification(leg=leg, alert=alert, recipient=u) for u in recipients_for(leg, alert)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    leg.alerts = [*leg.alerts, alert]
    leg.save(update_fields=["alerts"])
    return len(rows)


def alert_new(leg: Leg) -> int:
    """Called in the transaction that delivers a request: urgent ones reach
    the duty officers at once."""
    if leg.urgency == "not_urgent" or Alert.NEW_URGENT in leg.alerts:
        return 0
    return _raise(leg, Alert.NEW_URGENT)


def raise_due_alerts(now=None) -> int:
    """Raises the 50 %, 90 % and expiry alerts that are due; returns how many
    notifications were created."""
    now = now or timezone.now()
    candidates = Leg.objects.filter(state__in=OPEN_STATES, due_at__isnull=False).exclude(
        state=LegState.AWAITING_CLARIFICATION
    )
    created = 0
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            leg = Leg.objects.select_for_update().select_related("case").get(pk=pk)
            if leg.state not in OPEN_STATES or leg.clock.suspended:
                continue
            used = leg.clock.fraction_used(now)
            for alert, threshold in THRESHOLDS:
                if used >= threshold and alert not in leg.alerts:
                    created += _raise(leg, alert)
    return created


def deliver(limit: int = 200) -> int:
    """Sends the stored notifications not sent yet, each in its recipient's
    language and time zone."""
    sent = 0
    pending = Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending[:limit]):
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("leg__case", "recipient")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if note is None:
                continue  # another worker has it
            user = note.recipient
            if user.email:
                language = user.language or settings.LANGUAGE_CODE
                with translation.override(language), timezone.override(user.time_zone):
                    subject, body = _text(note)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            note.sent_at = timezone.now()
            note.save(update_fields=["sent_at"])
            sent += 1
    return sent


def _text(note: Notification) -> tuple[str, str]:
    leg, case = note.leg, note.leg.case
    subject = _("%(alert)s: %(reference)s") % {
        "alert": note.get_alert_display(),
        "reference": case.reference,
    }
    due = timezone.localtime(leg.due_at).strftime("%d.%m.%Y %H:%M") if leg.due_at else "–"
    body = _(
        "Request %(reference)s from %(country)s (%(urgency)s): %(subject)s\n"
        "Deadline: %(due)s (%(zone)s)\n"
    ) % {
        "reference": case.reference,
        "country": case.owner_country_id,
        "urgency": leg.get_urgency_display(),
        "subject": case.subject,
        "due": due,
        "zone": timezone.get_current_timezone_name(),
    }
    return subject, body
