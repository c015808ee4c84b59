"""What a message is about and what it carries: subjects of every kind and
attachments, checked by content; bad input sends nothing."""

import base64
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tromeja import testing
from tromeja.core.models import AuditEntry
from tromeja.exchange import services
from tromeja.exchange.models import Attachment, Case, Leg, Message, Subject
from tromeja.exchange.tests.test_request_form import rows

HADZIC = {
    "surname": "Hadžić",
    "given_names": "Emir",
    "date_of_birth": "1988-04-12",
    "nationality": "BA",
    "category": "suspect",
}

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# The start of a Windows program (MZ header, PE signature).
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 46
    + b"PE\x00\x00"
    + b"\x00" * 400
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _request(user, **extra):
    fields = {
        "subject": "Kombi UA AA0000A",
        "body": "Kdo je voznik?",
        "urgency": "not_urgent",
        "recipients": ["SI"],
    }
    return services.send_request(user=user, **{**fields, **extra})


def _nothing_sent():
    assert not Case.objects.exists()
    assert not Message.objects.exists()
    assert not Leg.objects.exists()
    assert not Subject.objects.exists()
    assert not Attachment.objects.exists()


def test_subjects_of_every_kind_are_kept_and_persons_mark_personal_data(persona):
    italy = persona("it_duty")
    report = testing.incident(
        persona("sl_duty"), validate_by=persona("sl_supervisor"), distribution="partners"
    )
    # A Slovenian report shared with all partners: Italy may name it.
    case = _request(
        italy,
        persons=[
            {
                "surname": "Hadžić",
                "given_names": "Emir",
                "date_of_birth": "1988-04-12",
                "nationality": "BA",
                "category": "suspect",
            }
        ],
        documents=[{"type": "passport", "number": "p 123-4567", "issuing_country": "af"}],
        places=[{"name": "Obrežje", "latitude": 45.852, "longitude": 15.69}],
        incidents=[report.reference],
        vehicles=[{"plate": "AA 0000 A", "registration_country": "UA"}],
        phones=["+380 90 000 0000"],
    )
    request = case.messages.get()
    kinds = {s.kind: s for s in request.subjects.all()}
    assert set(kinds) == {"person", "document", "place", "incident", "vehicle", "phone"}
    assert kinds["person"].key == "hadzic|emir" and kinds["person"].category == "suspect"
    assert kinds["document"].key == "AF:P1234567"
    assert kinds["incident"].key == str(report.pk)
    assert kinds["place"].detail == {"latitude": 45.852, "longitude": 15.69}
    assert request.has_personal_data and request.data_subject_category == "suspect"
    assert request.review_by is not None
    # The case page shows them to the recipient.
    page = testing.client_for(persona("sl_duty")).get(f"/exchange/cases/{case.pk}/")
    assert "HADŽIĆ Emir (1988-04-12, BA)" in page.content.decode()
    assert report.reference in page.content.decode()


def test_the_receiver_is_told_where_requested_persons_and_documents_were_seen(persona):
    slovenia = persona("sl_duty")
    entities = services_entities(surname="Hadžić", given="Emir", document="P1234567")
    seen = testing.incident(
        persona("sl_border"),
        entities=entities,
        persons_total=0,
        validate_by=persona("sl_supervisor"),
    )
    case = _request(
        persona("it_duty"),
        persons=[{"surname": "HADZIC", "given_names": "emir", "category": "suspect"}],
        documents=[{"type": "passport", "number": "P1234567", "issuing_country": "AF"}],
    )
    hits = services.cross_check(user=slovenia, leg=case.legs.get())
    assert {(h.kind, h.reference) for h in hits} == {
        ("person", seen.reference),
        ("document", seen.reference),
    }
    # The requester never sees the receiver's hits.
    assert services.cross_check(user=persona("it_duty"), leg=case.legs.get()) == []


