"""The audit log answers the supervisory authority's questions: who read a
record (and its parts), found by reference or id; a user found by name;
the record's history for its country's supervisors; exports as CSV and as
signed JSON."""

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from tromeja import testing
from tromeja.auditlog import services
from tromeja.auditlog.models import AuditExport, ExportStatus
from tromeja.auditlog.signed import verify_document
from tromeja.core import signing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.exchange import services as exchange


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TROMEJA_SIGNING_KEY_DIR = tmp_path / "signing"
    return tmp_path


def _case(italy, slovenia):
    case = exchange.send_request(
        user=italy,
        subject="Kombi",
        body="Kdo je voznik?",
        urgency="not_urgent",
        recipients=["SI"],
        persons=[{"surname": "Horvat", "given_names": "Ivan", "category": "suspect"}],
    )
    exchange.reply(user=slovenia, leg=case.legs.get(), kind="acknowledgement")
    case.refresh_from_db()
    return case


@pytest.fixture
def read_case(persona):
    """An Italian case read by a Slovenian duty officer, Dragan Đorđević."""
    reader = persona("sl_duty")
    reader.first_name, reader.last_name = "Dragan", "Đorđević"
    reader.save(update_fields=["first_name", "last_name"])
    case = _case(persona("it_duty"), reader)
    assert testing.client_for(reader).get(f"/exchange/cases/{case.pk}/").status_code == 200
    return case, reader


def _rows(client, **query):
    body = client.get("/audit/", query).content.decode()
    return body.split("<tbody>")[1].split("</tbody>")[0]


def test_a_user_is_found_by_a_folded_name(persona, read_case):
    client = testing.client_for(persona("sl_dpo"))
    for typed in ("djordjevic", "DORDEVIC", "Đorđević", "dragan đorđ", "sl_duty"):
        assert "Dragan Đorđević" in _rows(client, user=typed), typed
    assert "Dragan Đorđević" not in _rows(client, user="horvat")
    options = client.get("/audit/users/", {"user": "djordj"}).content.decode()
    assert 'value="sl_duty"' in options and "Dragan Đorđević" in options
    # The list offers the DPO's own country's users, not a partner's who never
    # touched their country's records.
    assert "it_dpo" not in client.get("/audit/users/", {"user": "it"}).content.decode()


def test_partner_users_who_read_a_countrys_record_are_offered_to_its_dpo(persona, read_case):
    case, _reader = read_case
    client = testing.client_for(persona("it_dpo"))
    options = client.get("/audit/users/", {"user": "dordevic"}).content.decode()
    assert 'value="sl_duty"' in options
    assert "Dragan Đorđević" in _rows(client, record=case.reference, user="djordjevic")


def test_the_period_and_action_combine_with_the_record(persona, read_case):
    from django.utils import timezone

    case, _reader = read_case
    client = testing.client_for(persona("sl_dpo"))
    today = timezone.localdate().isoformat()
    rows = _rows(client, record=case.reference, action="consultation", since=today, until=today)
    assert "Dragan Đorđević" in rows and "Consultation" in rows
    assert "No entries match" in _rows(
        client, record=case.reference, since="2025-01-01", until="2025-01-31"
    )
    assert "No entries match" in _rows(client, record=case.reference, action="erasure")


def test_entries_show_the_reference_full_id_and_unit(persona, read_case):
    case, reader = read_case
    client = testing.client_for(persona("sl_dpo"))
    body = client.get("/audit/", {"record": case.reference}).content.decode()
    message = case.messages.get(kind="request")
    assert re.search(rf'<code class="audit-id[^"]*">{message.pk}</code>', body)
    assert f'data-copy="{message.pk}"' in body
    assert case.reference in body and reader.unit.name in body
    assert "tromeja/audit.js" in body and "<script>" not in body


def test_a_full_id_of_the_case_or_a_message_finds_the_case(persona, read_case):
    case, _reader = read_case
    client = testing.client_for(persona("sl_dpo"))
    assert "Dragan Đorđević" in _rows(client, record=str(case.pk))
    message = case.messages.first()
    assert str(message.pk) in _rows(client, record=str(message.pk))


def test_the_owner_countrys_supervisor_reads_the_records_history(persona, read_case):
    case, _reader = read_case
    url = f"/audit/records/{case.pk}/"
    body = testing.client_for(persona("it_supervisor")).get(url)
    assert body.status_code == 200
    text = body.content.decode()
    assert "Dragan Đorđević" in text and case.reference in text
    # Another country's supervisor, even one the case was sent to: none.
    assert testing.client_for(persona("sl_supervisor")).get(url).status_code == 404
    assert testing.client_for(persona("hr_supervisor")).get(url).status_code == 404
    # Roles that read no history; nobody signed in.
    assert testing.client_for(persona("sl_border")).get(url).status_code == 403
    assert testing.client_for(persona("it_duty")).get(url).status_code == 403
    from django.test import Client

    assert Client().get(url)["Location"].startswith("/accounts/sign-in/")
    # The API answers the same.
    api = testing.client_for(persona("it_supervisor")).get(f"/api/v1/audit/records/{case.pk}")
    assert api.status_code == 200
    assert any(e["actor_name"] == "Dragan Đorđević" for e in api.json()["items"])
    other = testing.client_for(persona("hr_supervisor"))
    assert other.get(f"/api/v1/audit/records/{case.pk}").status_code == 404


