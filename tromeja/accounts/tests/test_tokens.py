"""Personal API tokens: scoped, expiring, revocable, stored only as hashes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tromeja import testing
from tromeja.accounts.models import ApiToken
from tromeja.accounts.services import create_api_token


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_only_a_hash_of_the_token_is_stored(sl_duty):
    token, secret = create_api_token(user=sl_duty, name="national system", scope="read", days=30)
    stored = ApiToken.objects.filter(pk=token.pk).values().first()
    assert secret not in str(stored)
    assert stored["digest"] == ApiToken.hash_secret(secret)


def test_a_token_acts_as_its_owner(sl_duty):
    _token, secret = create_api_token(user=sl_duty, name="n", scope="read", days=30)
    response = Client().get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["country"] == "SI"


def test_a_read_token_cannot_write(sl_duty):
    _token, secret = create_api_token(user=sl_duty, name="n", scope="read", days=30)
    response = Client().post(
        "/api/v1/notices", data={}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 403


def test_a_write_token_can_write_without_csrf(sl_duty):
    _token, secret = create_api_token(user=sl_duty, name="n", scope="write", days=30)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/notices",
        data={
            "kind": "other",
            "title": "t",
            "body": "b",
            "source_reliability": "A",
            "information_accuracy": "1",
        },
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 201, response.content


def test_expired_and_revoked_tokens_are_refused(sl_duty):
    token, secret = create_api_token(user=sl_duty, name="n", scope="read", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    token2, secret2 = create_api_token(user=sl_duty, name="m", scope="read", days=30)
    client = testing.client_for(sl_duty)
    client.post(f"/accounts/tokens/{token2.pk}/revoke/")
    assert Client().get("/api/v1/me", **bearer(secret2)).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(sl_duty):
    _token, secret = create_api_token(user=sl_duty, name="n", scope="read", days=30)
    sl_duty.is_active = False
    sl_duty.save()
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


def test_garbage_tokens_are_refused(db):
    for value in ("trm_nope", "x" * 5000, "", "Bearer"):
        assert Client().get("/api/v1/me", **bearer(value)).status_code == 401


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "", "scope": "read", "days": 5},
        {"name": "x" * 101, "scope": "read", "days": 5},
        {"name": "n", "scope": "admin", "days": 5},
        {"name": "n", "scope": "read", "days": 0},
        {"name": "n", "scope": "read", "days": 10000},
    ],
)
def test_bad_token_requests_are_refused_and_nothing_is_made(sl_duty, kwargs):
    with pytest.raises(ValidationError):
        create_api_token(user=sl_duty, **kwargs)
    assert not ApiToken.objects.exists()


def test_users_without_api_access_cannot_make_tokens(outsider, persona):
    with pytest.raises(ValidationError):
        create_api_token(user=outsider, name="n", scope="read", days=5)
    client = testing.client_for(outsider)
    assert client.get("/accounts/tokens/").status_code == 403
    assert (
        client.post("/accounts/tokens/", {"name": "n", "scope": "read", "days": 5}).status_code
        == 403
    )
    dpo = persona("sl_dpo")
    assert testing.client_for(dpo).get("/accounts/tokens/").status_code == 403


def test_the_tokens_page_shows_the_secret_once(sl_duty):
    client = testing.client_for(sl_duty)
    response = client.post("/accounts/tokens/", {"name": "CMS", "scope": "read", "days": 30})
    token = ApiToken.objects.get()
    assert b"trm_" in response.content
    again = client.get("/accounts/tokens/")
    assert token.hint.encode() in again.content
    assert response.content.count(b"trm_") >= 1 and again.content.count(b"token-secret") == 0


def test_the_tokens_form_reports_bad_input_in_the_users_language(sl_duty):
    sl_duty.language = "sl"
    sl_duty.save()
    client = testing.client_for(sl_duty)
    response = client.post("/accounts/tokens/", {"name": "", "scope": "root", "days": "abc"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    body = response.content.decode()
    assert "This field is required" not in body
    assert "invalid-feedback" in body


def test_nobody_revokes_another_users_token(sl_duty, it_duty):
    token, _secret = create_api_token(user=it_duty, name="n", scope="read", days=5)
    client = testing.client_for(sl_duty)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_bad_preferences_are_refused_and_change_nothing(sl_duty):
    client = testing.client_for(sl_duty)
    response = client.post("/accounts/preferences/", {"language": "xx", "time_zone": "Mars/Base"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"language", "time_zone"}
    sl_duty.refresh_from_db()
    assert sl_duty.language == "en" and sl_duty.time_zone == "Europe/Ljubljana"
    response = client.post("/accounts/language/", {"language": "klingon", "next": "/"})
    assert response.status_code == 302
    sl_duty.refresh_from_db()
    assert sl_duty.language == "en"


def test_preferences_are_saved(sl_duty):
    client = testing.client_for(sl_duty)
    client.post("/accounts/preferences/", {"language": "it", "time_zone": "Europe/Rome"})
    sl_duty.refresh_from_db()
    assert (sl_duty.language, sl_duty.time_zone) == ("it", "Europe/Rome")
    assert 'lang="it"' in client.get("/").content.decode()
