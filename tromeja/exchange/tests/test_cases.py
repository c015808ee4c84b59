"""Spontaneous information, closing a case, the cross-check against earlier
cases, printing with handling stamps, recipients and their time zones."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tromeja import testing
from tromeja.core.choices import AuditAction, Partnership
from tromeja.core.models import AuditEntry, Country
from tromeja.core.transitions import StaleState
from tromeja.exchange import services
from tromeja.exchange.choices import LegState, MessageKind
from tromeja.exchange.models import Case, Leg, Message


def _request(user, **extra):
    fields = {
        "subject": "Kombi UA AA0000A",
        "body": "Kdo je voznik?",
        "urgency": "not_urgent",
        "recipients": ["SI"],
    }
    return services.send_request(user=user, **{**fields, **extra})


def test_spontaneous_information_reaches_its_recipients_without_a_deadline(persona):
    slovenia, italy, croatia = persona("sl_duty"), persona("it_duty"), persona("hr_duty")
    case = services.send_information(
        user=slovenia,
        subject="Skupina 14 oseb proti Trstu",
        body="Kombi CZ 5T2 8841 proti IT.",
        recipients=["IT"],
        vehicles=[{"plate": "5T2 8841", "registration_country": "CZ"}],
    )
    message = case.messages.get()
    assert message.kind == MessageKind.SPONTANEOUS and not case.legs.exists()
    assert Message.objects.restrict(italy).filter(pk=message.pk).exists()
    assert not Message.objects.restrict(croatia).filter(pk=message.pk).exists()
    inbox = testing.client_for(italy).get("/exchange/").content.decode()
    assert case.reference in inbox
    assert case.reference not in testing.client_for(croatia).get("/exchange/").content.decode()


def test_information_needs_text_and_partners(persona):
    with pytest.raises(ValidationError) as exc:
        services.send_information(
            user=persona("sl_duty"), subject="?", body=" ", recipients=["SI", "XX"]
        )
    assert set(exc.value.message_dict) == {"body", "recipients"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("recipients", "says"),
    [([], "at least one"), (["IT"], "your own country"), (["XX"], "XX"), (["AT"], "AT")],
)
def test_unknown_own_or_unconnected_recipients_are_refused(persona, recipients, says):
    with pytest.raises(ValidationError) as exc:
        services.send_request(
            user=persona("it_duty"),
            subject="Targa",
            body="?",
            urgency="not_urgent",
            recipients=recipients,
        )
    assert says in exc.value.message_dict["recipients"][0]
    assert not Case.objects.exists() and not Leg.objects.exists()


def test_the_requester_closes_a_case_and_open_requests_stop(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = _request(italy, recipients=["SI", "HR"])
    services.reply(
        user=slovenia,
        leg=case.legs.get(recipient_country="SI"),
        kind=MessageKind.CLARIFICATION_REQUEST,
        body="Katero obdobje?",
    )
    with pytest.raises(PermissionDenied):
        services.close_case(user=slovenia, case=case, body="?")
    note = services.close_case(user=italy, case=case, body="Voznik je prijet.")
    assert note.kind == MessageKind.CLOSING_NOTE
    assert set(note.shared_with.values_list("code", flat=True)) == {"SI", "HR"}
    for leg in case.legs.all():
        assert leg.state == LegState.CLOSED and leg.closed_at is not None
        # A pending clarification ends with the case.
        assert all(end for _start, end in leg.suspensions)
    with pytest.raises(StaleState):
        services.close_case(user=italy, case=case)


def test_closing_through_the_page_and_the_api(persona, client):
    italy = persona("it_duty")
    case = _request(italy)
    page = testing.client_for(italy)
    assert "Close the case" in page.get(f"/exchange/cases/{case.pk}/").content.decode()
    assert client.post(f"/exchange/cases/{case.pk}/close/").status_code == 302  # to sign-in
    assert Leg.objects.get().state == LegState.NEW
    hr = testing.client_for(persona("hr_duty"))
    assert hr.post(f"/exchange/cases/{case.pk}/close/").status_code == 404
    assert (
        hr.post(
            f"/api/v1/exchange/cases/{case.pk}/close", data="{}", content_type="application/json"
        ).status_code
        == 404
    )
    si = testing.client_for(persona("sl_duty"))
    assert (
        si.post(
            f"/api/v1/exchange/cases/{case.pk}/close", data="{}", content_type="application/json"
        ).status_code
        == 403
    )
    border = testing.client_for(persona("sl_border"))
    assert border.post(f"/exchange/cases/{case.pk}/close/").status_code == 403
    assert page.post(f"/exchange/cases/{case.pk}/close/", {"body": "Končano."}).status_code == 302
    assert Leg.objects.get().state == LegState.CLOSED


def test_the_receiver_sees_earlier_cases_about_the_same_subjects(persona):
    italy, slovenia, croatia = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    van = [{"plate": "AA 0000 A", "registration_country": "UA"}]
    # Croatia asked Slovenia about the van last month; Italy asked Croatia only.
    earlier = _request(croatia, vehicles=van)
    _request(italy, vehicles=van, recipients=["HR"])
    case = _request(italy, vehicles=van)
    hits = services.earlier_cases(user=slovenia, leg=case.legs.get())
    assert [h["reference"] for h in hits] == [earlier.reference]
    # The requester is never told; nor is a country that was not a party.
    assert services.earlier_cases(user=italy, leg=case.legs.get()) == []
    page = testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/").content.decode()
    assert "Earlier case" in page and earlier.reference in page
    assert AuditEntry.objects.filter(
        action=AuditAction.COMBINATION, detail__cases=[str(earlier.pk)]
    ).exists()


def test_a_print_stamps_every_message_and_is_logged(persona, client):
    italy = persona("it_duty")
    case = _request(italy, handling_code="H3", handling_note="Samo za policijo.")
    url = f"/exchange/cases/{case.pk}/print/"
    page = testing.client_for(italy).get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("print-stamp") == 2 and text.count("Samo za policijo.") == 2
    assert AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, detail__channel="print")
    assert client.get(url).status_code == 302
    assert testing.client_for(persona("hr_duty")).get(url).status_code == 404
    # A data protection officer does not read operational records.
    assert testing.client_for(persona("sl_dpo")).get(url).status_code == 404
    api = testing.client_for(italy).get(f"/api/v1/exchange/cases/{case.pk}").json()
    assert api["stamp"].startswith("H3") and api["messages"][0]["stamp"].startswith("H3")


def test_information_through_the_api(persona):
    it = testing.client_for(persona("it_duty"))
    body = {
        "subject": "Furgone",
        "body": "Diretto verso Trieste.",
        "recipients": ["SI"],
        "phones": ["+386 40 123 456"],
    }
    response = it.post(
        "/api/v1/exchange/information", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["messages"][0]["kind"] == "spontaneous"
    assert response.json()["legs"] == []
    border = testing.client_for(persona("sl_border"))
    assert (
        border.post(
            "/api/v1/exchange/information", data=json.dumps(body), content_type="application/json"
        ).status_code
        == 403
    )


def test_a_new_partner_counts_days_in_its_own_time_zone(persona):
    # Bosnia and Herzegovina's border police joins as an associated partner:
    # configuration only.
    Country.objects.filter(code="BA").update(
        partnership=Partnership.FULL, time_zone="Europe/Sarajevo"
    )
    Country.objects.filter(code="IT").update(time_zone="Atlantic/Azores")
    case = _request(persona("sl_duty"), recipients=["BA", "IT"], urgency="urgent_indirect")
    ba, it = case.legs.get(recipient_country="BA"), case.legs.get(recipient_country="IT")
    assert ba.time_zone == "Europe/Sarajevo" and it.time_zone == "Atlantic/Azores"
    for leg in (ba, it):
        local = leg.due_at.astimezone(ZoneInfo(leg.time_zone))
        assert (local.hour, local.minute) == (0, 0)
        received = leg.received_at.astimezone(ZoneInfo(leg.time_zone)).date()
        assert local.date() == received + timedelta(days=4)
    assert isinstance(ba.due_at, datetime)


def test_a_new_request_is_on_the_inbox_however_many_are_overdue(persona, monkeypatch):
    from django.utils import timezone

    from tromeja.exchange import inbox_views as views

    monkeypatch.setattr(views, "INBOX_ROWS", 2)
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    for i in range(3):
        late = _request(italy, subject=f"Late {i}").legs.get()
        services.reply(user=slovenia, leg=late, kind=MessageKind.ACKNOWLEDGEMENT)
        Leg.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=i + 1))
    fresh = _request(italy, subject="Fresh van", urgency="urgent_direct")
    page = testing.client_for(slovenia).get("/exchange/").content.decode()
    assert page.index(fresh.reference) < page.index("Late 2")
    assert "Late 0" not in page  # only the 2 most urgent of the rest
    assert "Show all" in page
    everything = testing.client_for(slovenia).get("/exchange/?all=1").content.decode()
    assert all(f"Late {i}" in everything for i in range(3))
