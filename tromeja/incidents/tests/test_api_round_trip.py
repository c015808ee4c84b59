"""GET /api/v1/incidents/{id} returns everything PUT accepts: a client that
reads a report and writes it back unchanged changes nothing."""

import json

import pytest

from tromeja import testing


@pytest.fixture
def officer(persona):
    return persona("sl_border")


def _full_body():
    return testing.incident_api_body(
        place_name="Obrežje, field path",
        evasion=True,
        embarkation_country="TR",
        destination_country="DE",
        narrative="Van stopped at the check.",
        handling_code="H3",
        handling_note="For the Novo mesto directorate.",
        source_reliability="B",
        information_accuracy="2",
        stage="actual",
        crossing_mode="clandestine",
        direction="entry",
        persons=[
            {
                "role": "driver",
                "category": "suspect",
                "surname": "Horvat",
                "given_names": "Ivan",
                "date_of_birth": "1988-04-02",
                "nationality": "HR",
            }
        ],
        vehicles=[
            {
                "plate": "KA 555 XX",
                "registration_country": "UA",
                "make": "Ford",
                "model": "Transit",
                "colour": "white",
            }
        ],
        phones=[{"number": "+386 41 123 456"}],
        documents=[
            {"type": "passport", "number": "P1234567", "issuing_country": "HR", "fraudulent": True}
        ],
        location_override_reason="",
    )


def test_get_then_put_of_the_same_body_changes_nothing(officer):
    client = testing.client_for(officer)
    earlier = client.post("/api/v1/incidents", _full_body(), content_type="application/json")
    assert earlier.status_code == 201, earlier.content
    created = client.post("/api/v1/incidents", _full_body(), content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    read = client.get(f"/api/v1/incidents/{pk}").json()
    assert read["persons"][0]["surname"] == "Horvat"
    assert read["vehicles"][0]["make"] == "Ford"
    assert read["phones"] and read["documents"][0]["fraudulent"] is True
    assert read["sightings"], "the earlier report shares the plate, phone and document"

    written = client.put(
        f"/api/v1/incidents/{pk}", json.dumps(read), content_type="application/json"
    )
    assert written.status_code == 200, written.content
    again = client.get(f"/api/v1/incidents/{pk}").json()
    for key in (
        "persons",
        "vehicles",
        "phones",
        "documents",
        "counts",
        "sightings",
        "place_name",
        "evasion",
        "embarkation_country",
        "destination_country",
        "narrative",
        "handling_note",
        "source_reliability",
        "information_accuracy",
        "border_section",
        "location_override_reason",
        "occurred_at",
        "aware_at",
        "latitude",
        "longitude",
        "distribution",
        "shared_with",
        "review_by",
        "follows",
        "related",
        "has_personal_data",
        "data_subject_category",
    ):
        assert again[key] == read[key], key


def test_every_field_put_accepts_is_returned_by_get(officer):
    from tromeja.incidents.api import IncidentIn, IncidentOut

    assert set(IncidentIn.model_fields) <= set(IncidentOut.model_fields)
