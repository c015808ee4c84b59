"""Acceptance: a Croatian border officer, on a tablet and in Croatian, finds
Cetingrad in the report form's place search, taps beside the border and sees
the section, the unit and the nearest crossing before saving; "My position"
and the keyboard set the place too; the map page and a report's small map
draw the basemap with names."""

import pytest
from django.test import Client

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.core.models import Unit
from tromeja.geography.locate import crossings, locate, sections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BESIDE_THE_BORDER = (45.1536, 15.7330)  # fields below Cetingrad, towards Bosnia and Herzegovina


def tablet(browser, live_server, user, language, *, portrait=True, **options):
    User.objects.filter(pk=user.pk).update(language=language)
    size = {"width": 768, "height": 1024} if portrait else {"width": 1024, "height": 768}
    context = browser.new_context(viewport=size, has_touch=True, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    client = testing.sign_in(Client(), user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base}]
    )
    return page


def shot(page, name):
    """A screenshot to look at, kept when TROMEJA_MAP_SHOTS names a folder."""
    import os

    folder = os.environ.get("TROMEJA_MAP_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png")


def until(page, expression, timeout=15.0):
    """Wait until a JavaScript expression is true. (Playwright's own polling
    evaluates strings with eval, which the pages' CSP forbids.)"""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def wait_for_map(page):
    until(
        page,
        "document.getElementById('incident-map') &&"
        " document.getElementById('incident-map').tromejaMap !== undefined",
    )


def visible_labels(page):
    """The names drawn on the map and inside its visible area."""
    return page.evaluate(
        """() => { const map = document.getElementById('incident-map');
        const box = map.getBoundingClientRect();
        return Array.from(map.querySelectorAll('.map-label-text')).filter(e => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.left >= box.left && r.right <= box.right
                 && r.top >= box.top && r.bottom <= box.bottom; }).map(e => e.textContent); }"""
    )


def test_a_croatian_officer_finds_cetingrad_and_sees_where_the_point_lies_before_saving(
    browser, live_server
):
    officer = testing.make_persona("hr_border")
    page = tablet(browser, live_server, officer, "hr")
    page.goto(page.base + "/incidents/new/")
    assert page.locator("html").get_attribute("lang") == "hr"
    wait_for_map(page)

    search = page.locator("input.map-search-input")
    assert search.evaluate("e => e.labels.length") == 1  # a labelled text input
    search.fill("Cetingrad")
    page.wait_for_selector("[role=option]")
    assert page.locator("[role=option]").first.inner_text() == "Cetingrad (Hrvatska)"
    search.press("Enter")
    until(page, "document.getElementById('incident-map').tromejaMap.getZoom() >= 11")
    centre = page.evaluate(
        "() => { const c = document.getElementById('incident-map').tromejaMap.getCenter();"
        " return [c.lat, c.lng]; }"
    )
    assert abs(centre[0] - 45.15972) < 0.001 and abs(centre[1] - 15.73944) < 0.001
    page.locator("#incident-map").scroll_into_view_if_needed()
    until(
        page,
        "Array.from(document.querySelectorAll('#incident-map .map-label-text'))"
        ".some(e => e.textContent === 'Cetingrad')",
    )
    assert "Cetingrad" in visible_labels(page)
    assert {"HRVATSKA", "BOSNA I HERCEGOVINA"} <= set(visible_labels(page))
    shot(page, "picker-cetingrad-hr-768")

    # The officer taps beside the border.
    point = page.evaluate(
        "([lat, lon]) => { const m = document.getElementById('incident-map').tromejaMap;"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        list(BESIDE_THE_BORDER),
    )
    page.locator("#incident-map").tap(position={"x": point[0], "y": point[1]})
    assert abs(float(page.input_value("#id_latitude")) - BESIDE_THE_BORDER[0]) < 0.001
    assert abs(float(page.input_value("#id_longitude")) - BESIDE_THE_BORDER[1]) < 0.001

    # Section, unit and crossing show at once, before saving, as locate finds them.
    expected = locate(
        float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    )
    assert expected.border == "HR-BA"
    section_name = sections()[expected.section].name("hr")
    unit = Unit.objects.get(code=sections()[expected.section].units_by_country["HR"])
    crossing = " / ".join(crossings()[expected.crossing].names.values())
    live = page.locator("#map-locate")
    assert live.get_attribute("aria-live") == "polite"
    until(page, "document.getElementById('map-locate').getAttribute('data-section') !== null")
    text = live.inner_text()
    assert section_name in text
    assert unit.name in text
    assert crossing in text
    assert "Dionica državne granice" in text  # labelled in Croatian
    live.scroll_into_view_if_needed()
    shot(page, "picker-located-hr-768")
    from tromeja.incidents.models import Incident

    assert not Incident.objects.exists()  # nothing saved yet