def services_entities(*, surname, given, document):
    from tromeja.incidents.services import Entities

    return Entities(
        persons=[
            {
                "role": "smuggler",
                "category": "suspect",
                "surname": surname,
                "given_names": given,
                "nationality": "BA",
            }
        ],
        documents=[{"type": "passport", "number": document, "issuing_country": "AF"}],
    )


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("persons", [{"surname": "", "given_names": "Emir", "category": "suspect"}], "surname"),
        ("persons", [{"surname": "Hadžić", "category": "boss"}], "suspect"),
        (
            "persons",
            [{"surname": "Hadžić", "category": "suspect", "date_of_birth": "12.4.88"}],
            "YYYY-MM-DD",
        ),
        (
            "persons",
            [{"surname": "Hadžić", "category": "suspect", "date_of_birth": "2999-01-01"}],
            "not possible",
        ),
        (
            "persons",
            [{"surname": "Hadžić", "category": "suspect", "nationality": "XX"}],
            "country code",
        ),
        (
            "documents",
            [{"type": "passport", "number": "P1", "issuing_country": "AF"}],
            "document number",
        ),
        ("documents", [{"type": "visa", "number": "P1234567", "issuing_country": "AF"}], "kind"),
        ("places", [{"name": "?", "latitude": 95, "longitude": 15}], "between"),
        ("places", [{"name": "?", "latitude": "north", "longitude": 15}], "latitude"),
        ("incidents", ["SI-2026-999999"], "not a report you can see"),
        ("vehicles", [{"plate": "!!", "registration_country": "SI"}], "licence plate"),
        ("vehicles", [{"plate": "LJ 123 AB", "registration_country": "ZZ"}], "registration"),
        ("phones", ["call me"], "phone number"),
    ],
)
def test_malformed_subjects_are_refused_and_nothing_is_sent(persona, field, value, says):
    with pytest.raises(ValidationError) as exc:
        _request(persona("it_duty"), **{field: value})
    assert says in " ".join(exc.value.message_dict[field])
    kind = {
        "persons": "Person",
        "documents": "Document",
        "places": "Place",
        "incidents": "Report",
        "vehicles": "Vehicle",
        "phones": "Phone",
    }[field]
    assert exc.value.message_dict[field][0].startswith(f"{kind} 1: ")
    _nothing_sent()


def test_a_report_the_sender_cannot_see_cannot_be_named(persona):
    national = testing.incident(persona("sl_border"), validate_by=persona("sl_supervisor"))
    with pytest.raises(ValidationError) as exc:
        _request(persona("it_duty"), incidents=[national.reference])
    assert national.reference in exc.value.message_dict["incidents"][0]
    _nothing_sent()


