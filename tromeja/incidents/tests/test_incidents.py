"""Incident reports: filing, validation, sharing, cross-matching, bad input."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.incidents import services
from tromeja.incidents.models import EntityRef, Incident, IncidentVersion
from tromeja.incidents.queries import sightings_for


@pytest.fixture
def si_border(persona):
    return persona("sl_border")


@pytest.fixture
def si_supervisor(persona):
    return persona("sl_supervisor")


def test_the_place_gives_section_unit_and_nearest_crossing(si_border):
    report = testing.incident(si_border)
    assert report.border == "SI-HR"
    assert report.responsible_unit.code == "si-pu-novo-mesto"
    assert "obrezje" in report.nearest_crossing
    assert report.crossing_distance_km < 5
    assert report.reference.startswith("SI-")
    second = testing.incident(si_border)
    assert int(second.reference[-6:]) == int(report.reference[-6:]) + 1


def test_an_officer_may_name_another_section_with_a_reason(si_border):
    with pytest.raises(ValidationError) as exc:
        testing.incident(si_border, section_code="si-hr-novo-mesto-karlovac")
    assert "location_override_reason" in exc.value.message_dict
    report = testing.incident(
        si_border,
        section_code="si-hr-novo-mesto-karlovac",
        override_reason="group crossed the Kolpa upstream",
    )
    assert report.border_section == "si-hr-novo-mesto-karlovac"
    assert report.location_override_reason


def test_drafts_are_the_authors_until_submitted(persona, it_duty):
    duty = persona("sl_duty")
    draft = testing.incident(duty, distribution="partners")
    assert not Incident.objects.restrict(persona("sl_supervisor")).filter(pk=draft.pk).exists()
    services.submit_incident(user=duty, incident=draft)
    assert Incident.objects.restrict(persona("sl_supervisor")).filter(pk=draft.pk).exists()
    # Submitted is not validated: partners see nothing yet.
    assert not Incident.objects.restrict(it_duty).filter(pk=draft.pk).exists()


def test_validation_shares_the_report_with_the_named_partner_only(
    si_border, si_supervisor, it_duty, hr_analyst
):
    report = testing.incident(
        testing.make_persona("sl_duty"),
        distribution="named",
        shared_with=["IT"],
        validate_by=si_supervisor,
    )
    assert Incident.objects.restrict(it_duty).filter(pk=report.pk).exists()
    assert not Incident.objects.restrict(hr_analyst).filter(pk=report.pk).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, object_id=str(report.pk)).get()
    assert entry.recipients == "IT"


def test_nobody_validates_their_own_report_or_another_countrys(persona, si_supervisor):
    own = testing.incident(si_supervisor)
    services.submit_incident(user=si_supervisor, incident=own)
    with pytest.raises(ValidationError):
        services.validate_incident(user=si_supervisor, incident=own)
    croatian = testing.incident(persona("hr_border"))
    services.submit_incident(user=persona("hr_border"), incident=croatian)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.validate_incident(user=si_supervisor, incident=croatian)
    with pytest.raises(PermissionDenied):
        services.validate_incident(user=persona("sl_border"), incident=own)


def test_a_returned_report_carries_the_comment_and_can_be_corrected(si_border, si_supervisor):
    report = testing.incident(si_border)
    services.submit_incident(user=si_border, incident=report)
    with pytest.raises(ValidationError):
        services.return_incident(user=si_supervisor, incident=report, comment="  ")
    services.return_incident(
        user=si_supervisor, incident=report, comment="Add the group's nationality"
    )
    report.refresh_from_db()
    assert report.status == "returned" and "nationality" in report.return_comment
    services.update_incident(user=si_border, incident=report, place_name="Obrežje, Sava bank")
    services.submit_incident(user=si_border, incident=report)
    services.validate_incident(user=si_supervisor, incident=report)
    report.refresh_from_db()
    assert report.status == "validated" and report.validated_by == si_supervisor


def test_a_first_report_later_than_24_hours_is_flagged(si_border):
    now = timezone.now()
    late = testing.incident(
        si_border, occurred_at=now - timedelta(hours=30), aware_at=now - timedelta(hours=25)
    )
    services.submit_incident(user=si_border, incident=late)
    on_time = testing.incident(si_border)
    services.submit_incident(user=si_border, incident=on_time)
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.late_report and not on_time.late_report


def test_changes_after_validation_make_versions_readable_to_earlier_readers(
    si_supervisor, persona, it_duty, hr_analyst
):
    duty = persona("sl_duty")
    report = testing.incident(
        duty, distribution="named", shared_with=["IT"], validate_by=si_supervisor
    )
    services.update_incident(
        user=duty,
        incident=report,
        persons_total=7,
        entities=services.Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 7}]
        ),
        distribution="named",
        shared_with=["HR"],
    )
    report.refresh_from_db()
    assert report.version == 2 and report.persons_total == 7
    old = IncidentVersion.objects.get(incident=report)
    assert old.version == 1 and old.snapshot["persons_total"] == 6
    assert set(old.audience) == {"SI", "IT"}
    # Croatia now sees the report; Italy, which saw version 1, keeps that version.
    assert Incident.objects.restrict(hr_analyst).filter(pk=report.pk).exists()
    assert not Incident.objects.restrict(it_duty).filter(pk=report.pk).exists()


def test_a_plate_seen_in_a_croatian_report_shared_with_slovenia_is_a_hit(persona, si_border):
    hr_border, hr_sup = persona("hr_border"), persona("hr_supervisor")
    hr_duty = persona("hr_duty")
    vehicle = {"plate": "ZG 1234-AB", "registration_country": "HR"}
    shared = testing.incident(
        hr_duty,
        distribution="named",
        shared_with=["SI"],
        entities=services.Entities(
            counts=[{"nationality": "SY", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[vehicle],
        ),
        validate_by=hr_sup,
    )
    hidden = testing.incident(
        hr_border,
        entities=services.Entities(
            counts=[{"nationality": "SY", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[{"plate": "zg1234ab", "registration_country": "HR"}],
        ),
        validate_by=hr_sup,
    )
    mine = testing.incident(
        si_border,
        entities=services.Entities(
            counts=[{"nationality": "SY", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[{"plate": "zg-1234 ab", "registration_country": "hr"}],
        ),
    )
    hits = sightings_for(si_border, mine)
    assert [h.incident_id for h in hits] == [str(shared.pk)]
    assert hits[0].country == "HR"
    assert str(hidden.pk) not in {h.incident_id for h in hits}
    # Showing the hits combined records: that is logged.
    assert AuditEntry.objects.filter(
        action=AuditAction.COMBINATION, object_id=str(mine.pk)
    ).exists()


def test_phones_documents_and_names_are_matched_in_normal_form(persona, si_border):
    hr_duty, hr_sup = persona("hr_duty"), persona("hr_supervisor")
    testing.incident(
        hr_duty,
        type="smuggler",
        distribution="partners",
        entities=services.Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            persons=[
                {
                    "role": "smuggler",
                    "category": "suspect",
                    "surname": "Kovačević",
                    "given_names": "Ivan",
                }
            ],
            phones=[{"number": "+385 91 234 5678"}],
            documents=[{"type": "passport", "number": "AB 123456", "issuing_country": "UA"}],
        ),
        validate_by=hr_sup,
    )
    mine = testing.incident(
        si_border,
        entities=services.Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            persons=[
                {
                    "role": "smuggler",
                    "category": "suspect",
                    "surname": "KOVACEVIC",
                    "given_names": "ivan",
                }
            ],
            phones=[{"number": "00385912345678"}],
            documents=[{"type": "passport", "number": "ab-123456", "issuing_country": "ua"}],
        ),
    )
    kinds = {h.kind for h in sightings_for(si_border, mine)}
    assert kinds == {"person", "phone", "document"}


@pytest.mark.parametrize(
    "override,field",
    [
        ({"latitude": 41.9, "longitude": 12.5}, "latitude"),  # Rome
        ({"occurred_at": timezone.now() + timedelta(hours=2)}, "occurred_at"),
        ({"aware_at": timezone.now() - timedelta(days=2)}, "aware_at"),
        (
            {
                "persons_total": 7,
                "entities": services.Entities(
                    counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}]
                ),
            },
            "persons_total",
        ),
        ({"embarkation_country": "XZ"}, "embarkation_country"),
        ({"handling_code": "H3"}, "handling_note"),
        ({"impact_level": "apocalyptic"}, "impact_level"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_saved(si_border, override, field):
    with pytest.raises(ValidationError) as exc:
        testing.incident(si_border, **override)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not Incident.objects.exists() and not EntityRef.objects.exists()


@pytest.mark.parametrize(
    "entities,field",
    [
        (
            {"counts": [{"nationality": "AF", "sex": "m", "age_group": "adult", "count": -6}]},
            "counts.0",
        ),
        (
            {
                "counts": [
                    {
                        "nationality": "AF",
                        "sex": "m",
                        "age_group": "adult",
                        "count": 6,
                        "unaccompanied": 2,
                    }
                ]
            },
            "counts.0",
        ),
        ({"vehicles": [{"plate": "!!", "registration_country": "HR"}]}, "vehicles.0"),
        ({"vehicles": [{"plate": "ZG123AB", "registration_country": ""}]}, "vehicles.0"),
        ({"phones": [{"number": "call me"}]}, "phones.0"),
        (
            {"documents": [{"type": "passport", "number": "1", "issuing_country": "UA"}]},
            "documents.0",
        ),
        ({"persons": [{"role": "migrant", "category": "suspect", "surname": "X"}]}, "persons.0"),
        ({"persons": [{"role": "smuggler", "category": "suspect", "surname": ""}]}, "persons.0"),
    ],
)
def test_bad_entities_are_refused_with_the_row_named(si_border, entities, field):
    data = {"counts": [{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}]}
    data.update(entities)
    with pytest.raises(ValidationError) as exc:
        testing.incident(si_border, entities=services.Entities(**data))
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not Incident.objects.exists()


api_body = testing.incident_api_body


def test_the_api_files_submits_and_validates_a_report(si_border, si_supervisor):
    officer = testing.client_for(si_border)
    response = officer.post("/api/v1/incidents", api_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["status"] == "draft" and report["border"] == "SI-HR"
    pk = report["id"]
    assert officer.post(f"/api/v1/incidents/{pk}/submit").json()["status"] == "submitted"
    supervisor = testing.client_for(si_supervisor)
    bad = supervisor.post(
        f"/api/v1/incidents/{pk}/validate",
        '{"distribution": "galaxy"}',
        content_type="application/json",
    )
    assert bad.status_code == 422
    validated = supervisor.post(
        f"/api/v1/incidents/{pk}/validate",
        '{"distribution": "named", "shared_with": ["IT"]}',
        content_type="application/json",
    ).json()
    assert validated["status"] == "validated" and validated["shared_with"] == ["IT"]
    listed = supervisor.get("/api/v1/incidents?status=validated").json()
    assert listed["count"] == 1


def test_api_bad_input_is_localized_and_saves_nothing(si_border):
    client = testing.client_for(si_border)
    for body in (
        api_body(latitude="north"),
        api_body(persons_total=-1),
        api_body(vehicles=[{"plate": "?", "registration_country": "UA"}]),
        api_body(latitude=38.0, longitude=23.7),  # Athens
        api_body(occurred_at="2999-01-01T00:00:00Z"),
    ):
        response = client.post(
            "/api/v1/incidents", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="it"
        )
        assert response.status_code == 422, response.content
        assert response.json()["errors"]
    assert not Incident.objects.exists()


def test_the_map_gives_points_or_cells_and_nothing_unshared(
    si_border, si_supervisor, hr_analyst, persona
):
    testing.incident(
        persona("sl_duty"), distribution="named", shared_with=["IT"], validate_by=si_supervisor
    )
    mine = testing.client_for(si_border).get("/api/v1/incidents/map").json()
    assert mine["total"] == 1 and mine["features"][0]["geometry"]["type"] == "Point"
    theirs = testing.client_for(hr_analyst).get("/api/v1/incidents/map").json()
    assert theirs["total"] == 0
    bad = testing.client_for(si_border).get("/api/v1/incidents/map?bbox=everywhere")
    assert bad.status_code == 422


def test_the_map_aggregates_when_many(si_border, monkeypatch):
    from tromeja.incidents import queries

    for _ in range(4):
        testing.incident(si_border)
    monkeypatch.setattr(queries, "MAP_POINT_LIMIT", 2)
    data = testing.client_for(si_border).get("/api/v1/incidents/map").json()
    assert data["aggregated"] and sum(f["properties"]["count"] for f in data["features"]) == 4
