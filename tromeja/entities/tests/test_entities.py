"""One set of rules for persons, vehicles, phones and documents: the same
input gives the same key and the same message in an incident report and in
a contact-point request, and names match across the region's spellings."""

import pytest
from django.core.exceptions import ValidationError

from tromeja import entities, testing
from tromeja.exchange import services as exchange
from tromeja.exchange.models import Subject
from tromeja.incidents import services as incidents
from tromeja.incidents.models import EntityRef, Incident

COUNTS = [{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}]


def _report(user, **lists):
    return testing.incident(user, entities=incidents.Entities(counts=COUNTS, **lists))


def _request(user, **about):
    return exchange.send_request(
        user=user, subject="Kombi", body="?", urgency="not_urgent", recipients=["SI"], **about
    )


def _incident_error(user, name, item) -> str:
    with pytest.raises(ValidationError) as exc:
        _report(user, **{name: [item]})
    return exc.value.message_dict[f"{name}.0"][0]


def _request_error(user, name, item) -> str:
    with pytest.raises(ValidationError) as exc:
        # The exchange takes phone numbers as text.
        _request(user, **{name: [item["number"] if name == "phones" else item]})
    return exc.value.message_dict[name][0]


# Normalisation


@pytest.mark.parametrize(
    "spellings",
    [
        ("Đorđević", "DJORDJEVIC", "Dordevic", "djordjević"),
        ("Kovačić", "KOVACIC", "Kovacich", "Covacich", "Kovačič"),
        ("Šimunović", "Shimunovich", "SIMUNOVIC"),
        ("Žužić", "Zhuzhich", "Zuzic"),
        ("Jurišević", "Giurissevich", "JURISEVIC"),
        ("Hadžić", "HADZIC", "hadžić "),
    ],
)
def test_a_name_folds_the_same_in_every_spelling_of_the_region(spellings):
    assert len({entities.fold_name(name) for name in spellings}) == 1


def test_different_names_stay_different():
    assert entities.fold_name("Horvat") != entities.fold_name("Horvath Ivo")
    assert entities.person_key("Novak", "Ana") != entities.person_key("Novak", "Ane")


def test_plates_phones_and_documents_have_one_written_form():
    assert entities.plate_key("lj f6-12e", "si") == "SI:LJF612E"
    assert entities.phone_key("041 123 456", "SI") == "+38641123456"
    assert entities.phone_key("00386 41 123 456", "IT") == "+38641123456"
    assert entities.document_key("p 123-4567", "af") == "AF:P1234567"


def test_cross_match_keys_are_distinct_and_in_order():
    found = entities.clean(
        persons=[
            {"surname": "Kovačić", "category": "suspect"},
            {"surname": "Kovacich", "category": "suspect"},
        ],
        phones=["+386 41 123 456", "041 123 456"],
        region="SI",
    )
    assert found.errors == []
    assert found.keys() == [("person", "covacic|"), ("phone", "+38641123456")]


def test_the_key_condition_matches_only_the_keys_given():
    condition = entities.key_condition([("phone", "+38641123456")])
    assert "phone" in str(condition) and "+38641123456" in str(condition)
    assert entities.key_condition([]).children == [("pk__in", [])]


# One set of messages


BAD = [
    ("vehicles", {"plate": "!!", "registration_country": "HR"}, "Vehicle 1: “!!” is not a licence"),
    (
        "vehicles",
        {"plate": "ZG123AB", "registration_country": ""},
        "Vehicle 1: Give the registration country",
    ),
    (
        "vehicles",
        {"plate": "ZG123AB", "registration_country": "ZZ"},
        "Vehicle 1: Give the registration country",
    ),
    ("phones", {"number": "call me"}, "Phone 1: “call me” is not a phone number."),
    (
        "documents",
        {"type": "passport", "number": "1", "issuing_country": "UA"},
        "Document 1: “1” is not a document number",
    ),
    (
        "documents",
        {"type": "visa", "number": "P1234567", "issuing_country": "UA"},
        "Document 1: Choose the kind of document.",
    ),
    (
        "documents",
        {"type": "passport", "number": "P1234567", "issuing_country": ""},
        "Document 1: Give the issuing country",
    ),
    (
        "persons",
        {"role": "smuggler", "category": "suspect", "surname": ""},
        "Person 1: A person needs at least a surname.",
    ),
    (
        "persons",
        {"role": "smuggler", "category": "boss", "surname": "Hadžić"},
        "Person 1: Say whether the person is a suspect",
    ),
    (
        "persons",
        {"role": "smuggler", "category": "suspect", "surname": "Hadžić", "nationality": "XX"},
        "Person 1: “XX” is not a country code",
    ),
    (
        "persons",
        {
            "role": "smuggler",
            "category": "suspect",
            "surname": "Hadžić",
            "date_of_birth": "12.4.88",
        },
        "Person 1: Write the date of birth as YYYY-MM-DD.",
    ),
    (
        "persons",
        {
            "role": "smuggler",
            "category": "suspect",
            "surname": "Hadžić",
            "date_of_birth": "2999-01-01",
        },
        "Person 1: The date of birth is not possible.",
    ),
    (
        "persons",
        {"role": "smuggler", "category": "suspect", "surname": "Hadžić" * 30},
        "Person 1: Names are at most 100 characters.",
    ),
]


