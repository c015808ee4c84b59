"""Acceptance: the Italian duty officer sends an urgent request about a
vehicle to Slovenia (Italian UI); the Slovenian duty officer sees it at the
top of the inbox with its countdown and the cross-check hit on the plate
(Slovenian UI), asks for clarification (the clock stops), gets it (the clock
runs again) and answers; Italy sees the answer; Croatia sees none of it."""

import pytest
from django.test import Client

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.exchange.choices import LegState
from tromeja.exchange.models import Case
from tromeja.incidents.services import Entities

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(page, user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    client = testing.sign_in(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base}]
    )


def test_urgent_vehicle_request_from_italy_to_slovenia(browser, live_server):
    italy, slovenia = testing.make_persona("it_duty"), testing.make_persona("sl_duty")
    croatia = testing.make_persona("hr_duty")
    seen = testing.incident(
        slovenia,
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[{"plate": "CZ 5T2 8841", "registration_country": "CZ"}],
        ),
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url

    # Italy, in Italian, sends the request.
    open_as(page, italy, "it")
    page.goto(page.base + "/exchange/new/")
    assert page.locator("html").get_attribute("lang") == "it"
    page.check("input[name=recipients][value=SI]")
    page.check("input[name=urgency][value=urgent_direct]")
    page.fill("#id_subject", "Furgone CZ 5T2 8841 a Fernetti")
    page.fill("#id_body", "Chi è il conducente abituale?")
    # The vehicle and a person as rows; the person's date of birth cannot be:
    # the page says so once, at the top, and keeps the rows as typed.
    page.click("[data-formset=vehicles] .formset-add")
    page.fill("#id_vehicles-0-plate", "CZ 5T2 8841")
    page.select_option("#id_vehicles-0-registration_country", "CZ")
    page.click("[data-formset=persons] .formset-add")
    page.fill("#id_persons-0-surname", "Novák")
    page.fill("#id_persons-0-date_of_birth", "2999-01-01")
    page.select_option("#id_persons-0-category", "suspect")
    page.locator("main form.request-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/exchange/new/" in page.url and not Case.objects.exists()
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1 and summary.locator("li").count() == 1
    assert page.input_value("#id_vehicles-0-plate") == "CZ 5T2 8841"
    page.fill("#id_persons-0-date_of_birth", "1980-05-06")
    page.locator("main form.request-form button[type=submit]").click()
    page.wait_for_url("**/exchange/cases/**")
    case = Case.objects.get()
    leg = case.legs.get()
    assert "Slovenia" in page.inner_text(".messages")  # whom it went to
    assert sorted(case.messages.get().subjects.values_list("kind", flat=True)) == [
        "person",
        "vehicle",
    ]

    # Slovenia, in Slovenian: at the top of the inbox with its countdown.
    open_as(page, slovenia, "sl")
    page.goto(page.base + "/exchange/")
    assert page.locator("html").get_attribute("lang") == "sl"
    first = page.locator("table tbody tr").first
    assert case.reference in first.inner_text()
    assert " h " in first.locator("td").first.inner_text()  # e.g. "7 h 59 min"
    page.click(f"text={case.reference}")
    page.wait_for_url(f"**/exchange/cases/{case.pk}/")
    assert seen.reference in page.inner_text("main")  # the cross-check hit
    prefix = f"leg{leg.pk}"
    page.select_option(f"select[name={prefix}-kind]", "clarification_request")
    page.fill(f"textarea[name={prefix}-body]", "Za katero obdobje?")
    page.locator(f"form[action$='/legs/{leg.pk}/reply/'] button[type=submit]").click()
    page.wait_for_load_state()
    leg.refresh_from_db()
    assert leg.state == LegState.AWAITING_CLARIFICATION and leg.due_at is None

    # Italy clarifies; the clock runs again.
    open_as(page, italy, "it")
    page.goto(page.base + f"/exchange/cases/{case.pk}/")
    page.fill(f"textarea[name={prefix}-body]", "Ottobre 2026")
    page.locator(f"form[action$='/legs/{leg.pk}/clarify/'] button[type=submit]").click()
    page.wait_for_load_state()
    leg.refresh_from_db()
    assert leg.state == LegState.IN_PROGRESS and leg.due_at is not None

    # Slovenia answers.
    open_as(page, slovenia, "sl")
    page.goto(page.base + f"/exchange/cases/{case.pk}/")
    page.select_option(f"select[name={prefix}-kind]", "answer")
    page.fill(f"textarea[name={prefix}-body]", "Voznik: KOVAČ Ivan, 1979")
    page.locator(f"form[action$='/legs/{leg.pk}/reply/'] button[type=submit]").click()
    page.wait_for_load_state()
    leg.refresh_from_db()
    assert leg.state == LegState.ANSWERED

    # Italy reads the answer, and does not see Slovenia's own report.
    open_as(page, italy, "it")
    page.goto(page.base + f"/exchange/cases/{case.pk}/")
    text = page.inner_text("main")
    assert "KOVAČ Ivan" in text and seen.reference not in text

    # Croatia sees none of it.
    open_as(page, croatia, "hr")
    response = page.goto(page.base + f"/exchange/cases/{case.pk}/")
    assert response.status == 404
    page.goto(page.base + "/exchange/")
    assert case.reference not in page.inner_text("main")
    context.close()
