"""Escalation of requests as their deadline approaches (issue: 50 %, 90 % and
expiry; new urgent requests at once).

Raising an alert and recording that it was raised happen in one transaction
on the locked leg, and each (leg, alert, officer) is unique: however many
workers run and however often they restart, an alert is raised once.
Delivery (e-mail in the recipient's language) follows from the stored
notifications and marks each one sent.

"The duty officer" is whoever the roster (exchange.duty) has on duty as duty
officer at the recipient's contact point when the alert is raised; if nobody
is rostered, every duty officer of that contact point is alerted, so an alert
is never lost to a gap in the roster. The same holds for supervisors at
expiry.

An optional webhook (TROMEJA_WEBHOOK_URL) tells another system, once per
alert of a request, that the alert was delivered: the request's reference,
country, deadline and leg, no personal data and no text, signed with
TROMEJA_WEBHOOK_SECRET: X-Tromeja-Signature is sha256=<HMAC-SHA256 of
"<X-Tromeja-Timestamp>.<body>">, so the time cannot be changed either, and a
receiver refuses posts older than WEBHOOK_REPLAY_WINDOW (`verify()`). The post
is made outside any transaction and row lock (a slow receiver holds nothing
up); the mark that it went is written after it. One that fails is tried again
on the next run; two clocks at the same moment may post an event twice, which
the receiver drops by its `event` key.
"""

import hashlib
import hmac
import http.client
import json
import logging
import urllib.request
from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tromeja.accounts.models import User
from tromeja.core.choices import UnitKind
from tromeja.core.dbretry import retrying
from tromeja.core.roles import Role
from tromeja.exchange.choices import OPEN_STATES, Alert, DutyRole, LegState
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


def _on_duty(country: str, duty: str, role: str, now) -> list[User]:
    """Those the roster has on duty now; everyone holding the role if the
    roster has nobody."""
    from tromeja.exchange.duty import on_duty

    rostered = list(on_duty(country, now, duty).order_by("pk"))
    return rostered or _officers(country, role)


def recipients_for(leg: Leg, alert: str, now=None) -> list[User]:
    """The assigned officer first; then the duty officers on duty; at expiry
    also the supervisors on duty."""
    now = now or timezone.now()
    country = leg.recipient_country_id
    assigned = [leg.assigned_to] if leg.assigned_to_id and leg.assigned_to.is_active else []
    duty = _on_duty(country, DutyRole.DUTY_OFFICER, Role.DUTY_OFFICER, now)
    if alert == Alert.NEW_URGENT:
        people = duty
    elif alert == Alert.HALF:
        people = assigned or duty
    elif alert == Alert.NINETY:
        people = assigned + duty
    else:
        people = assigned + duty + _on_duty(country, DutyRole.SUPERVISOR, Role.SUPERVISOR, now)
    return list({u.pk: u for u in people}.values())


def _raise(leg: Leg, alert: str, now=None) -> int:
    people = recipients_for(leg, alert, now)
    rows = [Notification(leg=leg, alert=alert, recipient=u) for u in people]
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
    fields = ("received_at", "urgency", "time_zone", "suspensions", "due_at", "alerts", "state")
    created = 0
    for seen in candidates.only(*fields).iterator(chunk_size=2000):
        # Read without a lock first: most open requests have no alert due.
        if seen.clock.suspended:
            continue
        used = seen.clock.fraction_used(now)
        if not any(used >= limit and alert not in seen.alerts for alert, limit in THRESHOLDS):
            continue
        with transaction.atomic():
            leg = Leg.objects.select_for_update().select_related("case").get(pk=seen.pk)
            if leg.state not in OPEN_STATES or leg.clock.suspended:
                continue
            used = leg.clock.fraction_used(now)
            for alert, threshold in THRESHOLDS:
                if used >= threshold and alert not in leg.alerts:
                    created += _raise(leg, alert, now)
    return created


DELIVER_BATCH = 200


def deliver(limit: int = DELIVER_BATCH) -> int:
    """Sends up to `limit` stored notifications not sent yet, each in its
    recipient's language and time zone, over one mail connection, and marks
    them sent in the same transaction. Rows another worker is sending are
    skipped (it has them); if sending fails, none of the batch is marked and
    the next run sends it again."""
    with transaction.atomic():
        notes = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True)
            .select_related("leg__case", "recipient")
            .order_by("pk")[:limit]
        )
        mails = []
        for note in notes:
            user = note.recipient
            if user.email:
                language = user.language or settings.LANGUAGE_CODE
                with translation.override(language), timezone.override(user.zone_name):
                    subject, body = _text(note)
                mails.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        if mails:
            get_connection().send_messages(mails)
        if notes:
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(sent_at=timezone.now())
    post_webhooks()
    return len(notes)


