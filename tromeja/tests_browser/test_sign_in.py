"""Signing in with the second factor, and switching language, in a browser."""

import base64
import re
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja import testing
from tromeja.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(key: bytes, *, drift: int = 0) -> str:
    return f"{totp(key, drift=drift):06d}"


def fresh_code(device) -> str:
    # Avoid a code that expires while the form is sent.
    if 30 - int(time.time()) % 30 < 3:
        time.sleep(3)
    return code_for(device.bin_key)


def sign_in_with_password(page, username):
    page.goto(page.base + "/accounts/sign-in/")
    page.get_by_label(re.compile("User name|Uporabniško ime")).fill(username)
    page.locator("input[name=password]").fill(testing.PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_an_officer_signs_in_with_password_and_one_time_code(page):
    user = testing.make_persona("sl_duty")
    device = TOTPDevice.objects.get(user=user)
    sign_in_with_password(page, "sl_duty")
    page.wait_for_url(re.compile("/accounts/second-factor/"))
    # The home page stays closed until the second factor is passed.
    page.goto(page.base + "/")
    assert "/accounts/second-factor/" in page.url
    page.locator("input[name=token]").fill(
        "000000" if code_for(device.bin_key) != "000000" else "111111"
    )
    page.locator("main form button[type=submit]").first.click()
    assert page.locator(".invalid-feedback").is_visible()
    time.sleep(1.2)  # django-otp throttles: one second after a wrong code
    page.locator("input[name=token]").fill(fresh_code(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_role("heading", name=re.compile("Welcome")).is_visible()


def test_a_new_officer_sets_up_the_authenticator_on_first_sign_in(page):
    testing.make_persona("it_duty", with_device=False)
    sign_in_with_password(page, "it_duty")
    page.wait_for_url(re.compile("/accounts/second-factor/"))
    assert page.locator(".qr svg").is_visible()
    manual = page.locator(".manual-key").inner_text().replace(" ", "")
    key = base64.b32decode(manual)
    if 30 - int(time.time()) % 30 < 3:
        time.sleep(3)
    page.locator("input[name=token]").fill(code_for(key))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(page.base + "/")
    assert TOTPDevice.objects.filter(user__username="it_duty", confirmed=True).count() == 1


def test_an_officer_switches_language_and_it_is_remembered(page):
    user = testing.make_persona("hr_analyst")
    device = TOTPDevice.objects.get(user=user)
    sign_in_with_password(page, "hr_analyst")
    page.locator("input[name=token]").fill(fresh_code(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(page.base + "/")
    page.locator(".language-switcher button[value=hr]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "hr"
    assert page.get_by_role("heading", name=re.compile("Dobro došli|Dobrodošli")).is_visible()
    assert User.objects.get(pk=user.pk).language == "hr"
    # A new browser session starts in the saved language after sign-in.
    page.context.clear_cookies()
    sign_in_with_password(page, "hr_analyst")
    page.locator("input[name=token]").fill(code_for(device.bin_key, drift=1))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(page.base + "/")
    assert page.locator("html").get_attribute("lang") == "hr"


def test_the_language_chosen_on_the_sign_in_page_speaks_on_the_second_factor_set_up(page):
    # A new account (no authenticator yet) whose saved language is English.
    user = testing.make_persona("hr_border", with_device=False)
    assert user.language == "en"
    page.goto(page.base + "/accounts/sign-in/")
    page.locator("button[name=language][value=hr]").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "hr"
    page.locator("input[name=username]").fill("hr_border")
    page.locator("input[name=password]").fill(testing.PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile("/accounts/second-factor/"))
    assert page.locator("html").get_attribute("lang") == "hr"
    from django.utils import translation

    with translation.override("hr"):
        heading = translation.gettext("Set up the second factor")
    assert page.locator("h1").inner_text() == heading
    assert User.objects.get(pk=user.pk).language == "hr"
