"""The pages of signing in speak the user's language: the second-factor
set-up after the first sign-in too."""

from django.test import Client
from django.utils import translation

from tromeja import testing
from tromeja.accounts import services
from tromeja.accounts.models import User
from tromeja.core.models import Unit

SIGN_IN = "/accounts/sign-in/"


def sign_in_with_password(client, username):
    response = client.post(SIGN_IN, {"username": username, "password": testing.PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"])


def heading(language):
    with translation.override(language):
        return translation.gettext("Set up the second factor")


def test_the_second_factor_set_up_is_in_the_users_language(db, reference_data):
    user = testing.make_persona("sl_border", with_device=False)
    User.objects.filter(pk=user.pk).update(language="sl")
    page = sign_in_with_password(Client(), "sl_border")
    text = page.content.decode()
    assert '<html lang="sl">' in text
    assert heading("sl") in text and heading("sl") != "Set up the second factor"


def test_a_new_user_works_in_their_countrys_language(db):
    made = {
        code: services.create_user(
            username=f"new_{code}", password=testing.PASSWORD, unit=Unit.objects.get(code=code)
        )
        for code in ("si-smps", "it-scip", "hr-smps")
    }
    assert {code: u.language for code, u in made.items()} == {
        "si-smps": "sl",
        "it-scip": "it",
        "hr-smps": "hr",
    }
    page = sign_in_with_password(Client(), "new_it-scip")
    assert '<html lang="it">' in page.content.decode()
    assert heading("it") in page.content.decode()


def test_the_language_chosen_on_the_sign_in_page_carries_into_the_session(persona):
    user = testing.make_persona("hr_border", with_device=False)  # saved language: en
    client = Client()
    client.post("/accounts/language/", {"language": "hr", "next": SIGN_IN})
    page = sign_in_with_password(client, "hr_border")
    assert '<html lang="hr">' in page.content.decode()
    assert heading("hr") in page.content.decode()
    assert User.objects.get(pk=user.pk).language == "hr"


def test_a_language_left_by_someone_else_does_not_change_the_users_choice(persona):
    # A cookie from an earlier visitor is not a choice made in this session.
    user = testing.make_persona("hr_border", with_device=False)
    User.objects.filter(pk=user.pk).update(language="sl")
    client = Client()
    client.cookies["tromeja_language"] = "it"
    page = sign_in_with_password(client, "hr_border")
    assert '<html lang="sl">' in page.content.decode()
    assert User.objects.get(pk=user.pk).language == "sl"


def test_signing_out_forgets_a_language_chosen_before_signing_in(persona):
    user = persona("sl_duty")
    client = Client()
    client.post("/accounts/language/", {"language": "it", "next": SIGN_IN})
    testing.sign_in(client, user)  # a session signed in another way
    client.post("/accounts/sign-out/")
    other = testing.make_persona("it_duty")
    User.objects.filter(pk=other.pk).update(language="hr")
    sign_in_with_password(client, "it_duty")
    assert User.objects.get(pk=other.pk).language == "hr"
