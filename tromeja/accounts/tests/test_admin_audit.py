"""Every change made in the administration goes through a service and leaves
an alteration entry saying what changed, never a secret; the chain still
verifies afterwards."""

import json

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.accounts.tests.admin_forms import user_add_data, user_change_data
from tromeja.core.audit import verify_chain
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry, Country, Unit
from tromeja.core.roles import Role

NEW_PASSWORD = "a long and fine passphrase 7"  # noqa: S105 (test data)


@pytest.fixture
def admin(persona):
    return persona("sl_admin")


@pytest.fixture
def admin_client(admin):
    return testing.client_for(admin)


def entries_about(obj, action=AuditAction.ALTERATION):
    meta = obj._meta
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(obj.pk)
        ).order_by("seq")
    )


def only_entry_about(obj, action=AuditAction.ALTERATION):
    entries = entries_about(obj, action)
    assert len(entries) == 1, [e.detail for e in entries]
    return entries[0]


def change(client, user, **kwargs):
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/", user_change_data(user, **kwargs)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def test_a_user_created_in_the_administration_is_collected_with_unit_and_roles(admin_client, admin):
    data = user_add_data(
        username="ana.novak",
        unit=Unit.objects.get(code="si-pu-koper"),
        password=NEW_PASSWORD,
        roles=[Role.BORDER_OFFICER],
    )
    response = admin_client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302
    user = User.objects.get(username="ana.novak")
    assert user.check_password(NEW_PASSWORD)
    assert user.roles == {Role.BORDER_OFFICER}
    created = only_entry_about(user, AuditAction.COLLECTION)
    assert created.actor_username == admin.username
    assert created.detail["unit"] == "si-pu-koper"
    granted = only_entry_about(user)
    assert granted.detail == {"roles": {"granted": [Role.BORDER_OFFICER], "withdrawn": []}}
    everything = json.dumps([e.detail for e in entries_about(user, AuditAction.COLLECTION)])
    assert NEW_PASSWORD not in everything and user.password not in everything


def test_roles_granted_and_withdrawn_in_the_inline_go_through_set_roles(admin_client, persona):
    officer = persona("sl_duty")
    change(admin_client, officer, roles=[Role.SUPERVISOR, Role.ANALYST])
    officer = User.objects.get(pk=officer.pk)
    assert officer.roles == {Role.SUPERVISOR, Role.ANALYST}
    entry = only_entry_about(officer)
    assert entry.detail == {
        "roles": {"granted": [Role.ANALYST, Role.SUPERVISOR], "withdrawn": [Role.DUTY_OFFICER]}
    }


def test_a_change_of_unit_names_both_units(admin_client, persona):
    officer = persona("sl_duty")
    change(admin_client, officer, unit=Unit.objects.get(code="si-pu-maribor").pk)
    officer.refresh_from_db()
    assert officer.unit.code == "si-pu-maribor"
    assert only_entry_about(officer).detail == {"unit": {"from": "si-smps", "to": "si-pu-maribor"}}


def test_deactivating_a_user_is_an_alteration(admin_client, persona):
    officer = persona("sl_duty")
    change(admin_client, officer, is_active=None)
    officer.refresh_from_db()
    assert not officer.is_active
    assert only_entry_about(officer).detail == {"is_active": {"from": True, "to": False}}


def test_saving_an_unchanged_user_writes_nothing(admin_client, persona):
    officer = persona("sl_duty")
    change(admin_client, officer)
    assert entries_about(officer) == []


def test_an_administrator_cannot_deactivate_themselves_and_sees_why(admin_client, admin):
    response = admin_client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        user_change_data(admin, is_active=None),
        follow=True,
    )
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and entries_about(admin) == []


def test_setting_a_password_goes_through_the_service_without_the_secret(admin_client, persona):
    officer = persona("sl_duty")
    response = admin_client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    entry = only_entry_about(officer)
    assert entry.detail == {"password": "set"}
    assert NEW_PASSWORD not in json.dumps(entry.detail)


def test_a_weak_password_is_refused_with_a_message(admin_client, persona):
    officer = persona("sl_duty")
    response = admin_client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": "short", "password2": "short", "usable_password": "true"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert entries_about(officer) == []