def test_the_history_link_shows_only_to_who_may_follow_it(persona, read_case, rf):
    from django.template import engines

    case, _reader = read_case
    template = engines["django"].from_string(
        '{% include "auditlog/partials/history_link.html" with record=case %}'
    )
    for name, shown in (("it_supervisor", True), ("it_duty", False), ("sl_supervisor", False)):
        request = rf.get("/")
        request.user = persona(name)
        html = template.render({"case": case}, request)
        assert (f"/audit/records/{case.pk}/" in html) is shown, name


def test_the_dpo_reads_the_history_of_their_countrys_records(persona, read_case):
    case, _reader = read_case
    url = f"/audit/records/{case.pk}/"
    assert "Dragan Đorđević" in testing.client_for(persona("it_dpo")).get(url).content.decode()
    assert testing.client_for(persona("sl_dpo")).get(url).status_code == 200  # SI users read it
    unknown = "/audit/records/01a22909-c0e2-7455-8eac-e75224cf8c95/"
    assert testing.client_for(persona("sl_dpo")).get(unknown).status_code == 404


def _export(client, fmt, **query):
    from urllib.parse import urlencode

    response = client.post("/audit/exports/?" + urlencode(query), {"format": fmt})
    assert response.status_code == 302
    export = AuditExport.objects.latest("pk")
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    download = client.get(f"/audit/exports/{export.pk}/download/")
    return export, b"".join(download.streaming_content)


def test_the_csv_export_has_the_reference_and_full_ids(persona, read_case):
    case, _reader = read_case
    dpo = persona("sl_dpo")
    export, raw = _export(testing.client_for(dpo), "csv", record=case.reference)
    rows = list(csv.DictReader(io.StringIO(raw.decode())))
    assert rows and list(rows[0]) == list(services.COLUMNS)
    read = [r for r in rows if r["action"] == "consultation"]
    assert {r["record_ref"] for r in read} == {case.reference}
    request = case.messages.get(kind="request")
    assert str(request.pk) in {r["object_id"] for r in read}
    assert {r["root_id"] for r in read} == {str(case.pk)}
    assert {r["actor_name"] for r in read} == {"Dragan Đorđević"}
    disclosure = AuditEntry.objects.get(object_type="auditlog.auditexport", object_id=export.pk)
    assert disclosure.action == AuditAction.DISCLOSURE and disclosure.detail["format"] == "csv"


def test_a_formula_in_a_purpose_is_neutralised_in_the_csv(persona):
    reader = persona("sl_duty")
    record = testing.notice(reader, has_personal_data=True)
    testing.client_for(reader, purpose="=HYPERLINK(1)").get(f"/notices/{record.pk}/")
    _export_, raw = _export(testing.client_for(persona("sl_dpo")), "csv", record=str(record.pk))
    assert "'=HYPERLINK(1)" in raw.decode()


def test_the_signed_json_export_verifies_and_a_changed_byte_does_not(persona, read_case, tmp_path):
    case, _reader = read_case
    export, raw = _export(testing.client_for(persona("sl_dpo")), "json", record=case.reference)
    document = json.loads(raw)
    payload = document["payload"]
    assert document["signed_by"]["key_id"] == signing.current().key_id == payload["key_id"]
    assert payload["total"] == len(payload["entries"]) > 0
    assert {e["record_ref"] for e in payload["entries"]} == {case.reference}
    assert all(len(e["entry_hash"]) == 64 and len(e["prev_hash"]) == 64 for e in payload["entries"])
    stored = dict(AuditEntry.objects.values_list("seq", "entry_hash"))
    assert all(stored[e["seq"]] == e["entry_hash"] for e in payload["entries"])
    assert payload["chain"]["head_seq"] >= max(e["seq"] for e in payload["entries"])
    assert verify_document(raw).ok
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    call_command("verify_audit_export", str(path))
    call_command("verify_audit_export", str(path), public_key=signing.current().public_key)
    # A changed byte in an entry, in the signature, or another key: refused.
    position = raw.index(b'"seq":') + len(b'"seq":')
    digit = raw[position : position + 1]
    changed = raw[:position] + (b"9" if digit != b"9" else b"8") + raw[position + 1 :]
    assert verify_document(changed).reason == "bad-signature"
    path.write_bytes(changed)
    with pytest.raises(CommandError):
        call_command("verify_audit_export", str(path))
    sig = raw.index(b'"signature":"') + len(b'"signature":"')
    flipped = raw[:sig] + (b"A" if raw[sig : sig + 1] != b"A" else b"B") + raw[sig + 1 :]
    assert not verify_document(flipped).ok
    other = signing.rotate()
    assert verify_document(raw, public_key=other.public_key).reason == "other-key"
    assert verify_document(raw).ok  # the earlier key still verifies what it signed
    assert verify_document(b"{}").reason == "not-an-export"


