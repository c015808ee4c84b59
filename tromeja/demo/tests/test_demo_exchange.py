"""The demo's cases between the contact points look like a year of real
exchange: every pair of countries, every outcome, deadlines that follow the
directive, subjects the receiver's cross-check recognises, and no backlog of
alerts for the deadline worker."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tromeja.demo import exchange, incidents
from tromeja.demo.management.commands.demo import load_accounts
from tromeja.exchange import alerts, services
from tromeja.exchange.choices import OPEN_STATES, LegState, MessageKind, Urgency
from tromeja.exchange.models import Case, Leg, Message, Notification, Subject
from tromeja.incidents.models import EntityRef


def _load(cases=40):
    users = load_accounts()
    rng = random.Random(2026)
    incidents.load(users, rng, days=60)
    return users, exchange.load(users, rng, cases=cases)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Two months of incidents and 40 cases, loaded once for the module's
    tests (each test still runs in its own transaction inside this one)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _load()
        transaction.set_rollback(True)


def test_the_demo_cases_cover_every_pair_and_every_outcome(demo, db):
    _users, made = demo
    assert made == Case.objects.count() >= 35
    pairs = set(Leg.objects.values_list("case__owner_country_id", "recipient_country_id"))
    assert pairs == {(a, b) for a in ("SI", "IT", "HR") for b in ("SI", "IT", "HR") if a != b}
    now = timezone.now()
    states = set(Leg.objects.values_list("state", flat=True))
    assert {LegState.ANSWERED, LegState.REFUSED, LegState.AWAITING_CLARIFICATION} <= states
    waiting = Leg.objects.filter(state__in=OPEN_STATES - {LegState.AWAITING_CLARIFICATION})
    assert waiting.filter(due_at__gt=now).exists()
    assert waiting.filter(due_at__lt=now).exists()  # overdue
    assert Leg.objects.filter(state=LegState.ACKNOWLEDGED).exists()
    # A clarification round that ended in an answer.
    clarified = Leg.objects.filter(messages__kind=MessageKind.CLARIFICATION)
    assert clarified.filter(state=LegState.ANSWERED).exists()
    assert not Message.objects.filter(kind=MessageKind.REFUSAL, refusal_ground="").exists()
    urgencies = list(Case.objects.values_list("urgency", flat=True))
    assert urgencies.count(Urgency.NOT_URGENT) > len(urgencies) / 2
    assert set(urgencies) == set(Urgency.values)


def test_the_demo_cases_are_spread_over_time_with_consistent_deadlines(demo, db):
    now = timezone.now()
    received = sorted(Leg.objects.values_list("received_at", flat=True))
    assert received[-1] - received[0] > timedelta(days=40)
    assert received[-1] < now
    for leg in Leg.objects.select_related("case"):
        assert leg.received_at == leg.case.created_at
        assert leg.due_at == leg.clock.due()
        if leg.state == LegState.AWAITING_CLARIFICATION:
            assert leg.due_at is None
        elif leg.urgency == Urgency.URGENT_DIRECT and not leg.suspensions:
            assert leg.due_at - leg.received_at == timedelta(hours=8)
        elif leg.urgency == Urgency.NOT_URGENT and not leg.suspensions:
            assert timedelta(days=7) < leg.due_at - leg.received_at <= timedelta(days=8, hours=1)
        if leg.state in {LegState.ANSWERED, LegState.REFUSED}:
            assert leg.received_at < leg.closed_at < now
        else:
            assert leg.closed_at is None
        times = list(leg.messages.values_list("created_at", flat=True))
        assert times == sorted(times) and all(leg.received_at < t < now for t in times)
    closed = Leg.objects.filter(state__in=[LegState.ANSWERED, LegState.REFUSED])
    in_time = [leg.closed_at <= leg.due_at for leg in closed]
    assert 0.8 < sum(in_time) / len(in_time) < 1  # most, not all, in time


def test_the_requests_are_about_what_the_receiver_has_seen(demo, db):
    users, _made = demo
    keys = set(EntityRef.objects.values_list("kind", "key"))
    asked = set(Subject.objects.values_list("kind", "key"))
    assert asked and asked <= keys
    duty = {"SI": users["si.duty"], "IT": users["it.duty"], "HR": users["hr.duty"]}
    hits = [
        services.cross_check(user=duty[leg.recipient_country_id], leg=leg)
        for leg in Leg.objects.select_related("case")
    ]
    assert sum(1 for h in hits if h) > len(hits) / 3


def test_the_deadline_worker_starts_with_nothing_to_catch_up(demo, db, mailoutbox):
    assert Notification.objects.filter(alert="expired").exists()
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    # Every alert due by now is already recorded, so none is raised or sent again.
    assert alerts.raise_due_alerts() == 0
    assert alerts.deliver() == 0
    assert mailoutbox == []


def test_the_cases_are_loaded_once_with_references_of_their_year(demo, db):
    users, made = demo
    assert exchange.load(users, random.Random(1), cases=15) == 0
    assert Case.objects.count() == made
    for case in Case.objects.all():
        year = timezone.localtime(case.created_at).year
        assert case.reference.startswith(f"{case.owner_country_id}-C-{year}-")


def test_the_roster_covers_the_days_and_open_requests_have_an_officer(demo, db):
    from tromeja.exchange import duty
    from tromeja.exchange.choices import OPEN_STATES
    from tromeja.exchange.models import DutyShift, Leg

    users, _made = demo
    assert exchange.roster(users) == 3 * 7 * 2
    assert exchange.roster(users) == 0  # once
    assert DutyShift.objects.filter(country="SI", officer=users["si.duty"]).count() == 7
    # Day shifts only: the nights are flagged as uncovered.
    start = timezone.now()
    uncovered = sum(
        ((g.end - g.start) for g in duty.gaps("SI", start, start + timedelta(days=2))),
        timedelta(),
    )
    assert timedelta(hours=20) <= uncovered <= timedelta(hours=30)
    open_legs = Leg.objects.filter(state__in=OPEN_STATES)
    assert open_legs.exists() and not open_legs.filter(assigned_to__isnull=True).exists()
