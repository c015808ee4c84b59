"""The node's health: `tromeja health` and /health/ say when the deadline
clock has stopped, no worker runs, a worker went stale, jobs wait too long
or alerts are not going out; only this node's administrators see the page."""

import os
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja import testing
from tromeja.accounts.services import create_user
from tromeja.core import health, jobs
from tromeja.core.choices import JobStatus
from tromeja.core.models import Job, Unit
from tromeja.core.roles import Role
from tromeja.core.tests import slow_tasks
from tromeja.exchange import alerts


@pytest.fixture
def fresh_run_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "run"


def all_alive():
    health.beat("clock", period=60)
    health.beat(health.worker_name())


def problems() -> list[str]:
    return [c.message for c in health.checks() if not c.ok]


def aged(name: str, seconds: float):
    path = health.run_dir() / name
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_all_is_well_when_the_clock_and_a_worker_report_in(db, fresh_run_dir, capsys):
    all_alive()
    assert problems() == []
    call_command("health")
    assert "PROBLEM" not in capsys.readouterr().out


def test_a_clock_that_never_ran_or_stopped_is_reported_and_the_command_fails(
    db, fresh_run_dir, capsys
):
    health.beat(health.worker_name())
    assert any("never reported" in p for p in problems())
    with pytest.raises(CommandError) as failed:
        call_command("health")
    assert failed.value.returncode == 1
    health.beat("clock", period=60)
    aged("clock", 300)
    assert any("deadline clock stopped" in p for p in problems())
    health.beat("clock", period=60, error="database is locked")
    assert any("last round failed" in p and "database is locked" in p for p in problems())


def test_no_worker_or_a_stale_worker_is_reported(db, fresh_run_dir):
    health.beat("clock", period=60)
    assert any("No worker is running" in p for p in problems())
    health.beat("worker-elsewhere-12")
    aged("worker-elsewhere-12", 120)
    found = problems()
    assert any("No worker is running" in p for p in found)
    assert any("stopped reporting" in p for p in found)
    health.beat(health.worker_name())
    assert [p for p in problems() if "No worker" in p] == []


def test_a_stuck_queue_and_an_orphaned_job_are_reported(persona, fresh_run_dir):
    all_alive()
    job = slow_tasks.request_slow(persona("sl_border"), steps=1)
    assert problems() == []
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - health.QUEUE_STUCK * 2)
    assert any("waited more than 5 minutes" in p for p in problems())
    long_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker="gone:1", started_at=long_ago
    )
    assert any("lost its worker" in p for p in problems())
    jobs.reap()
    assert problems() == []


def test_alerts_not_sent_for_long_are_reported(persona, fresh_run_dir):
    from tromeja.exchange import services
    from tromeja.exchange.models import Notification

    all_alive()
    persona("sl_duty")
    services.send_request(
        user=persona("it_duty"),
        subject="Furgone",
        body="?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    assert problems() == []
    Notification.objects.update(created_at=timezone.now() - alerts.ALERTS_LATE * 2)
    assert any("have not been sent" in p or "has not been sent" in p for p in problems())


def test_the_health_page_is_for_this_nodes_administrators_only(persona, client, fresh_run_dir):
    assert client.get("/health/").status_code == 302  # anonymous: to the sign-in page
    assert testing.client_for(persona("sl_border")).get("/health/").status_code == 403
    it_admin = create_user(
        username="it_admin",
        password=None,
        roles=[Role.NODE_ADMIN],
        unit=Unit.objects.get(code="it-dps"),
    )
    TOTPDevice.objects.create(user=it_admin, name="phone", confirmed=True)
    assert testing.client_for(it_admin).get("/health/").status_code == 403
    page = testing.client_for(persona("sl_admin")).get("/health/")
    assert page.status_code == 200
    assert b"Node health" in page.content and b"never reported" in page.content
    all_alive()
    page = testing.client_for(persona("sl_admin")).get("/health/")
    assert b"Everything is working" in page.content
