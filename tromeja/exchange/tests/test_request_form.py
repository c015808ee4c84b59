"""The request form: persons, documents, vehicles and phones as rows, every
problem reported at once, nothing sent until all is right."""

from django.utils.translation import gettext as _

from tromeja import testing
from tromeja.exchange.models import Case, Message, Subject

FIELDS = {
    "persons": ("surname", "given_names", "date_of_birth", "nationality", "category"),
    "documents": ("type", "number", "issuing_country"),
    "vehicles": ("plate", "registration_country"),
    "phones": ("number",),
}


def rows(**lists) -> dict:
    """The POST data of the form's rows: rows(persons=[{...}], phones=[...])."""
    data = {}
    for name in FIELDS:
        items = lists.get(name, [])
        data[f"{name}-TOTAL_FORMS"] = str(len(items))
        data[f"{name}-INITIAL_FORMS"] = "0"
        for i, item in enumerate(items):
            if isinstance(item, str):
                item = {"number": item}
            for key, value in item.items():
                data[f"{name}-{i}-{key}"] = value
    return data


def request_data(**lists) -> dict:
    return {
        "recipients": ["SI", "HR"],
        "urgency": "urgent_indirect",
        "subject": "Kombi UA AA0000A",
        "body": "Chi guida il furgone?",
        "handling_code": "H0",
        **rows(**lists),
    }


PERSONS = [
    {
        "surname": "Hadžić",
        "given_names": "Emir",
        "date_of_birth": "1988-04-12",
        "nationality": "BA",
        "category": "suspect",
    },
    {
        "surname": "Kovalenko",
        "given_names": "Petro",
        "date_of_birth": "2999-01-01",  # not possible
        "nationality": "UA",
        "category": "victim",
    },
]
DOCUMENT = {"type": "passport", "number": "P1", "issuing_country": "AF"}  # too short


def test_two_persons_and_a_document_every_error_at_once_then_sent(persona):
    client = testing.client_for(persona("it_duty"))
    assert client.get("/exchange/new/").status_code == 200
    response = client.post("/exchange/new/", request_data(persons=PERSONS, documents=[DOCUMENT]))
    assert response.status_code == 200
    assert not Case.objects.exists() and not Message.objects.exists()
    page = response.content.decode()
    persons = response.context["formsets"]["persons"]
    documents = response.context["formsets"]["documents"]
    assert not persons.forms[0].errors
    # The date of birth: next to its field; the number: on its row.
    assert persons.forms[1].errors["date_of_birth"]
    document_error = documents.forms[0].non_field_errors()[0]
    assert document_error.startswith(_("Document") + " 1: ")
    assert "document number" in document_error
    summary = [problem["text"] for problem in response.context["summary"]]
    assert len(summary) == 2
    assert summary[1] == document_error
    assert summary[0].startswith(_("Person") + " 2: " + _("Date of birth") + ": ")
    assert "data-error-summary" in page and 'href="#id_persons-1-date_of_birth"' in page
    # What was typed stays in the form.
    assert 'value="Kovalenko"' in page and 'value="P1"' in page

    fixed = [PERSONS[0], {**PERSONS[1], "date_of_birth": "1990-02-03"}]
    document = {**DOCUMENT, "number": "P1234567"}
    response = client.post("/exchange/new/", request_data(persons=fixed, documents=[document]))
    assert response.status_code == 302
    case = Case.objects.get()
    labels = sorted(Subject.objects.filter(message__case=case).values_list("kind", "label"))
    assert labels == [
        ("document", "P1234567 (AF)"),
        ("person", "HADŽIĆ Emir (1988-04-12, BA)"),
        ("person", "KOVALENKO Petro (1990-02-03, UA)"),
    ]
    categories = set(Subject.objects.filter(kind="person").values_list("category", flat=True))
    assert categories == {"suspect", "victim"}


def test_entity_errors_of_several_rows_and_the_form_come_together(persona):
    """A row the entities module refuses, a row with a wrong field and a
    missing subject: one answer names all three, each where it belongs."""
    client = testing.client_for(persona("it_duty"))
    data = request_data(
        persons=[{**PERSONS[0], "nationality": ""}, {**PERSONS[1], "date_of_birth": "12.4.88"}],
        vehicles=[{"plate": "!!", "registration_country": "SI"}],
        phones=["call me"],
    )
    data["subject"] = ""
    response = client.post("/exchange/new/", data)
    assert response.status_code == 200 and not Case.objects.exists()
    form, sets = response.context["form"], response.context["formsets"]
    assert form.errors["subject"]
    assert sets["persons"].forms[1].errors["date_of_birth"]
    vehicle = sets["vehicles"].forms[0].non_field_errors()[0]
    assert vehicle.startswith(_("Vehicle") + " 1: ") and "licence plate" in vehicle
    phone = sets["phones"].forms[0].non_field_errors()[0]
    assert phone.startswith(_("Phone") + " 1: ")
    assert len(response.context["summary"]) == 4


def test_a_removed_or_empty_row_is_not_sent_and_rows_keep_their_numbers(persona):
    client = testing.client_for(persona("it_duty"))
    data = request_data(
        persons=[
            {**PERSONS[1], "surname": "Removed", "DELETE": "on"},
            {**PERSONS[0]},
            {"surname": "", "category": ""},  # an added row left empty
        ],
        documents=[{"type": "passport", "number": "!", "issuing_country": "AF"}],
    )
    response = client.post("/exchange/new/", data)
    error = response.context["formsets"]["documents"].forms[0].non_field_errors()[0]
    assert error.startswith(_("Document") + " 1: ")
    data["documents-TOTAL_FORMS"] = "0"
    assert client.post("/exchange/new/", data).status_code == 302
    labels = list(Subject.objects.values_list("label", flat=True))
    assert labels == ["HADŽIĆ Emir (1988-04-12, BA)"]


def test_the_form_offers_rows_with_country_names_in_the_readers_language(persona):
    officer = persona("it_duty")
    officer.language = "it"
    officer.save(update_fields=["language"])
    page = testing.client_for(officer).get("/exchange/new/").content.decode()
    for name in ("persons", "documents", "vehicles", "phones"):
        assert f'data-formset="{name}"' in page and f'name="{name}-TOTAL_FORMS"' in page
    assert 'class="formset-empty"' in page
    assert '<option value="DE">Germania</option>' in page
    assert 'name="persons-__prefix__-category"' in page


def test_information_form_takes_rows_too(persona):
    client = testing.client_for(persona("it_duty"))
    data = request_data(vehicles=[{"plate": "CZ 5T2 8841", "registration_country": "CZ"}])
    del data["urgency"]
    data["recipients"] = ["SI"]
    response = client.post("/exchange/inform/", data)
    assert response.status_code == 302
    assert Subject.objects.get().label == "CZ 5T2 8841 (CZ)"


def test_the_form_refuses_anonymous_wrong_roles_and_posts_from_them(persona, client):
    data = request_data(persons=PERSONS[:1])
    assert client.get("/exchange/new/").status_code == 302
    assert client.post("/exchange/new/", data).status_code == 302
    border = testing.client_for(persona("sl_border"))
    assert border.get("/exchange/new/").status_code == 403
    assert border.post("/exchange/new/", data).status_code == 403
    # Not a partner of Italy's choosing: its own country is no recipient.
    own = testing.client_for(persona("it_duty")).post(
        "/exchange/new/", {**data, "recipients": ["IT"]}
    )
    assert own.status_code == 200 and not Case.objects.exists()
