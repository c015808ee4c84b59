"""The geography API: place search, basemap labels and countries, locate."""

import pytest
from django.test import Client

from tromeja import testing
from tromeja.geography.locate import locate, sections

pytestmark = pytest.mark.django_db

CETINGRAD_BORDER = (45.1536, 15.7330)  # fields below Cetingrad, beside the Bosnian border
ENDPOINTS = (
    "/api/v1/geography/places?q=cetingrad",
    "/api/v1/geography/labels",
    "/api/v1/geography/basemap",
    "/api/v1/geography/locate?lat=45.1536&lon=15.733",
)


def client_in(persona, name, language="en"):
    user = persona(name)
    user.language = language
    user.save(update_fields=["language"])
    return testing.client_for(user)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_callers_are_refused(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_signed_in_user_reads_the_geography_whatever_the_role(persona, url):
    # Geographic reference data: no records, no personal data (as /reference/units).
    for name in ("hr_border", "outsider", "sl_dpo", "hr_analyst", "sl_admin"):
        assert testing.client_for(persona(name)).get(url).status_code == 200, name


def test_place_search_finds_cetingrad_with_its_country_in_the_readers_language(persona):
    client = client_in(persona, "hr_border", "hr")
    found = client.get("/api/v1/geography/places", {"q": "cetingrad"}).json()
    first = found[0]
    assert first["name"] == "Cetingrad"
    assert first["kind"] == "place"
    assert first["country"] == "HR"
    assert first["country_name"] == "Hrvatska"
    assert first["label"] == "Cetingrad (Hrvatska)"
    assert (first["lat"], first["lon"]) == (45.15972, 15.73944)
    assert first["zoom"] >= 11  # the village is labelled at that zoom


def test_place_search_includes_crossing_points_with_both_countries(persona):
    client = client_in(persona, "sl_duty", "sl")
    found = client.get("/api/v1/geography/places", {"q": "obrezje"}).json()
    assert found[0]["kind"] == "crossing"
    assert found[0]["name"] == "Obrežje / Bregana"
    assert found[0]["country_name"] == "Slovenija / Hrvaška"


def test_place_search_answers_at_most_ten_and_nothing_for_no_query(persona):
    client = client_in(persona, "it_duty")
    assert len(client.get("/api/v1/geography/places", {"q": "s"}).json()) == 10
    assert client.get("/api/v1/geography/places").json() == []


def test_a_too_long_query_is_refused_with_a_localized_error(persona):
    client = client_in(persona, "hr_border", "hr")
    response = client.get("/api/v1/geography/places", {"q": "x" * 101})
    assert response.status_code == 422
    english = client_in(persona, "it_duty").get("/api/v1/geography/places", {"q": "x" * 101})
    assert english.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("q")
    assert response.json()["detail"] != english.json()["detail"]  # translated


def test_locate_answers_section_unit_and_crossing_as_a_report_would_record_them(persona):
    client = client_in(persona, "hr_border", "hr")
    lat, lon = CETINGRAD_BORDER
    answer = client.get("/api/v1/geography/locate", {"lat": lat, "lon": lon}).json()
    expected = locate(lat, lon)
    assert answer["border"] == "HR-BA"
    assert answer["section"] == expected.section
    assert answer["section_name"] == sections()[expected.section].name("hr")
    assert answer["unit"] == sections()[expected.section].units_by_country["HR"]
    from tromeja.core.models import Unit

    assert answer["unit_name"] == Unit.objects.get(code=answer["unit"]).name
    assert answer["crossing"] == expected.crossing
    assert answer["distance_km"] == expected.distance_km
    assert answer["section_name"] in answer["message"]
    assert answer["unit_name"] in answer["message"]
    assert answer["crossing_name"] in answer["message"]
    assert "," in answer["message"].split("·")[2]  # 0,4 km: Croatian decimals


def test_locate_names_the_unit_of_the_callers_country(persona):
    lat, lon = 45.848, 15.670  # beside Obrežje: Novo mesto holds it for Slovenia
    si = client_in(persona, "sl_duty").get("/api/v1/geography/locate", {"lat": lat, "lon": lon})
    hr = client_in(persona, "hr_duty").get("/api/v1/geography/locate", {"lat": lat, "lon": lon})
    assert si.json()["unit"] == "si-pu-novo-mesto"
    assert hr.json()["unit"] == "hr-pu-zagrebacka"


def test_locate_refuses_a_point_outside_the_region_with_a_localized_error(persona):
    hr = client_in(persona, "hr_border", "hr")
    en = client_in(persona, "it_duty")
    answers = [c.get("/api/v1/geography/locate", {"lat": 48.2, "lon": 16.37}) for c in (hr, en)]
    assert [a.status_code for a in answers] == [422, 422]
    assert "outside the region" in answers[1].json()["detail"]
    assert "48.2000" in answers[1].json()["detail"]


def test_locate_far_from_any_border_says_so(persona):
    client = client_in(persona, "it_duty")
    answer = client.get("/api/v1/geography/locate", {"lat": 43.2, "lon": 13.0}).json()  # Marche
    assert answer["section"] is None
    assert answer["message"] == "No border section within 50 km of this point."


@pytest.mark.parametrize(
    "query",
    [{"lat": "abc", "lon": "15"}, {"lat": "45"}, {}, {"lat": "95", "lon": "15"}],
)
def test_locate_refuses_bad_coordinates_with_a_localized_error(persona, query):
    hr = client_in(persona, "hr_border", "hr").get("/api/v1/geography/locate", query)
    en = client_in(persona, "it_duty").get("/api/v1/geography/locate", query)
    assert hr.status_code == en.status_code == 422
    assert hr.json()["detail"] != en.json()["detail"]


def test_labels_name_the_countries_on_both_sides_and_the_villages_at_zoom_11(persona):
    client = client_in(persona, "hr_border", "hr")
    view = {"south": 45.0, "west": 15.5, "north": 45.3, "east": 15.95}
    at_11 = client.get("/api/v1/geography/labels", {**view, "zoom": 11}).json()
    assert {c["name"] for c in at_11["countries"]} == {"Hrvatska", "Bosna i Hercegovina"}
    places = {p["name"]: p for p in at_11["places"]}
    assert "Cetingrad" in places and places["Cetingrad"]["rank"] == 3
    at_8 = client.get("/api/v1/geography/labels", {**view, "zoom": 8}).json()
    assert "Cetingrad" not in {p["name"] for p in at_8["places"]}
    # Each country's label lies inside the country.
    from tromeja.geography.locate import country_of

    for label in at_11["countries"]:
        assert country_of(label["lat"], label["lon"]) == label["country"]


def test_the_basemap_holds_the_sea_and_the_countries_named_in_the_readers_language(persona):
    client = client_in(persona, "it_duty", "it")
    features = client.get("/api/v1/geography/basemap").json()["features"]
    by_code = {
        f["properties"]["country"]: f["properties"]["name"]
        for f in features
        if f["properties"]["layer"] == "country"
    }
    assert by_code["SI"] == "Slovenia"
    assert by_code["HR"] == "Croazia"
    assert set(by_code) == {"AT", "BA", "HR", "HU", "IT", "ME", "RS", "SI"}
    from shapely.geometry import Point, shape

    (sea,) = [shape(f["geometry"]) for f in features if f["properties"]["layer"] == "sea"]
    assert sea.contains(Point(14.0, 44.5))  # the Adriatic off Lošinj
    assert not sea.contains(Point(15.73, 45.15))  # Cetingrad