def test_turning_password_sign_in_off_is_an_alteration(admin_client, persona):
    officer = persona("sl_duty")
    response = admin_client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.has_usable_password()
    assert only_entry_about(officer).detail == {"password": "disabled"}


def test_resetting_the_second_factor_in_bulk_writes_an_entry_per_user(admin_client, persona):
    officers = [persona("sl_duty"), persona("sl_border")]
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factors", "_selected_action": [o.pk for o in officers]},
    )
    assert response.status_code == 302
    for officer in officers:
        assert not TOTPDevice.objects.filter(user=officer).exists()
        assert only_entry_about(officer).detail == {"second_factor": "reset"}


def test_deactivating_in_bulk_writes_an_entry_per_user(admin_client, persona):
    officers = [persona("sl_duty"), persona("sl_border")]
    admin_client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_users", "_selected_action": [o.pk for o in officers]},
    )
    for officer in officers:
        assert only_entry_about(officer).detail == {"is_active": {"from": True, "to": False}}


def test_changing_a_countrys_partnership_is_an_alteration(admin_client, admin):
    austria = Country.objects.get(code="AT")
    response = admin_client.post(
        "/admin/core/country/AT/change/",
        {
            "partnership": "associated",
            "is_eu": "on",
            "is_schengen": "on",
            "time_zone": "Europe/Vienna",
        },
    )
    assert response.status_code == 302
    austria.refresh_from_db()
    assert austria.partnership == "associated"
    entry = only_entry_about(austria)
    assert entry.actor_username == admin.username
    assert entry.detail == {"partnership": {"from": "none", "to": "associated"}}


def test_countries_are_not_added_or_renamed_in_the_administration(admin_client):
    assert admin_client.get("/admin/core/country/add/").status_code == 403
    form = admin_client.get("/admin/core/country/IT/change/").context["adminform"].form
    assert "code" not in form.fields


def test_a_unit_created_and_renamed_leaves_two_entries(admin_client):
    agency = Unit.objects.get(code="si-gpu").agency
    data = {
        "agency": agency.pk,
        "parent": Unit.objects.get(code="si-pu-koper").pk,
        "code": "si-pmp-secovlje",
        "name": "Postaja mejne policije Sečovlje",
        "name_en": "Sečovlje Border Police Station",
        "kind": "station",
        "city": "Sečovlje",
    }
    assert admin_client.post("/admin/core/unit/add/", data).status_code == 302
    unit = Unit.objects.get(code="si-pmp-secovlje")
    collected = only_entry_about(unit, AuditAction.COLLECTION)
    assert collected.detail["parent"] == "si-pu-koper"
    data["city"] = "Piran"
    assert admin_client.post(f"/admin/core/unit/{unit.pk}/change/", data).status_code == 302
    assert only_entry_about(unit).detail == {"city": {"from": "Sečovlje", "to": "Piran"}}


def test_an_agency_change_is_an_alteration(admin_client):
    agency = Unit.objects.get(code="si-gpu").agency
    data = {
        "country": "SI",
        "code": agency.code,
        "name": agency.name,
        "name_en": "Police of Slovenia",
        "kind": agency.kind,
    }
    assert admin_client.post(f"/admin/core/agency/{agency.pk}/change/", data).status_code == 302
    assert only_entry_about(agency).detail == {
        "name_en": {"from": "Slovenian Police", "to": "Police of Slovenia"}
    }


def test_the_audit_chain_verifies_after_administrative_changes(admin_client, persona):
    officer = persona("sl_duty")
    change(admin_client, officer, roles=[Role.SUPERVISOR], first_name="Mojca")
    admin_client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert len(entries_about(officer)) == 3
    assert verify_chain().ok
    call_command("verify_audit")


def test_create_node_admin_goes_through_the_service_and_is_collected(db, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW_PASSWORD}\n"))
    call_command("create_node_admin", "maja.kos", unit="si-gpu", password_stdin=True)
    admin = User.objects.get(username="maja.kos")
    entry = only_entry_about(admin, AuditAction.COLLECTION)
    assert entry.detail["roles"] == [Role.NODE_ADMIN]
    assert NEW_PASSWORD not in json.dumps(entry.detail)
