"""Every entry names the record it is about as a whole (a case for its
messages and legs, an incident for its versions), so that the record's
reference finds every access to it and its parts."""

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja import testing
from tromeja.accounts.services import create_user
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry, Unit
from tromeja.exchange import services as exchange


def _case(italy, slovenia):
    case = exchange.send_request(
        user=italy,
        subject="Kombi",
        body="Kdo je voznik?",
        urgency="not_urgent",
        recipients=["SI"],
        vehicles=[{"plate": "KA 001 XX", "registration_country": "UA"}],
        persons=[{"surname": "Horvat", "given_names": "Ivan", "category": "suspect"}],
    )
    exchange.reply(user=slovenia, leg=case.legs.get(), kind="acknowledgement")
    return case


@pytest.fixture
def readers(persona):
    first = persona("sl_duty")
    first.first_name, first.last_name = "Dragan", "Đorđević"
    first.save(update_fields=["first_name", "last_name"])
    second = create_user(
        username="sl_duty2",
        password=testing.PASSWORD,
        unit=Unit.objects.get(code="si-smps"),
        roles=["duty_officer"],
        first_name="Mojca",
        last_name="Žnidaršič",
    )
    TOTPDevice.objects.create(user=second, name="phone", confirmed=True)
    return first, second


def test_a_case_reference_finds_everyone_who_read_its_messages(persona, readers):
    italy = persona("it_duty")
    case = _case(italy, readers[0])
    case.refresh_from_db()
    assert case.messages.count() >= 2
    for reader in readers:
        assert testing.client_for(reader).get(f"/exchange/cases/{case.pk}/").status_code == 200
    read = AuditEntry.objects.filter(action=AuditAction.CONSULTATION, root_id=str(case.pk))
    assert {e.object_type for e in read} >= {"exchange.message"}
    assert {e.record_ref for e in read} == {case.reference}
    assert {e.root_country for e in read} == {"IT"}
    for dpo in ("sl_dpo", "it_dpo"):
        client = testing.client_for(persona(dpo))
        body = client.get("/audit/", {"record": case.reference, "action": "consultation"})
        text = body.content.decode()
        assert "Dragan Đorđević" in text and "Mojca Žnidaršič" in text, dpo
        # Lower case and surrounding spaces are forgiven.
        again = client.get("/audit/", {"record": f"  {case.reference.lower()} "})
        assert "Mojca Žnidaršič" in again.content.decode()
    # A DPO of a country neither reading nor owning sees none of it.
    hr = testing.client_for(persona("hr_duty"))
    assert hr.get("/audit/").status_code == 403


def test_a_message_logged_with_its_case_not_loaded_still_names_the_case(persona, readers):
    case = _case(persona("it_duty"), readers[0])
    case.refresh_from_db()
    message = type(case.messages.first()).objects.get(pk=case.messages.first().pk)
    entry = audit.log(AuditAction.CONSULTATION, obj=message, actor=readers[0])
    assert (entry.root_type, entry.root_id) == ("exchange.case", str(case.pk))
    assert entry.record_ref == case.reference and entry.root_country == "IT"
    leg = type(case.legs.first()).objects.get(pk=case.legs.first().pk)
    entry = audit.log(AuditAction.ALTERATION, obj=leg, actor=readers[0])
    assert (entry.root_type, entry.record_ref) == ("exchange.case", case.reference)


def test_an_incident_reference_finds_the_reads_of_it_and_its_versions(persona):
    from tromeja.incidents.models import IncidentVersion

    owner = persona("sl_duty")
    report = testing.incident(owner, validate_by=persona("sl_supervisor"))
    reader = persona("sl_border")
    reader.first_name, reader.last_name = "Ana", "Kovačič"
    reader.save(update_fields=["first_name", "last_name"])
    version = IncidentVersion.objects.create(incident=report, version=1, snapshot={})
    version = IncidentVersion.objects.get(pk=version.pk)
    audit.log(AuditAction.CONSULTATION, actor=reader, obj=version)
    entry = AuditEntry.objects.get(object_type="incidents.incidentversion")
    assert (entry.root_type, entry.root_id) == ("incidents.incident", str(report.pk))
    assert entry.record_ref == report.reference
    body = testing.client_for(persona("sl_dpo")).get("/audit/", {"record": report.reference})
    text = body.content.decode()
    assert "Ana Kovačič" in text and str(version.pk) in text


def test_an_entry_without_an_object_names_what_it_was_given(persona):
    entry = audit.log(
        AuditAction.ERASURE, actor=persona("sl_duty"), object_type="notices.notice", object_id="x"
    )
    assert (entry.root_type, entry.root_id, entry.record_ref) == ("notices.notice", "x", "")


def test_the_chain_verifies_with_the_record_columns_filled(persona, readers):
    case = _case(persona("it_duty"), readers[0])
    testing.client_for(readers[0]).get(f"/exchange/cases/{case.pk}/")
    assert audit.verify_chain().ok
    call_command("verify_audit")
