"""Sign-in: password (Argon2), TOTP second factor, lockout, session limits."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry

SIGN_IN = "/accounts/sign-in/"


def post_password(client, username, password=testing.PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_passwords_are_hashed_with_argon2(sl_duty, settings):
    from tromeja import settings as node_settings

    settings.PASSWORD_HASHERS = node_settings.PASSWORD_HASHERS
    sl_duty.set_password(testing.PASSWORD)
    assert sl_duty.password.startswith("argon2$")
    assert sl_duty.check_password(testing.PASSWORD)


def test_a_correct_password_alone_does_not_open_the_home_page(sl_duty):
    client = Client()
    response = post_password(client, "sl_duty")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/second-factor/")
    # Nor the API through the session.
    assert client.get("/api/v1/me").status_code == 401


def test_the_one_time_code_opens_the_session(sl_duty):
    client = Client()
    post_password(client, "sl_duty")
    device = TOTPDevice.objects.get(user=sl_duty)
    response = client.post("/accounts/second-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").json()["username"] == "sl_duty"
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN, actor_username="sl_duty").exists()


def test_a_wrong_code_is_refused_with_a_clear_message(sl_duty):
    client = Client()
    post_password(client, "sl_duty")
    device = TOTPDevice.objects.get(user=sl_duty)
    wrong = f"{(totp(device.bin_key) + 1) % 1000000:06d}"
    response = client.post("/accounts/second-factor/", {"token": wrong})
    assert response.status_code == 200
    assert b"not valid" in response.content
    assert client.get("/").status_code == 302
    response = client.post("/accounts/second-factor/", {"token": "12ab"})
    assert b"six digits" in response.content


def test_an_account_without_authenticator_must_enrol_first(persona):
    user = testing.make_persona("it_duty", with_device=False)
    client = Client()
    post_password(client, "it_duty")
    page = client.get("/accounts/second-factor/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/second-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_and_logged_without_the_password(sl_duty):
    response = post_password(Client(), "sl_duty", "wrong password")
    assert response.status_code == 200
    assert b"wrong" in response.content
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert entry.detail == {"username": "sl_duty"}


def test_repeated_failures_lock_the_account_even_for_the_right_password(sl_duty, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_password(client, "sl_duty", "wrong password")
    response = post_password(client, "sl_duty")
    assert response.status_code == 429
    assert b"locked" in response.content.lower()


def test_the_sign_in_page_does_not_redirect_elsewhere(sl_duty):
    client = Client()
    response = post_password(client, "sl_duty", next="https://evil.example/")
    assert "evil.example" not in response["Location"]


def test_demo_accounts_skip_the_second_factor_only_in_demo_mode(settings, persona):
    from tromeja.accounts.models import User

    demo = testing.make_persona("hr_duty", with_device=False)
    User.objects.filter(pk=demo.pk).update(is_demo_account=True)
    other = testing.make_persona("hr_analyst", with_device=False)

    settings.DEMO_MODE = False
    client = Client()
    post_password(client, "hr_duty")
    assert client.get("/").status_code == 302

    settings.DEMO_MODE = True
    client = Client()
    post_password(client, "hr_duty")
    page = client.get("/")
    assert page.status_code == 200
    assert b"demo-banner" in page.content
    # Not for an ordinary account on the same demo node.
    client = Client()
    post_password(client, "hr_analyst")
    assert client.get("/").status_code == 302
    assert other.is_demo_account is False


def test_sessions_end_after_the_maximum_age(sl_duty, settings):
    client = testing.client_for(sl_duty)
    session = client.session
    session["signed_in_at"] = time.time() - settings.SESSION_MAX_AGE_HOURS * 3600 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    assert client.get("/").status_code == 302


def test_sign_out_needs_post_and_ends_the_session(sl_duty):
    client = testing.client_for(sl_duty)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_anonymous_users_are_sent_to_sign_in_from_every_page(db):
    client = Client()
    for url in (
        "/",
        "/notices/",
        "/notices/new/",
        "/accounts/tokens/",
        "/accounts/purpose/",
        "/accounts/preferences/",
        "/audit/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN), url
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("language,word", [("sl", "Prijava"), ("it", "Accedi"), ("hr", "Prijava")])
def test_the_sign_in_page_speaks_the_chosen_language(db, language, word):
    client = Client()
    client.cookies["tromeja_language"] = language
    body = client.get(SIGN_IN).content.decode()
    assert f'lang="{language}"' in body
    assert word.lower() in body.lower()


def test_a_new_node_gets_its_first_administrator_from_the_command_line(db, monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tromeja.accounts.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("a long and fine passphrase 7\n"))
    call_command("create_node_admin", "maja.kos", unit="si-gpu", password_stdin=True)
    admin = User.objects.get(username="maja.kos")
    assert admin.is_node_admin and admin.country_code == "SI"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command("create_node_admin", "other", unit="si-gpu", password_stdin=True)
    with pytest.raises(CommandError):
        call_command("create_node_admin", "third", unit="nowhere", password_stdin=True)
    assert not User.objects.filter(username__in=["other", "third"]).exists()


def test_an_active_session_is_renewed_at_most_once_a_minute(sl_duty):
    from django.contrib.sessions.models import Session

    client = testing.client_for(sl_duty)
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date == first
    session = client.session
    session["seen_at"] = time.time() - 120
    session.save()
    before = Session.objects.get(session_key=key).expire_date
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > before


def test_background_polls_keep_no_idle_session_alive(sl_duty):
    from django.contrib.sessions.models import Session

    client = testing.client_for(sl_duty)
    client.get("/")
    key = client.session.session_key
    session = client.session
    session["seen_at"] = time.time() - 120
    session.save()
    before = Session.objects.get(session_key=key).expire_date
    # The badge's poll and the panels' refresh: the session is not renewed.
    assert client.get("/attention/", HTTP_X_TROMEJA_POLL="1").status_code == 200
    client.get("/exchange/", HTTP_X_TROMEJA_POLL="1", HTTP_HX_REQUEST="true")
    assert Session.objects.get(session_key=key).expire_date == before
    # The officer's own next page is.
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > before