@pytest.mark.parametrize(("name", "item", "says"), BAD)
def test_the_same_mistake_gets_the_same_message_in_a_report_and_a_request(
    persona, name, item, says
):
    in_report = _incident_error(persona("sl_border"), name, item)
    in_request = _request_error(persona("it_duty"), name, item)
    assert in_report == in_request
    assert in_report.startswith(says)
    assert not Incident.objects.exists() and not Subject.objects.exists()


def test_the_message_names_the_line_it_is_on(persona):
    good = {"plate": "ZG 123 AB", "registration_country": "HR"}
    bad = {"plate": "!!", "registration_country": "HR"}
    with pytest.raises(ValidationError) as exc:
        _request(persona("it_duty"), vehicles=[good, bad])
    assert exc.value.message_dict["vehicles"] == [
        "Vehicle 2: “!!” is not a licence plate (2–12 letters and digits)."
    ]
    with pytest.raises(ValidationError) as exc:
        _report(persona("sl_border"), vehicles=[good, bad])
    assert "vehicles.0" not in exc.value.message_dict
    assert exc.value.message_dict["vehicles.1"][0].startswith("Vehicle 2: ")


def test_only_a_report_asks_for_a_persons_role(persona):
    person = {"category": "suspect", "surname": "Hadžić"}
    message = _incident_error(persona("sl_border"), "persons", person)
    assert message == "Person 1: Choose the person's role."
    case = _request(persona("it_duty"), persons=[person])
    assert case.messages.get().subjects.get().key == "hadzic|"


# The same keys in both places


def test_a_report_and_a_request_key_the_same_entities_alike(persona):
    lists = {
        "persons": [
            {
                "role": "smuggler",
                "category": "suspect",
                "surname": "Đorđević",
                "given_names": "Nikola",
                "nationality": "RS",
            }
        ],
        "vehicles": [{"plate": "zg 123-ab", "registration_country": "hr"}],
        "phones": [{"number": "+386 41 123 456"}],
        "documents": [{"type": "passport", "number": "p 123-4567", "issuing_country": "rs"}],
    }
    report = _report(persona("sl_border"), **lists)
    about = {
        **lists,
        "phones": ["+386 41 123 456"],
        "persons": [{"category": "suspect", "surname": "DJORDJEVIC", "given_names": "Nikola"}],
    }
    case = _request(persona("it_duty"), **about)
    indexed = set(EntityRef.objects.filter(incident=report).values_list("kind", "key"))
    subjects = set(case.messages.get().subjects.values_list("kind", "key"))
    assert (
        indexed
        == subjects
        == {
            ("person", "dordevic|nicola"),
            ("vehicle", "HR:ZG123AB"),
            ("phone", "+38641123456"),
            ("document", "RS:P1234567"),
        }
    )


def test_the_receiver_is_told_of_a_report_that_spells_the_name_otherwise(persona):
    slovenia = persona("sl_duty")
    seen = testing.incident(
        slovenia,
        entities=incidents.Entities(
            counts=COUNTS,
            persons=[
                {
                    "role": "smuggler",
                    "category": "suspect",
                    "surname": "Kovačić",
                    "given_names": "Ivan",
                }
            ],
        ),
    )
    case = _request(
        persona("it_duty"),
        persons=[{"category": "suspect", "surname": "Kovacich", "given_names": "Ivan"}],
    )
    hits = exchange.cross_check(user=slovenia, leg=case.legs.get())
    assert [h.reference for h in hits] == [seen.reference]


@pytest.mark.parametrize(
    "module",
    [
        "tromeja.incidents.migrations.0004_person_keys_transliterated",
        "tromeja.exchange.migrations.0008_person_keys_transliterated",
    ],
)
def test_stored_person_keys_are_refolded_as_new_ones_are_keyed(module):
    import importlib

    refold = importlib.import_module(module).refold
    for surname, given in [
        ("Đorđević", "Nikola"),
        ("Kovačić", "Ivan"),
        ("Giurissevich", "Marco"),
        ("Shehu", "Arben"),
        ("Hadžić", ""),
    ]:
        # As the keys were written before names were transliterated.
        before = f"{entities._plain(surname)}|{entities._plain(given)}"
        assert refold(before) == entities.person_key(surname, given)
