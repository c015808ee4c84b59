"""The contact point's pages: inbox by time left, request form, case page
with replies and clarification; who may open what."""

from django.utils import timezone

from tromeja import testing
from tromeja.exchange import services
from tromeja.exchange.choices import LegState
from tromeja.exchange.models import Case, Leg
from tromeja.exchange.tests.test_request_form import rows


def test_the_duty_officer_sends_a_request_and_the_partner_answers_through_the_pages(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    it_client, si_client = testing.client_for(italy), testing.client_for(slovenia)
    assert it_client.get("/exchange/new/").status_code == 200
    response = it_client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "urgent_direct",
            "subject": "Furgone CZ 5T2 8841",
            "body": "Chi è il conducente?",
            "handling_code": "H0",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/exchange/cases/{case.pk}/"
    inbox = si_client.get("/exchange/").content.decode()
    assert case.reference in inbox and ("7 h 59 min" in inbox or "8 h 00 min" in inbox)
    leg = case.legs.get()
    page = si_client.get(f"/exchange/cases/{case.pk}/").content.decode()
    assert "Chi è il conducente?" in page and f"/exchange/legs/{leg.pk}/reply/" in page
    prefix = f"leg{leg.pk}"
    ask = {f"{prefix}-kind": "clarification_request", f"{prefix}-body": "Quale periodo?"}
    si_client.post(f"/exchange/legs/{leg.pk}/reply/", ask)
    leg.refresh_from_db()
    assert leg.state == LegState.AWAITING_CLARIFICATION
    assert "paused" in si_client.get("/exchange/").content.decode()
    it_page = it_client.get(f"/exchange/cases/{case.pk}/").content.decode()
    assert f"/exchange/legs/{leg.pk}/clarify/" in it_page
    it_client.post(f"/exchange/legs/{leg.pk}/clarify/", {f"{prefix}-body": "Ottobre"})
    answer = {f"{prefix}-kind": "answer", f"{prefix}-body": "Voznik KOVAČ"}
    si_client.post(f"/exchange/legs/{leg.pk}/reply/", answer)
    leg.refresh_from_db()
    assert leg.state == LegState.ANSWERED
    assert "Voznik KOVAČ" in it_client.get(f"/exchange/cases/{case.pk}/").content.decode()


def test_the_inbox_puts_the_request_with_least_time_left_first(persona):
    italy, croatia, slovenia = persona("it_duty"), persona("hr_duty"), persona("sl_duty")
    slow = services.send_request(
        user=italy, subject="Slow one", body="?", urgency="not_urgent", recipients=["SI"]
    )
    fast = services.send_request(
        user=croatia, subject="Fast one", body="?", urgency="urgent_direct", recipients=["SI"]
    )
    page = testing.client_for(slovenia).get("/exchange/").content.decode()
    assert page.index(fast.reference) < page.index(slow.reference)
    # An overdue request is marked.
    Leg.objects.filter(case=slow).update(received_at=timezone.now() - timezone.timedelta(days=9))
    Leg.objects.filter(case=slow).update(due_at=timezone.now() - timezone.timedelta(days=2))
    page = testing.client_for(slovenia).get("/exchange/").content.decode()
    assert "overdue by" in page


def test_pages_refuse_anonymous_wrong_roles_and_third_countries(persona, client):
    italy = persona("it_duty")
    case = services.send_request(
        user=italy, subject="Bilateral", body="?", urgency="not_urgent", recipients=["SI"]
    )
    leg = case.legs.get()
    for url in ("/exchange/", "/exchange/new/", f"/exchange/cases/{case.pk}/"):
        assert client.get(url).status_code == 302  # to sign-in
        assert testing.client_for(persona("sl_border")).get(url).status_code == 403
    croatia = testing.client_for(persona("hr_duty"))
    assert croatia.get(f"/exchange/cases/{case.pk}/").status_code == 404
    prefix = f"leg{leg.pk}"
    reply = {f"{prefix}-kind": "answer", f"{prefix}-body": "x"}
    assert croatia.post(f"/exchange/legs/{leg.pk}/reply/", reply).status_code == 404
    assert (
        croatia.post(f"/exchange/legs/{leg.pk}/clarify/", {f"{prefix}-body": "x"}).status_code
        == 404
    )
    assert "Bilateral" not in croatia.get("/exchange/").content.decode()
    # The requester cannot answer its own request.
    it_client = testing.client_for(italy)
    it_client.post(f"/exchange/legs/{leg.pk}/reply/", reply)
    leg.refresh_from_db()
    assert leg.state == LegState.NEW
    assert (
        testing.client_for(persona("sl_duty")).get(f"/exchange/legs/{leg.pk}/reply/").status_code
        == 405
    )


def test_the_receiver_sees_its_own_hits_on_the_requested_plate_and_the_sender_does_not(persona):
    from tromeja.incidents.services import Entities

    italy, slovenia = persona("it_duty"), persona("sl_duty")
    seen = testing.incident(
        slovenia,
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[{"plate": "CZ 5T2-8841", "registration_country": "CZ"}],
        ),
    )
    it_client = testing.client_for(italy)
    it_client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "urgent_direct",
            "subject": "Furgone",
            "body": "Conducente?",
            "handling_code": "H0",
            **rows(
                vehicles=[{"plate": "CZ 5T2 8841", "registration_country": "CZ"}],
                phones=["+386 40 123 456"],
            ),
        },
    )
    case = Case.objects.get()
    si_page = testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/").content.decode()
    assert "Seen before in what we hold" in si_page and seen.reference in si_page
    it_page = it_client.get(f"/exchange/cases/{case.pk}/").content.decode()
    assert seen.reference not in it_page
    bad = it_client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "not_urgent",
            "subject": "x",
            "body": "x",
            "handling_code": "H0",
            **rows(vehicles=[{"plate": "CZ5T28841", "registration_country": ""}]),
        },
    )
    assert "Vehicle 1: Registration country: " in bad.content.decode()
    assert Case.objects.count() == 1
