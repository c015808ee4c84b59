"""Who reaches the administration: node administrators; a signed-in user
without the role gets the 403 page, an anonymous visitor goes to sign-in once."""

import time

import pytest
from django.test import Client

from tromeja import testing

ADMIN_PAGES = ("/admin/", "/admin/accounts/user/", "/admin/core/unit/", "/admin/login/")
SIGN_IN = "/accounts/sign-in/"


@pytest.mark.parametrize("name", ["sl_border", "sl_dpo", "outsider"])
def test_a_signed_in_user_without_the_administrator_role_gets_the_403_page(persona, name):
    client = testing.client_for(persona(name))
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "403.html" in [t.name for t in response.templates], url


def test_a_superuser_or_staff_flag_without_the_role_opens_nothing(persona):
    user = persona("outsider")
    # As `createsuperuser` would leave it: flags, but no role.
    type(user).objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    client = testing.client_for(type(user).objects.get(pk=user.pk))
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_sign_in_once(db):
    for url in ADMIN_PAGES:
        response = Client().get(url, follow=True)
        assert len(response.redirect_chain) == 1, (url, response.redirect_chain)
        location, status = response.redirect_chain[0]
        assert status == 302 and location.startswith(SIGN_IN), url
        assert response.status_code == 200


def test_the_sign_in_sends_the_administrator_back_to_the_page_asked_for(db):
    response = Client().get("/admin/accounts/user/")
    assert response["Location"] == f"{SIGN_IN}?next=/admin/accounts/user/"


def test_the_slovenian_administrator_reaches_the_administration(persona):
    client = testing.client_for(persona("sl_admin"))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_an_administrator_without_the_second_factor_is_sent_to_it_first(persona):
    admin = persona("sl_admin")
    client = Client()
    client.force_login(admin)
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/second-factor/" in response["Location"]


def test_every_administration_page_of_the_own_country_opens(persona):
    from tromeja.core.models import Agency, Unit

    officer = persona("sl_duty")
    client = testing.client_for(persona("sl_admin"))
    unit = Unit.objects.get(code="si-pu-celje")
    agency = Agency.objects.get(code="si-policija")
    for url in (
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{officer.pk}/change/",
        f"/admin/accounts/user/{officer.pk}/password/",
        f"/admin/accounts/user/{officer.pk}/history/",
        "/admin/core/country/",
        "/admin/core/country/SI/change/",
        "/admin/core/agency/add/",
        f"/admin/core/agency/{agency.pk}/change/",
        "/admin/core/unit/add/",
        f"/admin/core/unit/{unit.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