def test_an_attachment_is_stored_outside_the_web_root_under_its_hash(persona, data_dir):
    case = _request(
        persona("it_duty"), attachments=[SimpleUploadedFile("../../etc/zapisnik.pdf", PDF)]
    )
    attachment = Attachment.objects.get()
    digest = hashlib.sha256(PDF).hexdigest()
    assert attachment.sha256 == digest and attachment.name == "zapisnik.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    stored = data_dir / "attachments" / digest[:2] / digest
    assert stored.read_bytes() == PDF
    # The recipient downloads it; reading it is logged.
    response = testing.client_for(persona("sl_duty")).get(f"/exchange/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="consultation", detail__attachment="zapisnik.pdf")
    assert case.messages.get().attachments.count() == 1


def test_only_readers_of_the_message_get_the_attachment(persona, client):
    _request(persona("it_duty"), attachments=[SimpleUploadedFile("zapisnik.pdf", PDF)])
    url = f"/exchange/attachments/{Attachment.objects.get().pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert testing.client_for(persona("hr_duty")).get(url).status_code == 404  # third country
    assert testing.client_for(persona("sl_border")).get(url).status_code == 403  # wrong role
    api = f"/api/v1/exchange/attachments/{Attachment.objects.get().pk}"
    assert client.get(api).status_code == 401
    assert testing.client_for(persona("hr_duty")).get(api).status_code == 404
    assert testing.client_for(persona("sl_duty")).get(api).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("porocilo.pdf", EXE, "Windows program"),
        ("fotografija.jpg", PDF, "application/pdf"),
        ("seznam.txt", b"plates\x00\x01\x02binary", "not a kind of file"),
        ("prazno.pdf", b"", "empty"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(persona, name, content, says):
    with pytest.raises(ValidationError) as exc:
        _request(persona("it_duty"), attachments=[SimpleUploadedFile(name, content)])
    message = " ".join(exc.value.message_dict["attachments"])
    assert name in message and says in message
    _nothing_sent()


def test_a_60_mb_attachment_is_refused_and_nothing_is_sent(persona, data_dir):
    big = SimpleUploadedFile("posnetek.pdf", PDF + b"0" * (60 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        _request(persona("it_duty"), attachments=[big])
    assert "up to 20 MB" in exc.value.message_dict["attachments"][0]
    _nothing_sent()
    assert not (data_dir / "attachments").exists()


def test_the_page_refuses_a_60_mb_upload_before_reading_it(persona):
    client = testing.client_for(persona("it_duty"))
    big = SimpleUploadedFile("posnetek.pdf", PDF + b"0" * (60 * 1024 * 1024))
    response = client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "not_urgent",
            "subject": "Posnetek",
            "body": "?",
            "handling_code": "H0",
            "attachments": [big],
        },
    )
    assert response.status_code == 413
    _nothing_sent()


def test_the_page_names_a_disguised_program_and_keeps_the_form(persona):
    client = testing.client_for(persona("it_duty"))
    response = client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "not_urgent",
            "subject": "Zapisnik",
            "body": "?",
            "handling_code": "H0",
            **rows(persons=[HADZIC]),
            "attachments": [SimpleUploadedFile("zapisnik.pdf", EXE)],
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "zapisnik.pdf" in text and "Windows program" in text
    assert 'value="Hadžić"' in text and 'value="1988-04-12"' in text
    _nothing_sent()


def test_the_page_sends_subjects_and_files(persona):
    client = testing.client_for(persona("it_duty"))
    response = client.post(
        "/exchange/new/",
        {
            "recipients": ["SI"],
            "urgency": "not_urgent",
            "subject": "Zapisnik",
            "body": "?",
            "handling_code": "H0",
            **rows(
                persons=[{**HADZIC, "category": "victim"}],
                documents=[{"type": "passport", "number": "P1234567", "issuing_country": "AF"}],
            ),
            "places": "Obrežje; 45.852, 15.690",
            "attachments": [
                SimpleUploadedFile("zapisnik.pdf", PDF),
                SimpleUploadedFile("seznam.csv", "tablica;država\nAA0000A;UA\n".encode()),
            ],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert sorted(message.subjects.values_list("kind", flat=True)) == [
        "document",
        "person",
        "place",
    ]
    assert message.subjects.get(kind="person").category == "victim"
    assert sorted(message.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "text/csv",
    ]


def test_an_answer_carries_attachments_through_the_api(persona):
    case = _request(persona("it_duty"))
    si = testing.client_for(persona("sl_duty"))
    body = {
        "kind": "answer",
        "body": "Voznik je znan.",
        "attachments": [{"name": "zapisnik.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    url = f"/api/v1/exchange/legs/{case.legs.get().pk}/reply"
    answered = si.post(url, data=json.dumps(body), content_type="application/json")
    assert answered.status_code == 200
    files = answered.json()["messages"][-1]["attachments"]
    assert files[0]["name"] == "zapisnik.pdf"
    assert files[0]["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_the_api_refuses_a_disguised_program_and_bad_base64(persona):
    it = testing.client_for(persona("it_duty"))
    for content in (base64.b64encode(EXE).decode(), "not base64!"):
        body = {
            "subject": "Zapisnik",
            "body": "?",
            "urgency": "not_urgent",
            "recipients": ["SI"],
            "attachments": [{"name": "zapisnik.pdf", "content_base64": content}],
        }
        response = it.post(
            "/api/v1/exchange/requests", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422
        assert "zapisnik.pdf" in response.content.decode()
    _nothing_sent()