def test_the_json_is_the_canonical_form_of_its_payload(persona, read_case):
    from tromeja.auditlog.signed import canonical

    _export_, raw = _export(testing.client_for(persona("sl_dpo")), "json")
    document = json.loads(raw)
    text = raw.decode()
    start = len('{"payload":')
    assert text[start : start + len(canonical(document["payload"]))] == canonical(
        document["payload"]
    )


def test_the_public_keys_are_published(persona):
    from django.test import Client

    key = signing.current()
    page = Client().get("/audit/keys/")
    assert page.status_code == 200 and key.public_key in page.content.decode()
    api = testing.client_for(persona("sl_dpo")).get("/api/v1/audit/keys").json()
    assert api[0]["key_id"] == key.key_id and api[0]["current"]


def test_the_api_searches_by_reference_and_name_and_exports(persona, read_case):
    case, _reader = read_case
    client = testing.client_for(persona("sl_dpo"))
    found = client.get("/api/v1/audit", {"record": case.reference, "user": "djordjevic"}).json()
    assert found["count"] > 0
    assert {e["record_ref"] for e in found["items"]} == {case.reference}
    assert {e["actor_name"] for e in found["items"]} == {"Dragan Đorđević"}
    users = client.get("/api/v1/audit/users", {"q": "dordevic"}).json()
    assert [u["username"] for u in users] == ["sl_duty"]
    assert client.get("/api/v1/audit/users", {"q": "d"}).status_code == 422
    created = client.post(
        f"/api/v1/audit/exports?record={case.reference}",
        {"format": "json"},
        content_type="application/json",
    )
    assert created.status_code == 202
    export_id = created.json()["id"]
    services.run_export(export_id)
    status = client.get(f"/api/v1/audit/exports/{export_id}").json()
    assert status["status"] == "done" and status["file_url"]
    file = client.get(status["file_url"])
    assert verify_document(b"".join(file.streaming_content)).ok
    bad = client.post("/api/v1/audit/exports", {"format": "xml"}, content_type="application/json")
    assert bad.status_code == 422
    other = testing.client_for(persona("it_dpo"))
    assert other.get(f"/api/v1/audit/exports/{export_id}").status_code == 404
    assert other.get(f"/api/v1/audit/exports/{export_id}/file").status_code == 404
    duty = testing.client_for(persona("sl_duty"))
    assert duty.get("/api/v1/audit/users?q=dordevic").status_code == 403
    assert (
        duty.post("/api/v1/audit/exports", {}, content_type="application/json").status_code == 403
    )


def test_the_owner_countrys_dpo_reads_partners_reading_its_records_and_no_more(persona, read_case):
    case, reader = read_case
    mine = testing.notice(reader, title="Slovenian only", has_personal_data=True)
    testing.client_for(reader).get(f"/notices/{mine.pk}/")
    it_entries = AuditEntry.objects.restrict(persona("it_dpo"))
    assert it_entries.filter(actor_username="sl_duty", root_id=str(case.pk)).exists()
    assert not it_entries.filter(root_id=str(mine.pk)).exists()
    assert AuditEntry.objects.restrict(persona("sl_dpo")).filter(root_id=str(mine.pk)).exists()


@pytest.mark.parametrize("language", ["sl", "it", "hr"])
def test_the_pages_speak_the_readers_language(persona, read_case, language):
    from django.utils import translation

    case, _reader = read_case
    dpo = persona("sl_dpo")
    dpo.language = language
    dpo.save(update_fields=["language"])
    body = testing.client_for(dpo).get("/audit/", {"record": case.reference}).content.decode()
    with translation.override(language):
        assert translation.gettext("Audit log") in body
        assert str(AuditAction.CONSULTATION.label) in body
    assert f'lang="{language}"' in body


def test_a_model_names_its_record_with_audit_root(persona):
    from tromeja.core import audit

    notice = testing.notice(persona("sl_duty"))

    class Part:
        """A part that is no model field's child, naming its record itself."""

        audit_root = notice

    roots = audit.roots([Part()])
    assert roots[0].type == "notices.notice" and roots[0].id == str(notice.pk)
    assert roots[0].country == "SI"
