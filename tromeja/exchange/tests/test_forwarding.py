"""Passing received information on: H2 needs the provider's consent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.exchange import services
from tromeja.exchange.choices import MessageKind
from tromeja.exchange.models import Case, Message


def _h2_answer(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = services.send_request(
        user=slovenia,
        subject="Vozilo LJ AB-123",
        body="Kdo?",
        urgency="urgent_indirect",
        recipients=["IT"],
    )
    leg = case.legs.get()
    services.reply(user=italy, leg=leg, kind=MessageKind.ANSWER, body="Conducente: ROSSI Mario")
    answer = Message.objects.get(kind=MessageKind.ANSWER)
    Message.objects.filter(pk=answer.pk).update(handling_code="H2")
    answer.refresh_from_db()
    return italy, slovenia, answer


def test_an_h2_message_is_not_passed_on_without_the_providers_consent(persona):
    italy, slovenia, answer = _h2_answer(persona)
    croatia = persona("hr_duty")
    with pytest.raises(ValidationError, match="has not consented"):
        services.forward(user=slovenia, message=answer, recipients=["HR"])
    assert not Message.objects.restrict(croatia).filter(body__contains="ROSSI").exists()
    with pytest.raises(PermissionDenied):  # only the provider consents
        services.record_consent(user=slovenia, message=answer, countries=["HR"])
    services.record_consent(user=italy, message=answer, countries=["HR"])
    case = services.forward(
        user=slovenia, message=answer, recipients=["HR"], note="Za vašo vednost."
    )
    passed = Message.objects.get(case=case)
    assert passed.forwarded_from == answer and passed.handling_code == "H2"
    assert "ROSSI Mario" in passed.body and "Za vašo vednost." in passed.body
    assert Message.objects.restrict(croatia).filter(pk=passed.pk).exists()
    assert Case.objects.restrict(croatia).filter(pk=case.pk).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, object_id=str(passed.pk), recipients="HR"
    ).exists()


def test_forwarding_is_for_received_messages_to_other_partners(persona):
    italy, slovenia, answer = _h2_answer(persona)
    Message.objects.filter(pk=answer.pk).update(handling_code="H0")
    answer.refresh_from_db()
    with pytest.raises(ValidationError):  # back to the provider
        services.forward(user=slovenia, message=answer, recipients=["IT"])
    with pytest.raises(ValidationError):  # one's own message
        services.forward(user=italy, message=answer, recipients=["HR"])
    with pytest.raises(PermissionDenied):  # a message Croatia never received
        services.forward(user=persona("hr_duty"), message=answer, recipients=["SI"])
    services.forward(user=slovenia, message=answer, recipients=["HR"])  # H0: free to pass on


def test_the_case_page_refuses_to_pass_on_h2_until_the_provider_consents(persona):
    from tromeja import testing

    italy, slovenia, answer = _h2_answer(persona)
    si_client, it_client = testing.client_for(slovenia), testing.client_for(italy)
    prefix = f"m{answer.pk.hex[:8]}"
    page = si_client.get(f"/exchange/cases/{answer.case_id}/").content.decode()
    assert f"/exchange/messages/{answer.pk}/forward/" in page and "H2" in page
    refused = si_client.post(
        f"/exchange/messages/{answer.pk}/forward/", {f"{prefix}-recipients": ["HR"]}, follow=True
    )
    assert "has not consented" in refused.content.decode()
    assert Case.objects.count() == 1
    # Croatia cannot reach the message at all; Slovenia cannot consent for Italy.
    croatia = testing.client_for(persona("hr_duty"))
    assert (
        croatia.post(
            f"/exchange/messages/{answer.pk}/forward/", {f"{prefix}-recipients": ["SI"]}
        ).status_code
        == 404
    )
    si_client.post(f"/exchange/messages/{answer.pk}/consent/", {f"{prefix}-countries": ["HR"]})
    answer.refresh_from_db()
    assert answer.forward_consent == []
    it_page = it_client.get(f"/exchange/cases/{answer.case_id}/").content.decode()
    assert f"/exchange/messages/{answer.pk}/consent/" in it_page
    it_client.post(f"/exchange/messages/{answer.pk}/consent/", {f"{prefix}-countries": ["HR"]})
    answer.refresh_from_db()
    assert answer.forward_consent == ["HR"]
    done = si_client.post(
        f"/exchange/messages/{answer.pk}/forward/", {f"{prefix}-recipients": ["HR"]}
    )
    case = Case.objects.exclude(pk=answer.case_id).get()
    assert done["Location"] == f"/exchange/cases/{case.pk}/"
    assert croatia.get(f"/exchange/cases/{case.pk}/").status_code == 200
    assert (
        testing.client_for(persona("sl_border"))
        .post(f"/exchange/messages/{answer.pk}/forward/", {f"{prefix}-recipients": ["HR"]})
        .status_code
        == 403
    )
