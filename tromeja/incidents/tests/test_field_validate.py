"""A supervisor validates a report only with an explicit decision on its
sharing, on the page and in the API: nothing is shared, or kept national, by
a default nobody chose."""

import json

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from tromeja import testing
from tromeja.incidents import services
from tromeja.incidents.models import Incident

DECIDE = "Decide with whom the report is shared: national only, all partners or named partners."


@pytest.fixture
def submitted(persona):
    officer = persona("sl_border")
    report = testing.incident(officer)
    services.submit_incident(user=officer, incident=report)
    return report


def test_the_validate_panel_chooses_no_distribution(persona, submitted):
    page = testing.client_for(persona("sl_supervisor")).get(f"/incidents/{submitted.pk}/")
    panel = page.content.decode().split('class="card mt-3 no-print validate-panel"')[1]
    panel = panel.split("</form>")[0]
    assert 'name="distribution"' in panel
    assert "checked" not in panel.split('name="shared_with"')[0]


def test_the_page_refuses_a_validation_without_the_decision(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    response = boss.post(f"/incidents/{submitted.pk}/validate/")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [DECIDE]
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.validated_at is None


def test_the_page_validates_with_the_decision(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    response = boss.post(
        f"/incidents/{submitted.pk}/validate/", {"distribution": "named", "shared_with": ["IT"]}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "validated" and submitted.distribution == "named"
    assert list(submitted.shared_with.values_list("code", flat=True)) == ["IT"]


def test_national_only_is_a_decision_too(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    boss.post(f"/incidents/{submitted.pk}/validate/", {"distribution": "national"})
    submitted.refresh_from_db()
    assert submitted.status == "validated" and submitted.distribution == "national"


def test_named_partners_without_a_country_is_refused(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    boss.post(f"/incidents/{submitted.pk}/validate/", {"distribution": "named"})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_validate_page_refuses_wrong_roles_and_other_countries(client, persona, submitted):
    url = f"/incidents/{submitted.pk}/validate/"
    assert client.post(url, {"distribution": "national"}).status_code == 302  # to sign-in
    officer = testing.client_for(persona("sl_duty"))  # may share, may not validate
    assert officer.post(url, {"distribution": "national"}).status_code == 403
    assert officer.post(url).status_code == 403
    croatian = testing.client_for(persona("hr_supervisor"))
    assert croatian.post(url, {"distribution": "national"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def api_validate(client, report, body=None, **headers):
    return client.post(
        f"/api/v1/incidents/{report.pk}/validate",
        "" if body is None else json.dumps(body),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize("body", [None, {}, {"shared_with": ["IT"]}])
def test_the_api_answers_422_without_the_decision(persona, submitted, body):
    boss = testing.client_for(persona("sl_supervisor"))
    response = api_validate(boss, submitted, body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert {"field": "distribution", "message": DECIDE} in answer["errors"]
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_api_refusal_is_in_the_callers_language(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    response = api_validate(boss, submitted, {}, HTTP_ACCEPT_LANGUAGE="sl")
    assert response.status_code == 422
    with translation.override("sl"):
        assert response.json()["detail"] == translation.gettext("Some values are not valid.")
        expected = translation.gettext(DECIDE)
    assert response.json()["errors"][0]["message"] == expected


def test_the_api_validates_with_the_decision(persona, submitted):
    boss = testing.client_for(persona("sl_supervisor"))
    response = api_validate(boss, submitted, {"distribution": "partners"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "validated"
    assert Incident.objects.get(pk=submitted.pk).distribution == "partners"


def test_a_report_validated_meanwhile_is_a_conflict_not_a_missing_decision(persona, submitted):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tromeja.accounts.services import create_user
    from tromeja.core.models import Unit
    from tromeja.core.roles import Role

    services.validate_incident(user=persona("sl_supervisor"), incident=submitted)
    colleague = create_user(
        username="sl_supervisor_2",
        password=testing.PASSWORD,
        unit=Unit.objects.get(code="si-pu-novo-mesto"),
        roles=[Role.SUPERVISOR],
        first_name="SL",
        last_name="Supervisor",
        language="en",
    )
    TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    second = testing.client_for(colleague)
    assert api_validate(second, submitted, {}).status_code == 409
    assert second.post(f"/incidents/{submitted.pk}/validate/").status_code == 409


def test_the_api_refuses_wrong_roles_and_other_countries(client, persona, submitted):
    body = {"distribution": "national"}
    assert api_validate(client, submitted, body).status_code == 401
    assert api_validate(testing.client_for(persona("sl_duty")), submitted, body).status_code == 403
    croatian = testing.client_for(persona("hr_supervisor"))
    assert api_validate(croatian, submitted, body).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_schema_says_the_decision_is_required(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/incidents/{incident_id}/validate"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["required"] == ["distribution"]