def _text(note: Notification) -> tuple[str, str]:
    leg, case = note.leg, note.leg.case
    subject = _("%(alert)s: %(reference)s") % {
        "alert": note.get_alert_display(),
        "reference": case.reference,
    }
    due = (
        date_format(timezone.localtime(leg.due_at), "SHORT_DATETIME_FORMAT") if leg.due_at else "–"
    )
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


# The webhook

# Alerts delivered longer ago than this are no longer offered to the webhook.
WEBHOOK_RETRY_WINDOW = timedelta(days=2)
WEBHOOK_TIMEOUT = 5  # seconds


def _webhook_settings() -> tuple[str, str]:
    url = getattr(settings, "TROMEJA_WEBHOOK_URL", "") or ""
    secret = getattr(settings, "TROMEJA_WEBHOOK_SECRET", "") or ""
    return url.strip(), secret


# A receiver refuses posts whose timestamp is further than this from its clock.
WEBHOOK_REPLAY_WINDOW = timedelta(minutes=5)


def sign(body: bytes, secret: str, timestamp: str) -> str:
    """The X-Tromeja-Signature value of a body sent at `timestamp` (Unix
    seconds, the X-Tromeja-Timestamp header)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(body: bytes, *, secret: str, timestamp: str, signature: str, now=None) -> bool:
    """What a receiver checks: the signature covers the body and the
    timestamp, and the timestamp is within the replay window."""
    if not timestamp.isdigit():
        return False
    now = now or timezone.now()
    if abs(now.timestamp() - int(timestamp)) > WEBHOOK_REPLAY_WINDOW.total_seconds():
        return False
    return hmac.compare_digest(sign(body, secret, timestamp), signature)


def webhook_payload(leg: Leg, alert: str) -> dict:
    """What the webhook says of an alert: no personal data, no text."""
    due = leg.due_at.astimezone(UTC).isoformat().replace("+00:00", "Z") if leg.due_at else None
    return {
        "event": f"{leg.pk}:{alert}",
        "alert": str(alert),
        "case_reference": leg.case.reference,
        "recipient_country": leg.recipient_country_id,
        "due_at": due,
        "leg_id": leg.pk,
    }


def _post(url: str, secret: str, payload: dict) -> None:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Tromeja-Signature": sign(body, secret, timestamp),
            "X-Tromeja-Timestamp": timestamp,
        },
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered {response.status}")


def post_webhooks(now=None) -> int:
    """Posts each delivered alert of a request to the webhook once; returns
    how many were posted. Off while TROMEJA_WEBHOOK_URL is empty."""
    url, secret = _webhook_settings()
    if not url:
        return 0
    if not url.startswith(("https://", "http://")):
        log.error("TROMEJA_WEBHOOK_URL must be an http(s) URL; not posting.")
        return 0
    if not secret:
        log.error("TROMEJA_WEBHOOK_URL is set but TROMEJA_WEBHOOK_SECRET is empty; not posting.")
        return 0
    now = now or timezone.now()
    delivered = (
        Notification.objects.filter(sent_at__gte=now - WEBHOOK_RETRY_WINDOW)
        .values_list("leg_id", "alert")
        .distinct()
    )
    pending = sorted(set(delivered))
    marks = dict(
        Leg.objects.filter(pk__in={leg for leg, _a in pending}).values_list("pk", "webhooks")
    )
    posted = 0
    for leg_id, alert in pending:
        if alert in marks.get(leg_id, ()):
            continue
        leg = Leg.objects.select_related("case").get(pk=leg_id)
        if alert in leg.webhooks:
            continue
        # Posted with no transaction open and no row locked.
        try:
            _post(url, secret, webhook_payload(leg, alert))
        except (OSError, ValueError, http.client.HTTPException) as exc:
            log.warning(
                "Webhook for leg %s (%s) failed, retried on the next run: %s", leg_id, alert, exc
            )
            continue
        retrying(
            lambda leg_id=leg_id, alert=alert: _mark_posted(leg_id, alert),
            what=f"webhook mark of leg {leg_id}",
        )
        posted += 1
    return posted


def _mark_posted(leg_id: int, alert: str) -> None:
    with transaction.atomic():
        leg = Leg.objects.select_for_update().get(pk=leg_id)
        if alert not in leg.webhooks:
            leg.webhooks = [*leg.webhooks, alert]
            leg.save(update_fields=["webhooks"])


# Alerts raised this long ago and not sent mean that delivery is stuck.
ALERTS_LATE = timedelta(minutes=10)


def health_check(now):
    """For the node's health page (core/health.py): alerts that should have
    gone out by now."""
    from tromeja.core.health import Check

    name = _("Alerts of requests")
    late = Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - ALERTS_LATE)
    count = late.count()
    if count:
        return Check(
            name,
            False,
            ngettext(
                "%(n)d alert raised more than 10 minutes ago has not been sent.",
                "%(n)d alerts raised more than 10 minutes ago have not been sent.",
                count,
            )
            % {"n": count},
        )
    return Check(name, True, _("Every alert raised has been sent."))
