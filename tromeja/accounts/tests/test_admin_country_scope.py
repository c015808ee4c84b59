"""A node administrator manages the users, agencies and units of their own
country only: in lists, forms, guessed URLs, dropdowns and bulk actions."""

import pytest
from django.core.exceptions import PermissionDenied

from tromeja import testing
from tromeja.accounts import services
from tromeja.accounts.models import User
from tromeja.accounts.tests.admin_forms import user_add_data, user_change_data
from tromeja.core import reference_services
from tromeja.core.models import Agency, Unit
from tromeja.core.roles import Role

NEW_PASSWORD = "a long and fine passphrase 7"  # noqa: S105 (test data)


@pytest.fixture
def admin_client(persona):
    return testing.client_for(persona("sl_admin"))


@pytest.fixture
def foreigners(persona):
    return [persona("it_duty"), persona("hr_analyst")]


def listed(response):
    return list(response.context["cl"].result_list)


def test_the_user_list_shows_only_users_of_the_administrators_country(
    admin_client, persona, foreigners
):
    slovenian = persona("sl_duty")
    response = admin_client.get("/admin/accounts/user/")
    users = listed(response)
    assert slovenian in users
    assert {u.country_code for u in users} == {"SI"}
    body = response.content.decode()
    for foreigner in foreigners:
        assert f"/admin/accounts/user/{foreigner.pk}/change/" not in body


def test_the_user_list_cannot_be_filtered_into_another_country(admin_client, foreigners):
    italian_unit = foreigners[0].unit_id
    response = admin_client.get(f"/admin/accounts/user/?unit__id__exact={italian_unit}")
    assert response.status_code == 200
    assert listed(response) == []
    admin_client.raise_request_exception = False
    response = admin_client.get("/admin/accounts/user/?unit__agency__country__code__exact=IT")
    assert response.status_code == 400


def test_the_unit_and_agency_lists_show_only_the_administrators_country(admin_client):
    units = listed(admin_client.get("/admin/core/unit/"))
    assert units and {u.agency.country_id for u in units} == {"SI"}
    agencies = listed(admin_client.get("/admin/core/agency/"))
    assert agencies and {a.country_id for a in agencies} == {"SI"}


@pytest.mark.parametrize("page", ["change", "password", "history"])
def test_a_guessed_url_of_a_foreign_user_answers_404(admin_client, foreigners, page):
    for foreigner in foreigners:
        url = f"/admin/accounts/user/{foreigner.pk}/{page}/"
        assert admin_client.get(url).status_code == 404, url


def test_a_foreign_user_cannot_be_edited_by_posting_to_the_guessed_url(admin_client, foreigners):
    italian = foreigners[0]
    data = user_change_data(italian, roles=[Role.NODE_ADMIN], first_name="Changed")
    response = admin_client.post(f"/admin/accounts/user/{italian.pk}/change/", data)
    assert response.status_code == 404
    italian.refresh_from_db()
    assert italian.first_name != "Changed"
    assert set(italian.role_grants.values_list("role", flat=True)) == {Role.DUTY_OFFICER}


def test_a_foreign_users_password_cannot_be_set(admin_client, foreigners):
    italian = foreigners[0]
    response = admin_client.post(
        f"/admin/accounts/user/{italian.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 404
    italian.refresh_from_db()
    assert not italian.check_password(NEW_PASSWORD)


def test_a_foreign_unit_or_agency_answers_404(admin_client):
    unit = Unit.objects.get(code="it-scip")
    assert admin_client.get(f"/admin/core/unit/{unit.pk}/change/").status_code == 404
    agency = Agency.objects.get(code="hr-policija")
    assert admin_client.get(f"/admin/core/agency/{agency.pk}/change/").status_code == 404


def test_the_unit_dropdown_of_the_user_form_offers_only_own_country_units(admin_client, persona):
    for url in (
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{persona('sl_duty').pk}/change/",
    ):
        field = admin_client.get(url).context["adminform"].form.fields["unit"]
        assert {u.agency.country_id for u in field.queryset} == {"SI"}, url
        assert field.required


def test_a_user_cannot_be_created_in_a_foreign_unit(admin_client):
    data = user_add_data(
        username="infiltrator",
        unit=Unit.objects.get(code="it-scip"),
        password=NEW_PASSWORD,
        roles=[Role.DUTY_OFFICER],
    )
    response = admin_client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="infiltrator").exists()


def test_a_user_cannot_be_moved_into_a_foreign_unit(admin_client, persona):
    officer = persona("sl_duty")
    data = user_change_data(officer, unit=Unit.objects.get(code="hr-smps").pk)
    response = admin_client.post(f"/admin/accounts/user/{officer.pk}/change/", data)
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.unit.code == "si-smps"


def test_a_unit_cannot_be_created_under_a_foreign_agency(admin_client):
    agency = Agency.objects.get(code="it-polizia")
    data = {
        "agency": agency.pk,
        "code": "it-fake",
        "name": "Fake",
        "name_en": "Fake",
        "kind": "station",
        "city": "Trieste",
    }
    response = admin_client.post("/admin/core/unit/add/", data)
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(code="it-fake").exists()


def test_the_bulk_actions_reach_only_own_country_users(admin_client, persona, foreigners):
    officer = persona("sl_duty")
    selected = [officer.pk, *(f.pk for f in foreigners)]
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": selected}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    for foreigner in foreigners:
        foreigner.refresh_from_db()
        assert foreigner.is_active


def test_delete_selected_is_not_offered_and_deletes_nothing(admin_client, persona):
    officer = persona("sl_duty")
    response = admin_client.get("/admin/accounts/user/")
    assert "delete_selected" not in response.content.decode()
    admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [officer.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=officer.pk).exists()
    unit = Unit.objects.get(code="si-pu-celje")
    assert admin_client.get(f"/admin/core/unit/{unit.pk}/delete/").status_code == 403


def test_the_user_form_cannot_make_a_superuser_or_staff(admin_client, persona):
    officer = persona("sl_duty")
    data = user_change_data(officer, is_superuser="on", is_staff="on")
    response = admin_client.post(f"/admin/accounts/user/{officer.pk}/change/", data)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_superuser and not officer.is_staff


def test_the_services_refuse_another_countrys_users_and_units(persona, foreigners):
    admin = persona("sl_admin")
    italian = foreigners[0]
    foreign_unit = Unit.objects.get(code="it-scip")
    with pytest.raises(PermissionDenied):
        services.set_roles(user=italian, roles=[Role.NODE_ADMIN], by=admin)
    with pytest.raises(PermissionDenied):
        services.update_user(user=italian, by=admin, is_active=False)
    with pytest.raises(PermissionDenied):
        services.update_user(user=persona("sl_duty"), by=admin, unit=foreign_unit)
    with pytest.raises(PermissionDenied):
        services.set_password(user=italian, password=NEW_PASSWORD, by=admin)
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(user=italian, by=admin)
    with pytest.raises(PermissionDenied):
        services.create_user(username="x", password=None, unit=foreign_unit, created_by=admin)
    with pytest.raises(PermissionDenied):
        reference_services.update_unit(unit=foreign_unit, by=admin, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.set_roles(user=persona("sl_duty"), roles=[], by=persona("sl_border"))
