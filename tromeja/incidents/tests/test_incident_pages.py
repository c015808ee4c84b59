"""The incident pages: list, map, form with its lists, detail and workflow."""

from datetime import timedelta

from django.utils import timezone

from tromeja import testing
from tromeja.incidents.models import Incident


def form_data(**overrides):
    now = timezone.localtime()
    data = {
        "type": "smuggler",
        "occurred_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "aware_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "latitude": "45.852",
        "longitude": "15.690",
        "detection_method": "surveillance",
        "transport": "van",
        "persons_total": "5",
        "impact_level": "high",
        "confidence": "confirmed",
        "distribution": "national",
        "handling_code": "H0",
        "source_reliability": "A",
        "information_accuracy": "1",
        "counts-TOTAL_FORMS": "1",
        "counts-INITIAL_FORMS": "0",
        "counts-0-nationality": "AF",
        "counts-0-sex": "m",
        "counts-0-age_group": "adult",
        "counts-0-count": "5",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
        "persons-0-role": "driver",
        "persons-0-category": "suspect",
        "persons-0-surname": "Bondarenko",
        "persons-0-given_names": "Taras",
        "vehicles-TOTAL_FORMS": "1",
        "vehicles-INITIAL_FORMS": "0",
        "vehicles-0-plate": "AA 1234 BB",
        "vehicles-0-registration_country": "UA",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_an_officer_files_a_report_with_people_and_vehicles_in_one_form(persona):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    assert client.get("/incidents/new/").status_code == 200
    response = client.post("/incidents/new/", form_data())
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    report = Incident.objects.get()
    assert report.vehicles.get().plate == "AA 1234 BB"
    assert report.persons.get().surname == "Bondarenko"
    assert report.has_personal_data and report.data_subject_category == "suspect"
    detail = client.get(response["Location"])
    assert b"AA 1234 BB" in detail.content and report.reference.encode() in detail.content


def test_the_form_names_the_bad_row_and_saves_nothing(persona):
    client = testing.client_for(persona("sl_border"))
    response = client.post("/incidents/new/", form_data(**{"vehicles-0-plate": "$$$"}))
    assert response.status_code == 200
    assert "licence plate" in response.content.decode()
    response = client.post("/incidents/new/", form_data(persons_total="9"))
    assert "adds up to 5" in response.content.decode()
    response = client.post("/incidents/new/", form_data(latitude="41.9", longitude="12.49"))
    assert "outside the region" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_supervisor_validates_from_the_detail_page(persona):
    officer, supervisor = persona("sl_border"), persona("sl_supervisor")
    report = testing.incident(officer)
    client = testing.client_for(officer)
    client.post(f"/incidents/{report.pk}/submit/")
    boss = testing.client_for(supervisor)
    page = boss.get(f"/incidents/{report.pk}/").content.decode()
    assert "/validate/" in page
    boss.post(f"/incidents/{report.pk}/return/", {"comment": ""})
    report.refresh_from_db()
    assert report.status == "submitted"
    boss.post(f"/incidents/{report.pk}/validate/", {"distribution": "national"})
    report.refresh_from_db()
    assert report.status == "validated"
    # The officer's own country colleague without the role cannot validate.
    assert testing.client_for(officer).post(f"/incidents/{report.pk}/validate/").status_code == 403
    report.refresh_from_db()
    assert report.validated_by == supervisor


def test_pages_refuse_wrong_roles_and_hide_other_countries(persona, hr_analyst, outsider):
    report = testing.incident(persona("sl_border"), validate_by=persona("sl_supervisor"))
    croatian = testing.client_for(hr_analyst)
    for url in (f"/incidents/{report.pk}/", f"/incidents/{report.pk}/edit/"):
        assert croatian.get(url).status_code == 404
    assert croatian.post(f"/incidents/{report.pk}/validate/").status_code == 404
    nobody = testing.client_for(outsider)
    assert nobody.get("/incidents/").status_code == 403
    assert nobody.get("/incidents/map/").status_code == 403
    assert nobody.get("/incidents/new/").status_code == 403
    assert nobody.get(f"/incidents/{report.pk}/").status_code == 404
    dpo = testing.client_for(persona("sl_dpo"))
    assert dpo.get("/api/v1/incidents").status_code == 403


def test_list_and_map_pages_render_with_filters(persona):
    officer = persona("sl_border")
    testing.incident(officer)
    client = testing.client_for(officer)
    body = client.get("/incidents/?type=irregular_crossing&status=draft").content.decode()
    assert "1 report" in body
    assert client.get("/incidents/map/").status_code == 200
    geo = client.get("/api/v1/incidents/geography").json()
    layers = {f["properties"]["layer"] for f in geo["features"]}
    assert layers == {"context", "section", "crossing"}


def test_follow_up_and_related_links_are_set_in_the_form_and_shown_only_when_visible(persona):
    officer, supervisor = persona("sl_border"), persona("sl_supervisor")
    earlier = testing.incident(persona("sl_duty"), validate_by=supervisor, distribution="partners")
    other = testing.incident(officer, validate_by=supervisor)  # national: Slovenia only
    italian = testing.incident(persona("it_duty"))  # Italy's draft: not Slovenia's to see
    client = testing.client_for(officer)
    bad = client.post("/incidents/new/", form_data(follows=italian.reference))
    assert f"There is no report “{italian.reference}” that you can see." in bad.content.decode()
    assert not Incident.objects.filter(created_by=officer, type="smuggler").exists()
    response = client.post(
        "/incidents/new/",
        form_data(follows=earlier.reference.lower(), related=f"{other.reference}, {earlier.pk}"),
    )
    assert response.status_code == 302
    report = Incident.objects.get(created_by=officer, type="smuggler")
    assert report.follows == earlier
    assert set(report.related.all()) == {other, earlier}
    detail = client.get(response["Location"]).content.decode()
    assert earlier.reference in detail and other.reference in detail
    # The earlier report shows its follow-up and the link back.
    assert report.reference in client.get(f"/incidents/{earlier.pk}/").content.decode()
    # The edit form shows the links and keeps them.
    edit = client.get(f"/incidents/{report.pk}/edit/")
    assert edit.context["form"].initial["follows"] == earlier.reference
    # Italy sees the shared earlier report once validated and shared, never the national one.
    client.post(f"/incidents/{report.pk}/submit/")
    testing.client_for(supervisor).post(
        f"/incidents/{report.pk}/validate/", {"distribution": "partners"}
    )
    italian_view = testing.client_for(persona("it_duty")).get(f"/incidents/{report.pk}/")
    text = italian_view.content.decode()
    assert earlier.reference in text and other.reference not in text
    api = testing.client_for(persona("it_duty")).get(
        f"/api/v1/incidents/{report.pk}", HTTP_X_PURPOSE="check"
    )
    assert api.json()["follows"] == earlier.reference
    assert api.json()["related"] == [earlier.reference]


def test_the_api_sets_links_and_refuses_hidden_ones(persona):
    officer = persona("sl_border")
    earlier = testing.incident(officer)
    hidden = testing.incident(persona("hr_duty"))
    client = testing.client_for(officer)
    body = testing.incident_api_body(follows=earlier.reference, related=[hidden.reference])
    refused = client.post("/api/v1/incidents", data=body, content_type="application/json")
    assert refused.status_code == 422
    assert hidden.reference in str(refused.json())
    body = testing.incident_api_body(follows=str(earlier.pk))
    created = client.post("/api/v1/incidents", data=body, content_type="application/json")
    assert created.status_code == 201 and created.json()["follows"] == earlier.reference
    report_id = created.json()["id"]
    self_link = testing.incident_api_body(follows=report_id)
    response = client.put(
        f"/api/v1/incidents/{report_id}", data=self_link, content_type="application/json"
    )
    assert response.status_code == 422 and "follow up itself" in str(response.json())


def test_lists_count_up_to_a_cap_and_say_more_than_beyond_it(persona, monkeypatch):
    from tromeja.core import pagination

    officer = persona("sl_border")
    for _ in range(5):
        testing.incident(officer)
    client = testing.client_for(officer)
    listed = client.get("/api/v1/incidents").json()
    assert listed["count"] == 5 and listed["count_capped"] is False
    assert "5 reports" in client.get("/incidents/").content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page = client.get("/incidents/").content.decode()
    assert "More than 3 reports" in page and "5 reports" not in page
    capped = client.get("/api/v1/incidents").json()
    assert capped["count"] == 3 and capped["count_capped"] is True
    assert len(capped["items"]) == 5  # the page itself is complete


def test_the_map_opens_on_the_last_90_days_and_the_api_is_unchanged(persona):
    officer = persona("sl_border")
    old = testing.incident(officer)
    Incident.objects.filter(pk=old.pk).update(
        occurred_at=timezone.now() - timedelta(days=200),
        aware_at=timezone.now() - timedelta(days=200),
    )
    testing.incident(officer)
    client = testing.client_for(officer)
    page = client.get("/incidents/map/")
    today = timezone.localdate()
    since = (today - timedelta(days=90)).isoformat()
    assert str(page.context["filter_form"]["since"].value()) == since
    assert f'data-default-since="{since}"' in page.content.decode()
    assert f'data-default-until="{today.isoformat()}"' in page.content.decode()
    assert client.get("/api/v1/incidents/map").json()["total"] == 2
    windowed = client.get(f"/api/v1/incidents/map?since={since}&until={today.isoformat()}")
    assert windowed.json()["total"] == 1
