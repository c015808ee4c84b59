"""Requests between contact points: who sees what, states, the clock."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tromeja.core.transitions import StaleState
from tromeja.exchange import services
from tromeja.exchange.choices import LegState, MessageKind
from tromeja.exchange.models import Case, Leg, Message


def test_a_request_reaches_only_its_recipients_and_each_answer_only_the_requester(persona):
    italy, slovenia, croatia = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    case = services.send_request(
        user=italy,
        subject="Furgone CZ 5T2 8841",
        body="Chi guida?",
        urgency="urgent_direct",
        recipients=["SI", "HR"],
    )
    assert case.reference.startswith("IT-C-")
    si_leg, hr_leg = case.legs.get(recipient_country="SI"), case.legs.get(recipient_country="HR")
    assert si_leg.due_at == si_leg.received_at + timedelta(hours=8)
    assert Case.objects.restrict(slovenia).filter(pk=case.pk).exists()
    services.reply(user=slovenia, leg=si_leg, kind=MessageKind.ANSWER, body="Voznik: KOVAČ Ivan")
    answer = Message.objects.get(kind=MessageKind.ANSWER)
    # Italy reads Slovenia's answer; Croatia, asked the same, does not.
    assert Message.objects.restrict(italy).filter(pk=answer.pk).exists()
    assert not Message.objects.restrict(croatia).filter(pk=answer.pk).exists()
    assert set(Leg.objects.restrict(croatia)) == {hr_leg}
    si_leg.refresh_from_db()
    assert si_leg.state == LegState.ANSWERED and si_leg.closed_at is not None


def test_a_third_country_sees_nothing_of_a_bilateral_case(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = services.send_request(
        user=italy, subject="Targa", body="?", urgency="not_urgent", recipients=["SI"]
    )
    assert not Case.objects.restrict(croatia).filter(pk=case.pk).exists()
    assert not Message.objects.restrict(croatia).filter(case=case).exists()
    assert not Leg.objects.restrict(croatia).exists()
    with pytest.raises(PermissionDenied):
        services.reply(user=croatia, leg=case.legs.get(), kind=MessageKind.ACKNOWLEDGEMENT)


def test_a_clarification_stops_the_clock_until_it_arrives(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = services.send_request(
        user=italy,
        subject="Telefono",
        body="+386 40 123 456?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    leg = case.legs.get()
    services.reply(user=slovenia, leg=leg, kind=MessageKind.ACKNOWLEDGEMENT)
    services.reply(
        user=slovenia, leg=leg, kind=MessageKind.CLARIFICATION_REQUEST, body="Katero obdobje?"
    )
    leg.refresh_from_db()
    assert leg.state == LegState.AWAITING_CLARIFICATION and leg.due_at is None
    with pytest.raises(StaleState):  # the recipient cannot answer a paused request
        services.reply(user=slovenia, leg=leg, kind=MessageKind.ANSWER, body="x")
    with pytest.raises(PermissionDenied):  # only the requester clarifies
        services.clarify(user=slovenia, leg=leg, body="x")
    services.clarify(user=italy, leg=leg, body="Ottobre 2026")
    leg.refresh_from_db()
    ((asked, answered),) = leg.suspensions
    paused = datetime.fromisoformat(answered) - datetime.fromisoformat(asked)
    assert leg.state == LegState.IN_PROGRESS
    assert leg.due_at == leg.received_at + timedelta(hours=8) + paused
    services.reply(user=slovenia, leg=leg, kind=MessageKind.ANSWER, body="Ni zadetkov.")
    leg.refresh_from_db()
    assert leg.state == LegState.ANSWERED


def test_refusals_name_their_ground_and_roles_are_checked(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = services.send_request(
        user=italy, subject="Persona", body="?", urgency="urgent_indirect", recipients=["SI"]
    )
    leg = case.legs.get()
    with pytest.raises(ValidationError):
        services.reply(user=slovenia, leg=leg, kind=MessageKind.REFUSAL, body="Ne.")
    services.reply(
        user=slovenia, leg=leg, kind=MessageKind.REFUSAL, refusal_ground="harms_investigation"
    )
    assert Message.objects.get(kind=MessageKind.REFUSAL).refusal_ground == "harms_investigation"
    with pytest.raises(PermissionDenied):  # a border officer is no contact point
        services.send_request(
            user=persona("sl_border"),
            subject="x",
            body="x",
            urgency="not_urgent",
            recipients=["IT"],
        )
    with pytest.raises(ValidationError):
        services.send_request(user=italy, subject="x", body="x", urgency="soon", recipients=["IT"])
