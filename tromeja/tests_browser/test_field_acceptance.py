"""Acceptance, in one journey: a Croatian border officer on a tablet types
"Cetingrad", the map centres on it with the village's name drawn, the
officer taps beside the border, sees section, unit and crossing before
saving, fills the report and saves and submits it in one step."""

import re

import pytest

from tromeja import testing
from tromeja.core.models import Unit
from tromeja.geography.locate import crossings, locate, sections
from tromeja.incidents.models import Incident
from tromeja.tests_browser.test_field_map import (
    BESIDE_THE_BORDER,
    tablet,
    until,
    visible_labels,
    wait_for_map,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cetingrad_tap_beside_the_border_see_where_it_lies_save_and_submit(browser, live_server):
    officer = testing.make_persona("hr_border")
    page = tablet(browser, live_server, officer, "hr")
    page.goto(page.base + "/incidents/new/")
    wait_for_map(page)

    # The place search centres the map on the village, with its name drawn.
    page.locator("input.map-search-input").fill("Cetingrad")
    page.wait_for_selector("[role=option]")
    page.locator("input.map-search-input").press("Enter")
    until(page, "document.getElementById('incident-map').tromejaMap.getZoom() >= 11")
    page.locator("#incident-map").scroll_into_view_if_needed()
    until(
        page,
        "Array.from(document.querySelectorAll('#incident-map .map-label-text'))"
        ".some(e => e.textContent === 'Cetingrad')",
    )
    assert "Cetingrad" in visible_labels(page)

    # A tap beside the border: where it lies shows at once, before saving.
    x, y = page.evaluate(
        "([lat, lon]) => { const m = document.getElementById('incident-map').tromejaMap;"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        list(BESIDE_THE_BORDER),
    )
    page.locator("#incident-map").tap(position={"x": x, "y": y})
    lat, lon = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    where = locate(lat, lon)
    section = sections()[where.section]
    unit = Unit.objects.get(code=section.units_by_country["HR"])
    until(page, "document.getElementById('map-locate').getAttribute('data-section') !== null")
    shown = page.locator("#map-locate").inner_text()
    assert section.name("hr") in shown and unit.name in shown
    assert " / ".join(crossings()[where.crossing].names.values()) in shown
    assert not Incident.objects.exists()

    # The rest of the report, then one tap saves and submits it.
    page.select_option("#id_type", "irregular_crossing")
    page.select_option("#id_detection_method", "surveillance")
    page.select_option("#id_transport", "on_foot")
    page.fill("#id_persons_total", "3")
    page.select_option("#id_impact_level", "medium")
    page.select_option("#id_confidence", "confirmed")
    page.locator("[data-formset=counts] .formset-add").click()
    page.select_option("#id_counts-0-nationality", "AF")
    page.select_option("#id_counts-0-sex", "m")
    page.select_option("#id_counts-0-age_group", "adult")
    page.fill("#id_counts-0-count", "3")
    page.select_option("#id_source_reliability", "B")
    page.select_option("#id_information_accuracy", "2")
    page.locator("button[name=submit]").click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    assert not summary.count(), summary.inner_text()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}/$"))

    report = Incident.objects.get()
    assert report.status == "submitted"
    assert report.border_section == where.section
    assert report.responsible_unit == unit
    assert abs(report.latitude - lat) < 1e-6 and abs(report.longitude - lon) < 1e-6
    assert report.reference in page.locator(".messages").inner_text()
    assert section.name("hr") in page.content()
