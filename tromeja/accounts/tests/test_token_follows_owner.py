"""A personal API token acts with its owner's rights as they are now: it stops
working when the owner may no longer hold tokens, and a refused token answers
401 whatever the method."""

import pytest
from django.test import Client

from tromeja.accounts.services import create_api_token, revoke_api_token, set_roles
from tromeja.core.roles import Role


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_stops_working_when_its_owner_may_no_longer_hold_one(persona):
    admin = persona("sl_admin")
    officer = persona("sl_supervisor")
    _token, secret = create_api_token(user=officer, name="n", scope="read", days=30)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200
    set_roles(user=officer, roles=[Role.DATA_PROTECTION_OFFICER], by=admin)
    assert Client().get("/api/v1/audit", **bearer(secret)).status_code == 401
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


def test_a_token_works_again_when_its_owner_gets_the_right_back(persona):
    admin = persona("sl_admin")
    officer = persona("sl_supervisor")
    _token, secret = create_api_token(user=officer, name="n", scope="read", days=30)
    set_roles(user=officer, roles=[Role.DATA_PROTECTION_OFFICER], by=admin)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    set_roles(user=officer, roles=[Role.SUPERVISOR], by=admin)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200


SOME_ID = "01890000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/notices"),
        ("post", "/api/v1/notices"),
        ("put", f"/api/v1/incidents/{SOME_ID}"),
        ("patch", f"/api/v1/notices/{SOME_ID}"),
        ("delete", f"/api/v1/notices/{SOME_ID}"),
    ],
)
def test_a_revoked_token_answers_401_on_every_method(sl_duty, method, path):
    token, secret = create_api_token(user=sl_duty, name="n", scope="write", days=30)
    revoke_api_token(token=token, by=sl_duty)
    client = Client(enforce_csrf_checks=True)
    if method == "get":
        response = client.get(path, **bearer(secret))
    else:
        response = getattr(client, method)(
            path, data="{}", content_type="application/json", **bearer(secret)
        )
    assert response.status_code == 401, response.content
    assert response.json()["detail"]


def test_an_unknown_token_answers_401_even_with_a_signed_in_session(sl_duty, signed_in):
    client = signed_in(sl_duty)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/api/v1/notices", data="{}", content_type="application/json", **bearer("trm_nope")
    )
    assert response.status_code == 401
