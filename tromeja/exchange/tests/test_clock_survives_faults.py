"""The deadline clock survives faults: a round that fails (the database is
locked by a long import, a connection drops) is logged and tried again, and
a clock killed while it delivers alerts, once started again, raises every
alert once and sends every one."""

import os
import signal
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from tromeja.core import health
from tromeja.core.tests import subprocs
from tromeja.exchange import alerts, services
from tromeja.exchange.models import Leg, Notification


class Stop(Exception):
    pass


def test_the_clock_loop_goes_on_after_a_locked_database_and_says_so_meanwhile(
    persona, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    persona("sl_duty")
    services.send_request(
        user=persona("it_duty"),
        subject="Furgone",
        body="?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    real = alerts.raise_due_alerts
    calls = {"n": 0}
    seen = []

    def flaky(now=None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database is locked")
        return real(now)

    def sleep(seconds):
        seen.append([c.message for c in health.checks() if not c.ok and "clock" in c.message])
        if calls["n"] >= 2:
            raise Stop

    with (
        mock.patch.object(alerts, "raise_due_alerts", flaky),
        mock.patch("tromeja.exchange.management.commands.check_deadlines.time.sleep", sleep),
        pytest.raises(Stop),
    ):
        call_command("check_deadlines", loop=60, verbosity=0)
    assert calls["n"] == 2  # before: the first error ended the loop for good
    assert any("database is locked" in m for m in seen[0])  # the health said so
    assert seen[1] == []  # and no longer once a round went through
    assert Notification.objects.filter(sent_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_clock_killed_while_it_delivers_raises_each_alert_once_after_restart(
    reference_data, persona
):
    for name in ("sl_duty", "sl_supervisor"):
        user = persona(name)
        user.email = f"{name}@policija.example"
        user.save(update_fields=["email"])
    legs = [
        services.send_request(
            user=persona("it_duty"),
            subject=f"Furgone {n}",
            body="?",
            urgency="urgent_indirect",
            recipients=["SI"],
        ).legs.get()
        for n in range(3)
    ]
    # Their time is over: every alert is due (and new-urgent ones are raised already).
    for leg in legs:
        type(leg).objects.filter(pk=leg.pk).update(
            received_at=timezone.now() - timedelta(days=5),
            due_at=timezone.now() - timedelta(days=1),
        )
    slow = "tromeja.core.tests.slow_tasks.SlowMailBackend"
    clock = subprocs.start("check_deadlines", "--loop", "60", "-v", "0", TROMEJA_EMAIL_BACKEND=slow)
    try:
        # Every alert raised; the mails go out at a second each.
        subprocs.until(lambda: all("expired" in leg.alerts for leg in Leg.objects.all()), 60)
        os.kill(clock.pid, signal.SIGKILL)  # while it sends
        clock.wait(10)
    finally:
        if clock.poll() is None:
            clock.kill()
            clock.wait(10)
    raised = sorted(Notification.objects.values_list("leg_id", "alert", "recipient_id"))
    assert Notification.objects.filter(sent_at__isnull=True).exists()
    # While it is down, the health says the clock stopped (seen a few minutes on).
    later = [c.message for c in health.checks(timezone.now() + timedelta(minutes=4)) if not c.ok]
    assert any("deadline clock stopped" in m for m in later)
    call_command("check_deadlines", verbosity=0)  # started again
    assert sorted(Notification.objects.values_list("leg_id", "alert", "recipient_id")) == raised
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    for leg in legs:
        leg.refresh_from_db()
        assert sorted(leg.alerts) == sorted(["new_urgent", "half", "ninety", "expired"])
