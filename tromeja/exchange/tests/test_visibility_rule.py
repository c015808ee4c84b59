"""Every read of the exchange starts from the one visibility rule: the legs
of a request follow its message, so a user the rule gives nothing (signed
off, deactivated, without the permission to read records) sees no request
anywhere, and a third country gets 404s."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tromeja import testing
from tromeja.core.records import RECIPIENT, SENDER
from tromeja.core.roles import ROLE_PERMISSIONS, Perm, Role
from tromeja.exchange import duty, services, stats
from tromeja.exchange.models import Attachment, Leg, Message

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
SUBJECT = "Furgone CZ 5T2 8841"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def late_request(persona):
    """Italy asks Slovenia and Croatia, with a file; Slovenia's deadline has
    passed."""
    italy = persona("it_duty")
    case = services.send_request(
        user=italy,
        subject=SUBJECT,
        body="Chi guida?",
        urgency="urgent_direct",
        recipients=["SI", "HR"],
        attachments=[SimpleUploadedFile("zapisnik.pdf", PDF)],
    )
    Leg.objects.filter(case=case, recipient_country_id="SI").update(
        due_at=timezone.now() - timedelta(hours=3)
    )
    return case


def _leg(case, country):
    return Leg.objects.get(case=case, recipient_country_id=country)


def _csv_values(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[2] for row in rows[1:]]


def _without_reading(monkeypatch, *roles):
    """These roles keep the contact point's work but lose the permission to
    read records."""
    for role in roles:
        monkeypatch.setitem(ROLE_PERMISSIONS, role, ROLE_PERMISSIONS[role] - {Perm.VIEW_RECORDS})


def test_the_requester_sees_every_leg_and_each_recipient_its_own(late_request, persona):
    italy, slovenia, croatia = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    si_leg, hr_leg = _leg(late_request, "SI"), _leg(late_request, "HR")
    assert set(Leg.objects.restrict(italy)) == {si_leg, hr_leg}
    assert set(Leg.objects.restrict(italy, side=SENDER)) == {si_leg, hr_leg}
    assert not Leg.objects.restrict(italy, side=RECIPIENT).exists()
    assert set(Leg.objects.restrict(slovenia)) == {si_leg}
    assert set(Leg.objects.restrict(slovenia, side=RECIPIENT)) == {si_leg}
    assert not Leg.objects.restrict(slovenia, side=SENDER).exists()
    assert set(Leg.objects.restrict(croatia)) == {hr_leg}


def test_a_leg_is_seen_only_while_its_request_message_is(late_request, persona):
    slovenia, italy = persona("sl_duty"), persona("it_duty")
    request = Message.objects.get(case=late_request, kind="request")
    request.shared_with.remove("SI")
    assert not Leg.objects.restrict(slovenia).exists()
    assert Leg.objects.restrict(italy).count() == 2


def test_a_third_country_sees_no_leg_and_gets_404s(late_request, persona):
    bilateral = services.send_request(
        user=persona("it_duty"),
        subject="Targa GO 123 AB",
        body="?",
        urgency="not_urgent",
        recipients=["SI"],
        attachments=[SimpleUploadedFile("foto.pdf", PDF)],
    )
    leg = _leg(bilateral, "SI")
    attachment = Attachment.objects.get(message__case=bilateral)
    croatia = persona("hr_duty")
    assert set(Leg.objects.restrict(croatia)) == {_leg(late_request, "HR")}
    client = testing.client_for(croatia)
    assert client.get(f"/exchange/cases/{bilateral.pk}/").status_code == 404
    assert client.get(f"/api/v1/exchange/cases/{bilateral.pk}").status_code == 404
    assert client.post(f"/exchange/legs/{leg.pk}/reply/", {"kind": "answer"}).status_code == 404
    assert client.post(f"/exchange/legs/{leg.pk}/assign/", {}).status_code == 404
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    assert bilateral.reference not in client.get("/exchange/").content.decode()
    for direction in ("in", "out"):
        legs = client.get(f"/api/v1/exchange/legs?direction={direction}&open_only=false").json()
        assert leg.pk not in {row["id"] for row in legs}
    reply = client.post(
        f"/api/v1/exchange/legs/{leg.pk}/reply",
        data={"kind": "answer"},
        content_type="application/json",
        HTTP_X_PURPOSE="x",
    )
    assert reply.status_code == 404
    figures = stats.yearly(croatia, timezone.localtime().year)
    # Only its own leg of the request it did receive.
    assert figures["received"]["total"]["requests"] == 1
    assert figures["sent"]["total"]["requests"] == 0


def test_a_deactivated_duty_officer_gets_nothing_from_the_rule(late_request, persona):
    # Deactivated while signed in: the permissions read before still say yes.
    supervisor = persona("sl_supervisor")
    assert supervisor.has_perm_code(Perm.EXCHANGE_MESSAGES)
    supervisor.is_active = False
    assert not Leg.objects.restrict(supervisor).exists()
    assert not duty.overdue(supervisor).exists()
    figures = stats.yearly(supervisor, timezone.localtime().year)
    assert stats.is_empty(figures)
    assert stats.years_available(supervisor) == [stats.current_year()]


def test_a_deactivated_duty_officer_gets_nothing_from_pages_or_api(late_request, persona):
    supervisor = persona("sl_supervisor")
    client = testing.client_for(supervisor)
    assert SUBJECT in client.get("/exchange/overdue/").content.decode()
    supervisor.is_active = False
    supervisor.save(update_fields=["is_active"])
    leg = _leg(late_request, "SI")
    for url in (
        "/exchange/",
        "/exchange/overdue/",
        "/exchange/statistics/",
        "/exchange/statistics.csv",
        f"/exchange/cases/{late_request.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    for url in (
        "/api/v1/exchange/legs",
        "/api/v1/exchange/statistics",
        f"/api/v1/exchange/cases/{late_request.pk}",
    ):
        assert client.get(url).status_code == 401
    assert client.post(f"/exchange/legs/{leg.pk}/assign/", {}).status_code == 302


def test_an_officer_who_may_not_read_records_sees_no_request(late_request, persona, monkeypatch):
    _without_reading(monkeypatch, Role.DUTY_OFFICER, Role.SUPERVISOR)
    supervisor = persona("sl_supervisor")
    assert supervisor.has_perm_code(Perm.EXCHANGE_MESSAGES)
    assert not supervisor.has_perm_code(Perm.VIEW_RECORDS)
    client = testing.client_for(supervisor)
    leg = _leg(late_request, "SI")
    inbox = client.get("/exchange/")
    assert inbox.status_code == 200 and late_request.reference not in inbox.content.decode()
    overdue = client.get("/exchange/overdue/")
    assert overdue.status_code == 200 and late_request.reference not in overdue.content.decode()
    assert client.get("/api/v1/exchange/legs?open_only=false").json() == []
    assert client.get(f"/exchange/cases/{late_request.pk}/").status_code == 404
    assert client.get(f"/api/v1/exchange/cases/{late_request.pk}").status_code == 404
    assert client.post(f"/exchange/legs/{leg.pk}/assign/", {}).status_code == 404
    attachment = Attachment.objects.get(message__case=late_request)
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    page = client.get("/exchange/statistics/")
    assert page.status_code == 200 and page.context["empty"]
    assert set(_csv_values(client.get("/exchange/statistics.csv"))) <= {"0", ""}
    api = client.get("/api/v1/exchange/statistics").json()
    assert api["received"]["total"]["requests"] == api["sent"]["total"]["requests"] == 0


def test_the_same_officer_with_the_permission_sees_the_request(late_request, persona):
    # The counterpart of the test above: the pages do show it to the officer.
    client = testing.client_for(persona("sl_supervisor"))
    assert late_request.reference in client.get("/exchange/").content.decode()
    assert late_request.reference in client.get("/exchange/overdue/").content.decode()
    legs = client.get("/api/v1/exchange/legs?open_only=false").json()
    assert [row["id"] for row in legs] == [_leg(late_request, "SI").pk]
    assert not client.get("/exchange/statistics/").context["empty"]
    assert "1" in _csv_values(client.get("/exchange/statistics.csv"))


def test_someone_without_the_role_is_refused(late_request, persona, client):
    assert client.get("/exchange/").status_code == 302
    assert client.get("/api/v1/exchange/legs").status_code == 401
    border = testing.client_for(persona("sl_border"))
    for url in (
        "/exchange/",
        "/exchange/overdue/",
        "/exchange/statistics/",
        "/exchange/statistics.csv",
    ):
        assert border.get(url).status_code == 403
    assert border.get("/api/v1/exchange/legs").status_code == 403
    assert border.get("/api/v1/exchange/statistics").status_code == 403
    assert not Leg.objects.restrict(persona("outsider")).exists()
    assert stats.is_empty(stats.yearly(persona("outsider"), timezone.localtime().year))


def test_the_cross_check_reads_only_a_request_the_recipient_may_read(persona):
    from tromeja.incidents.services import Entities

    slovenia = persona("sl_duty")
    plate = [{"plate": "CZ 5T2 8841", "registration_country": "CZ"}]
    seen = testing.incident(
        slovenia,
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=plate,
        ),
    )
    italy = persona("it_duty")

    def ask(subject):
        return services.send_request(
            user=italy,
            subject=subject,
            body="?",
            urgency="not_urgent",
            recipients=["SI"],
            vehicles=plate,
        )

    before, case = ask("Prima"), ask(SUBJECT)
    leg = _leg(case, "SI")
    assert [h.reference for h in services.cross_check(user=slovenia, leg=leg)] == [seen.reference]
    assert [c["case_id"] for c in services.earlier_cases(user=slovenia, leg=leg)] == [before.pk]
    Message.objects.get(case=case, kind="request").shared_with.remove("SI")
    assert services.cross_check(user=slovenia, leg=leg) == []
    assert services.earlier_cases(user=slovenia, leg=leg) == []
