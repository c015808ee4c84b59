"""The basemap's lakes: the data file, what the script makes of the npm
package, and how the basemap endpoint serves them."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from tromeja import testing
from tromeja.geography.locate import DATA, REGION

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "extract_water.py"
SOURCE = ROOT / "node_modules" / "@geo-maps" / "earth-lakes-10m" / "map.geo.json"

BALATON = (17.75, 46.87)
VRANSKO_JEZERO = (15.55, 43.91)  # by Pakoštane
BUSKO_BLATO = (17.02, 43.66)
CETINGRAD = (15.73, 45.15)
ZAGREB = (15.98, 45.81)


def script():
    spec = importlib.util.spec_from_file_location("extract_water", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lakes_in(features):
    (lake,) = [shape(f["geometry"]) for f in features if f["properties"]["layer"] == "lake"]
    return lake


def test_the_water_file_is_what_the_script_writes():
    if not SOURCE.exists():
        pytest.skip("npm packages not installed")
    assert script().build() == (DATA / "water.geojson").read_text(encoding="utf-8")


def test_the_script_check_mode_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    if not SOURCE.exists():
        pytest.skip("npm packages not installed")
    module = script()
    stale = tmp_path / "water.geojson"
    stale.write_text('{"type":"FeatureCollection","features":[]}\n', encoding="utf-8")
    monkeypatch.setattr(module, "OUT", stale)
    monkeypatch.setattr("sys.argv", ["extract_water.py", "--check"])
    assert module.main() == 1
    assert "out of date" in capsys.readouterr().err
    stale.unlink()
    monkeypatch.setattr("sys.argv", ["extract_water.py"])
    assert module.main() == 0
    monkeypatch.setattr("sys.argv", ["extract_water.py", "--check"])
    assert module.main() == 0


def test_the_water_file_is_compact_and_inside_the_region():
    text = (DATA / "water.geojson").read_text(encoding="utf-8")
    assert len(text.encode()) < 60_000
    # No coordinate with more than five decimals.
    assert not re.search(r"\d\.\d{6,}", text)
    data = json.loads(text)
    assert "OpenStreetMap" in data["about"] and "ODbL" in data["about"]
    assert [f["properties"]["layer"] for f in data["features"]] == ["lake"]
    lake = shape(data["features"][0]["geometry"])
    assert lake.is_valid and lake.geom_type == "MultiPolygon"
    south, west, north, east = REGION
    minx, miny, maxx, maxy = lake.bounds
    assert west <= minx and maxx <= east and south <= miny and maxy <= north
    # No specks: every lake kept is at least MIN_AREA.
    assert min(p.area for p in lake.geoms) >= script().MIN_AREA["lake"]
    assert 100 < len(lake.geoms) < 400


@pytest.mark.django_db
def test_the_basemap_serves_the_lakes_after_the_countries(persona):
    client = testing.client_for(persona("hr_border"))
    features = client.get("/api/v1/geography/basemap").json()["features"]
    layers = [f["properties"]["layer"] for f in features]
    assert layers[0] == "sea" and layers[-1] == "lake"
    assert layers.index("lake") > max(i for i, layer in enumerate(layers) if layer == "country")
    lake = lakes_in(features)
    for place in (BALATON, VRANSKO_JEZERO, BUSKO_BLATO):
        assert lake.contains(Point(*place)), place
    for place in (CETINGRAD, ZAGREB):
        assert not lake.contains(Point(*place)), place
    (lake_feature,) = [f for f in features if f["properties"]["layer"] == "lake"]
    assert lake_feature["properties"]["country"] == "" and lake_feature["properties"]["name"] == ""


@pytest.mark.django_db
def test_the_legend_names_the_lakes_and_credits_openstreetmap(persona):
    client = testing.client_for(persona("hr_border"))
    html = client.get("/incidents/map/").content.decode()
    assert "map-key-lake" in html
    assert "© OpenStreetMap contributors (ODbL)" in html
    assert "GeoNames (CC BY 4.0)" in html