def test_the_keyboard_sets_the_place_at_the_centre_of_the_map(browser, live_server):
    officer = testing.make_persona("hr_border")
    page = tablet(browser, live_server, officer, "en", portrait=False)
    page.goto(page.base + "/incidents/new/")
    wait_for_map(page)
    page.evaluate(
        "() => document.getElementById('incident-map').tromejaMap"
        ".setView([45.1536, 15.733], 12, {animate: false})"
    )
    page.locator("#incident-map").focus()
    before = page.evaluate(
        "() => document.getElementById('incident-map').tromejaMap.getCenter().lng"
    )
    page.keyboard.press("ArrowRight")  # the map moves east
    until(page, f"document.getElementById('incident-map').tromejaMap.getCenter().lng > {before}")
    page.wait_for_timeout(600)  # the end of the move
    page.keyboard.press("Enter")
    centre = page.evaluate(
        "() => { const c = document.getElementById('incident-map').tromejaMap.getCenter();"
        " return [c.lat, c.lng]; }"
    )
    assert abs(float(page.input_value("#id_latitude")) - centre[0]) < 0.0001
    assert abs(float(page.input_value("#id_longitude")) - centre[1]) < 0.0001
    assert page.locator(".map-crosshair").is_visible()
    until(page, "document.getElementById('map-locate').getAttribute('data-section') !== null")
    # The button does the same for a pointer or a screen reader.
    page.evaluate(
        "() => document.getElementById('incident-map').tromejaMap"
        ".setView([45.848, 15.670], 12, {animate: false})"
    )
    page.get_by_role("button", name="Set the place at the centre of the map").click()
    assert abs(float(page.input_value("#id_latitude")) - 45.848) < 0.0001
    until(
        page,
        "document.getElementById('map-locate').getAttribute('data-section').startsWith('si-hr-')",
    )
    assert "Novo mesto" in page.locator("#map-locate").inner_text() or "Zagreb" in (
        page.locator("#map-locate").inner_text()
    )


def test_my_position_sets_the_place_and_a_refusal_is_explained(browser, live_server):
    officer = testing.make_persona("hr_border")
    page = tablet(
        browser,
        live_server,
        officer,
        "hr",
        geolocation={"latitude": 45.1536, "longitude": 15.733},
        permissions=["geolocation"],
    )
    page.goto(page.base + "/incidents/new/")
    wait_for_map(page)
    page.locator(".map-position").click()
    until(page, "document.getElementById('id_latitude').value !== ''")
    assert abs(float(page.input_value("#id_latitude")) - 45.1536) < 0.0001
    until(page, "document.getElementById('map-locate').getAttribute('data-section') !== null")
    assert page.locator("#map-locate").get_attribute("data-section").startswith("hr-ba-")

    refused = tablet(browser, live_server, officer, "hr", permissions=[])
    refused.goto(refused.base + "/incidents/new/")
    wait_for_map(refused)
    refused.locator(".map-position").click()
    message = refused.locator(".map-tools-message")
    expected = refused.locator(".map-tools").get_attribute("data-msg-denied")
    until(
        refused,
        "document.querySelector('.map-tools-message').textContent !== ''"
        " && !document.querySelector('.map-tools-message').textContent.endsWith('…')",
    )
    assert message.inner_text() == expected
    assert refused.input_value("#id_latitude") == ""


def test_a_point_outside_the_region_is_refused_in_the_readers_language(browser, live_server):
    officer = testing.make_persona("hr_border")
    page = tablet(browser, live_server, officer, "en")
    page.goto(page.base + "/incidents/new/")
    wait_for_map(page)
    page.fill("#id_latitude", "48.2")
    page.fill("#id_longitude", "16.37")
    page.locator("#id_longitude").dispatch_event("change")
    page.wait_for_selector("#map-locate.map-locate-error")
    assert "outside the region" in page.locator("#map-locate").inner_text()


def test_the_map_page_and_a_reports_small_map_draw_the_names(browser, live_server):
    officer = testing.make_persona("hr_border")
    report = testing.incident(officer, latitude=45.1536, longitude=15.733)
    page = tablet(browser, live_server, officer, "hr", portrait=False)
    page.goto(page.base + "/incidents/map/")
    wait_for_map(page)
    until(page, "document.querySelectorAll('#incident-map .map-label-country').length >= 3")
    shot(page, "map-page-overview-hr-1024")
    assert "Zagreb" in visible_labels(page)
    assert {"HRVATSKA", "SLOVENIJA"} <= set(visible_labels(page))
    page.locator("input.map-search-input").fill("obrezje")
    page.wait_for_selector("[role=option]")
    assert (
        page.locator("[role=option]").first.inner_text()
        == "Obrežje / Bregana (Slovenija / Hrvatska)"
    )
    page.locator("input.map-search-input").press("ArrowDown")
    assert page.locator("[role=option]").first.get_attribute("aria-selected") == "true"
    page.locator("input.map-search-input").press("Enter")
    until(page, "document.getElementById('incident-map').tromejaMap.getZoom() >= 12")
    shot(page, "map-page-hr-1024")

    page.goto(page.base + f"/incidents/{report.pk}/")
    wait_for_map(page)
    small = page.locator("#incident-map")
    assert small.get_attribute("data-mode") == "small"
    assert small.get_attribute("data-section") == report.border_section
    until(
        page,
        "Array.from(document.querySelectorAll('#incident-map .map-label-text'))"
        ".some(e => e.textContent === 'Cetingrad')",
    )
    small.scroll_into_view_if_needed()
    shot(page, "small-map-hr-1024")


def test_a_configured_wms_server_is_asked_for_the_background(browser, live_server, settings):
    settings.MAP_WMS_URL = live_server.url + "/wms-test/"
    settings.MAP_WMS_LAYERS = "DOF"
    officer = testing.make_persona("sl_border")
    page = tablet(browser, live_server, officer, "sl", portrait=False)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/wms-test/" in r.url else None)
    page.goto(page.base + "/incidents/map/")
    wait_for_map(page)
    until(page, "document.querySelectorAll('#incident-map .leaflet-tile').length > 0")
    assert asked, "no WMS request"
    query = asked[0].lower()
    assert "service=wms" in query and "request=getmap" in query and "layers=dof" in query
