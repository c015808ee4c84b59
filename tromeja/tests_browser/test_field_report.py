"""Acceptance: a Croatian border officer fills the new report on a tablet held
upright (768×1024), section by section, in Croatian, and saves and submits it
in one step; a double tap on the button files one report."""

import os
import re

import pytest
from django.test import Client
from django.utils import translation

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.incidents.models import Incident
from tromeja.tests_browser import axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Near Cetingrad, on Croatia's border with Bosnia and Herzegovina.
PLACE = ("45.16", "15.73")
# Where to keep screenshots to look at, if anywhere.
SCREENSHOTS = os.environ.get("TROMEJA_SCREENSHOTS")


def open_as(page, user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    client = testing.sign_in(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base}]
    )


def shot(page, name, **kwargs):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name), **kwargs)


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_a_border_officer_saves_and_submits_a_report_in_one_step(browser, live_server):
    officer = testing.make_persona("hr_border")
    # bypass_csp: axe-core is injected into the pages to check them.
    context = browser.new_context(
        viewport={"width": 768, "height": 1024}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    open_as(page, officer, "hr")
    page.goto(page.base + "/incidents/new/")
    assert page.locator("html").get_attribute("lang") == "hr"
    sections = page.locator("fieldset.incident-section")
    assert sections.count() == 5
    found = axe.violations(page)
    assert not found, axe.describe(found, url="/incidents/new/", language="hr")

    # 1 When and where: the times start at now; the place is typed in.
    where = page.locator("#section-where")
    assert where.locator("legend").first.inner_text().startswith("1.")
    assert page.input_value("#id_occurred_at") and page.input_value("#id_aware_at")
    page.fill("#id_latitude", PLACE[0])
    page.fill("#id_longitude", PLACE[1])

    # 2 What happened: nothing is chosen until the officer chooses.
    for name in ("type", "detection_method", "transport", "impact_level", "confidence"):
        assert page.input_value(f"#id_{name}") == "", name
    page.select_option("#id_type", "irregular_crossing")
    page.select_option("#id_detection_method", "surveillance")
    page.select_option("#id_transport", "on_foot")
    page.fill("#id_persons_total", "2")
    page.select_option("#id_impact_level", "medium")
    page.select_option("#id_confidence", "confirmed")
    # One column on a tablet held upright.
    assert abs(box(page, "#id_type")["x"] - box(page, "#id_detection_method")["x"]) < 1

    # 3 Persons: the nationality is a name in Croatian.
    page.locator("[data-formset=counts] .formset-add").click()
    label = page.locator("#id_counts-0-nationality option[value=DE]").inner_text()
    assert label == "Njemačka"
    page.select_option("#id_counts-0-nationality", "AF")
    page.select_option("#id_counts-0-sex", "m")
    page.select_option("#id_counts-0-age_group", "adult")
    page.fill("#id_counts-0-count", "2")

    # 5 Sharing and handling: the officer evaluates the information.
    assert page.input_value("#id_source_reliability") == ""
    page.select_option("#id_source_reliability", "B")
    page.select_option("#id_information_accuracy", "2")
    shot(page, "field-form-768.png", full_page=True)

    # The actions stay at hand and are large enough for a finger.
    button = page.locator("button[name=submit]")
    height = button.bounding_box()["height"]
    assert height >= 44, height
    assert page.locator("button[name=save]").bounding_box()["height"] >= 44

    # A double tap files one report, saved and submitted.
    button.dblclick()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}/$"))
    page.wait_for_load_state()
    report = Incident.objects.get()
    assert report.status == "submitted"
    assert report.border_section and report.responsible_unit is not None
    assert report.source_reliability == "B" and report.information_accuracy == "2"
    assert page.locator(".badge.status-submitted").count() == 1
    assert report.reference in page.locator(".messages").inner_text()
    assert "Njemačka" not in page.content() and "Afganistan" in page.content()
    shot(page, "field-detail-768.png", full_page=True)
    # The small map is checked with the map's own pages.
    found = [
        v
        for v in axe.violations(page)
        if not all(n["target"].startswith("#incident-map") for n in v["nodes"])
    ]
    assert not found, axe.describe(found, url="the report page", language="hr")
    context.close()


def test_the_printed_report_is_stamped_and_plain(browser, live_server):
    from tromeja.incidents import services

    owner, supervisor = testing.make_persona("hr_duty"), testing.make_persona("hr_supervisor")
    report = testing.incident(owner, handling_code="H2", persons_total=2)
    services.submit_incident(user=owner, incident=report)
    services.validate_incident(user=supervisor, incident=report, distribution="national")
    context = browser.new_context(viewport={"width": 768, "height": 1024}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    open_as(page, owner, "hr")
    page.goto(page.base + f"/incidents/{report.pk}/")
    page.locator("a[href$='/print/']").click()
    page.wait_for_url(re.compile(r"/print/$"))
    with translation.override("hr"):
        stamp = str(report.stamp)
    assert page.locator(".print-stamp").first.inner_text() == stamp
    assert page.locator("nav, .app-header, .messages").count() == 0
    page.emulate_media(media="print")
    assert not page.locator("[data-print]").is_visible()  # the button stays on screen
    assert page.locator(".print-stamp").first.is_visible()
    shot(page, "field-print-768.png", full_page=True)
    page.emulate_media(media="screen")
    found = axe.violations(page)
    assert not found, axe.describe(found, url="the print page", language="hr")
    context.close()


def test_the_form_fits_a_tablet_held_sideways(browser, live_server):
    officer = testing.make_persona("hr_border")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    open_as(page, officer, "hr")
    page.goto(page.base + "/incidents/new/")
    # Two columns where there is room; nothing wider than the screen.
    assert box(page, "#id_detection_method")["x"] > box(page, "#id_type")["x"] + 100
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, width
    shot(page, "field-form-1024.png")
    context.close()
