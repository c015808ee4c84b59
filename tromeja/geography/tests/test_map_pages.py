"""The map partials on the pages: what the scripts are told, the legend, the
optional background server, and who sees the pages."""

import pytest
from django.test import Client

from tromeja import testing

pytestmark = pytest.mark.django_db


def page(persona, name, url, language="en"):
    user = persona(name)
    user.language = language
    user.save(update_fields=["language"])
    return testing.client_for(user).get(url)


def test_the_report_form_carries_the_picker_its_tools_and_the_live_region(persona):
    response = page(persona, "hr_border", "/incidents/new/", "hr")
    assert response.status_code == 200
    html = response.content.decode()
    for needle in (
        'data-mode="pick"',
        'data-places-url="/api/v1/geography/places"',
        'data-locate-url="/api/v1/geography/locate"',
        'data-basemap-url="/api/v1/geography/basemap"',
        'data-labels-url="/api/v1/geography/labels"',
        'id="map-locate" aria-live="polite"',
        'class="map-crosshair"',
        "map-set-centre",
        "map-position",
        'role="combobox"',
        "tromeja/map.css",
    ):
        assert needle in html, needle
    # Inputs named latitude and longitude: the picker fills them.
    assert 'name="latitude"' in html and 'name="longitude"' in html
    # The legend names the borders in the reader's language, from ISO names.
    assert "Hrvatska – Bosna i Hercegovina" in html
    # Messages for a refused position come from the page, not the script.
    assert 'data-msg-denied="' in html


def test_the_map_page_and_the_detail_page_carry_their_maps(persona):
    officer = persona("hr_border")
    report = testing.incident(officer)
    html = page(persona, "hr_border", "/incidents/map/").content.decode()
    assert 'data-mode="view"' in html and "map-search-input" in html
    detail = page(persona, "hr_border", f"/incidents/{report.pk}/").content.decode()
    assert 'data-mode="small"' in detail
    assert f'data-section="{report.border_section}"' in detail
    assert "vendor/leaflet/leaflet.js" in detail and "tromeja/map.js" in detail


def test_no_background_server_unless_the_node_has_one(persona, settings):
    settings.MAP_TILE_URL = ""
    settings.MAP_WMS_URL = ""
    html = page(persona, "sl_duty", "/incidents/map/").content.decode()
    assert 'data-tile-url=""' in html and 'data-wms-url=""' in html


def test_a_configured_wms_server_reaches_the_map(persona, settings):
    settings.MAP_WMS_URL = "https://wms.example.si/geoserver/wms"
    settings.MAP_WMS_LAYERS = "DOF,RPE"
    settings.MAP_ATTRIBUTION = "© GURS"
    for url in ("/incidents/map/", "/incidents/new/"):
        html = page(persona, "sl_duty", url).content.decode()
        assert 'data-wms-url="https://wms.example.si/geoserver/wms"' in html, url
        assert 'data-wms-layers="DOF,RPE"' in html
        assert 'data-attribution="© GURS"' in html


def test_the_map_pages_refuse_anonymous_visitors_and_roles_without_records(persona):
    for url in ("/incidents/map/", "/incidents/new/"):
        assert Client().get(url).status_code == 302
        assert page(persona, "outsider", url).status_code == 403
