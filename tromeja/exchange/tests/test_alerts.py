"""Escalation of requests: new urgent requests at once, then 50 %, 90 % and
expiry, each exactly once, in the recipient's language."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import translation

from tromeja.exchange import alerts, services
from tromeja.exchange.choices import Alert, MessageKind
from tromeja.exchange.models import Notification


def test_each_alert_is_raised_once_however_often_the_check_runs(persona):
    italy, duty, supervisor = persona("it_duty"), persona("sl_duty"), persona("sl_supervisor")
    case = services.send_request(
        user=italy, subject="Furgone", body="?", urgency="urgent_direct", recipients=["SI"]
    )
    leg = case.legs.get()
    # The new urgent request reaches Slovenia's duty officer at once.
    assert list(Notification.objects.values_list("alert", "recipient")) == [
        (Alert.NEW_URGENT, duty.pk)
    ]
    start = leg.received_at
    assert alerts.raise_due_alerts(start + timedelta(hours=3)) == 0
    assert alerts.raise_due_alerts(start + timedelta(hours=4)) == 1  # half of 8 hours
    # A second worker, or the same after a restart, finds nothing more to do.
    assert alerts.raise_due_alerts(start + timedelta(hours=4, minutes=5)) == 0
    assert alerts.raise_due_alerts(start + timedelta(hours=7, minutes=13)) == 1  # 90 %
    assert alerts.raise_due_alerts(start + timedelta(hours=8, minutes=1)) == 2  # + supervisor
    for _ in range(3):
        assert alerts.raise_due_alerts(start + timedelta(hours=12)) == 0
    raised = sorted(Notification.objects.values_list("alert", "recipient"))
    assert raised == sorted(
        [
            (Alert.NEW_URGENT, duty.pk),
            (Alert.HALF, duty.pk),
            (Alert.NINETY, duty.pk),
            (Alert.EXPIRED, duty.pk),
            (Alert.EXPIRED, supervisor.pk),
        ]
    )


def test_the_check_skips_paused_and_answered_requests(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = services.send_request(
        user=italy, subject="Telefono", body="?", urgency="urgent_direct", recipients=["SI"]
    )
    leg = case.legs.get()
    services.reply(user=slovenia, leg=leg, kind=MessageKind.CLARIFICATION_REQUEST, body="?")
    assert alerts.raise_due_alerts(leg.received_at + timedelta(hours=20)) == 0
    services.clarify(user=italy, leg=leg, body="Ottobre")
    services.reply(user=slovenia, leg=leg, kind=MessageKind.ANSWER, body="Nič.")
    assert alerts.raise_due_alerts(leg.received_at + timedelta(days=3)) == 0
    # A request that is not urgent alerts nobody on arrival.
    services.send_request(
        user=italy, subject="Later", body="?", urgency="not_urgent", recipients=["SI"]
    )
    assert not Notification.objects.filter(alert=Alert.HALF).exists()
    assert Notification.objects.filter(alert=Alert.NEW_URGENT).count() == 1


def test_notifications_are_sent_once_in_the_recipients_language(persona):
    italy, duty = persona("it_duty"), persona("sl_duty")
    duty.language, duty.email = "sl", "dezurni@policija.si"
    duty.save()
    services.send_request(
        user=italy,
        subject="Furgone CZ 5T2 8841",
        body="?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    call_command("check_deadlines", verbosity=0)
    call_command("check_deadlines", verbosity=0)  # nothing twice
    assert len(mail.outbox) == 1
    with translation.override("sl"):
        expected = str(Alert.NEW_URGENT.label)
    assert expected != "New urgent request" and mail.outbox[0].subject.startswith(expected)
    assert "Furgone CZ 5T2 8841" in mail.outbox[0].body
    assert Notification.objects.get().sent_at is not None


def test_one_run_of_the_clock_sends_every_pending_alert(persona, monkeypatch):
    import functools

    italy, duty = persona("it_duty"), persona("sl_duty")
    type(duty).objects.filter(pk=duty.pk).update(email="dezurni@policija.si")
    for subject in ("Furgone", "Camion", "Telefono"):
        services.send_request(
            user=italy, subject=subject, body="?", urgency="urgent_direct", recipients=["SI"]
        )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 3
    # Batches of one, as when another worker takes the rest of each batch.
    monkeypatch.setattr(alerts, "deliver", functools.partial(alerts.deliver, limit=1))
    call_command("check_deadlines", verbosity=0)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert len(mail.outbox) == 3
