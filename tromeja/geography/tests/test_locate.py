"""Borders, sections, crossings and locate(): plain functions, no database."""

import importlib.util
import itertools
import math
import random
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from tromeja.core import reference
from tromeja.geography import locate as geo

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "extract_borders.py"
OPERATIONAL = ("SI-IT", "SI-HR", "HR-BA", "HR-RS", "HR-ME")


def extract_script():
    spec = importlib.util.spec_from_file_location("extract_borders", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def known_units() -> set[str]:
    return {row[0] for row in reference.UNITS}


# ---------------------------------------------------------------- locate


def test_a_point_near_obrezje_is_novo_mesto_with_the_obrezje_bregana_crossing():
    loc = geo.locate(45.848, 15.670)  # fields west of the motorway checkpoint
    assert loc.border == "SI-HR"
    assert "si-pu-novo-mesto" in loc.units
    assert loc.units == ("si-pu-novo-mesto", "hr-pu-zagrebacka")
    assert loc.crossing == "si-hr-obrezje-bregana"
    assert loc.crossing_name == "Obrežje / Bregana"
    assert loc.crossing_distance_km <= 2.0
    assert loc.distance_km < 2.0
    assert loc.country == "SI"


def test_a_point_in_the_karst_near_fernetti_is_trieste_and_koper():
    loc = geo.locate(45.700, 13.850)
    assert loc.border == "SI-IT"
    assert set(loc.units) == {"si-pu-koper", "it-questura-trieste"}
    assert loc.section == "si-it-trieste-koper-karst"
    assert loc.crossing == "si-it-fernetici-fernetti"
    assert loc.crossing_distance_km < 3


def test_a_point_near_cetingrad_is_the_karlovac_police_administration():
    loc = geo.locate(45.154, 15.733)
    assert loc.border == "HR-BA"
    assert loc.units == ("hr-pu-karlovacka",)
    assert loc.section == "hr-ba-karlovac"
    assert loc.crossing == "hr-ba-maljevac"
    assert loc.country == "HR"


@pytest.mark.parametrize(
    ("lat", "lon", "section"),
    [
        (46.480, 13.720, "si-it-udine-kranj"),  # Rateče
        (46.220, 13.520, "si-it-udine-nova-gorica"),  # Robič
        (45.950, 13.650, "si-it-gorizia-nova-gorica"),  # Nova Gorica
        (45.590, 13.780, "si-it-trieste-koper-coast"),  # Škofije
        (45.470, 13.700, "si-hr-koper-istria"),  # Dragonja valley
        (45.650, 15.310, "si-hr-novo-mesto-karlovac"),  # Metlika
        (46.230, 15.680, "si-hr-celje-krapina-zagorje"),  # Rogatec
        (46.520, 16.400, "si-hr-murska-sobota-medimurje"),  # Mura near Lendava
        (45.160, 17.250, "hr-ba-brod-posavina"),  # Stara Gradiška
        (45.050, 18.700, "hr-ba-vukovar-srijem"),  # Županja
        (43.080, 17.600, "hr-ba-dubrovnik-neretva"),  # Nova Sela / Metković
        (45.160, 19.180, "hr-rs-vukovar-srijem"),  # Tovarnik
        (45.850, 18.850, "hr-rs-osijek-baranja"),  # Batina
        (42.470, 18.470, "hr-me-dubrovnik-neretva"),  # Karasovići
    ],
)
def test_points_along_the_borders_fall_to_the_expected_section(lat, lon, section):
    assert geo.locate(lat, lon).section == section


def test_rome_and_points_far_from_the_borders_are_none():
    assert geo.locate(41.9028, 12.4964) is None  # Rome: outside the region
    assert geo.locate(43.856, 18.413) is None  # Sarajevo: in the region, > 50 km away
    assert geo.locate(43.856, 18.413, max_distance_km=200) is not None


@pytest.mark.parametrize("bad", [None, "", "x", float("nan"), float("inf")])
def test_garbage_coordinates_are_not_in_the_region(bad):
    assert not geo.in_region(bad, 15.0)
    assert not geo.in_region(45.0, bad)
    assert geo.locate(45.0, bad) is None


def test_the_region_box():
    assert geo.in_region(45.65, 13.78)  # Trieste
    assert geo.in_region("45.81", "15.98")  # Zagreb, as strings from a form
    assert geo.in_region(42.65, 18.09)  # Dubrovnik
    assert not geo.in_region(41.90, 12.50)  # Rome
    assert not geo.in_region(48.21, 16.37)  # Vienna
    assert not geo.in_region(44.79, 20.45)  # Belgrade


def test_the_country_of_a_point():
    assert geo.country_of(46.0569, 14.5058) == "SI"  # Ljubljana
    assert geo.country_of(45.6495, 13.7768) == "IT"  # Trieste
    assert geo.country_of(45.8150, 15.9819) == "HR"  # Zagreb
    assert geo.country_of(44.7722, 17.1910) == "BA"  # Banja Luka
    assert geo.country_of(45.2671, 19.8335) == "RS"  # Novi Sad
    assert geo.country_of(42.4304, 19.2594) == "ME"  # Podgorica
    assert geo.country_of(46.6247, 14.3053) == "AT"  # Klagenfurt
    assert geo.country_of(46.8417, 16.8416) == "HU"  # Zalaegerszeg
    assert geo.country_of(45.30, 13.40) is None  # the Adriatic off Istria


def test_distances_agree_with_a_brute_force_search_within_one_percent():
    secs = list(geo.sections().values())
    dense = [shapely.get_coordinates(shapely.segmentize(s.geometry, 0.0005)) for s in secs]
    rng = random.Random(7)
    checked = 0
    while checked < 40:
        s = rng.choice(secs)
        lon, lat = rng.choice(shapely.get_coordinates(s.geometry).tolist())
        lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3)
        loc = geo.locate(lat, lon)
        if loc is None or loc.distance_km < 1:
            continue
        best = min(
            (float(np.min(haversine(lat, lon, d[:, 1], d[:, 0]))), sec.code)
            for sec, d in zip(secs, dense, strict=True)
        )
        assert loc.distance_km == pytest.approx(best[0], rel=0.01, abs=0.06)
        assert loc.distance_km <= best[0] * 1.01 + 0.06
        checked += 1


def haversine(lat, lon, lats, lons):
    p1, p2 = math.radians(lat), np.radians(lats)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    )
    return 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def test_haversine():
    assert geo.haversine_km(45, 15, 46, 15) == pytest.approx(111.195, abs=0.01)
    assert geo.haversine_km(45, 15, 45, 16) == pytest.approx(78.63, abs=0.05)


def test_locate_answers_fast_once_loaded():
    geo.load()
    rng = random.Random(3)
    points = [(rng.uniform(44.5, 46.5), rng.uniform(13.5, 17.0)) for _ in range(500)]
    start = time.perf_counter()
    for lat, lon in points:
        geo.locate(lat, lon)
    per_call = (time.perf_counter() - start) / len(points)
    # ~0.1-0.2 ms on the project's machines; the bound only catches a lost cache
    assert per_call < 0.005


# ---------------------------------------------------------------- the data


def test_seven_borders_with_plausible_lengths():
    borders = geo.borders()
    assert list(borders) == [*OPERATIONAL, "SI-AT", "SI-HU"]
    assert [b for b, v in borders.items() if v.context_only] == ["SI-AT", "SI-HU"]
    official = {"SI-IT": 232, "SI-HR": 670, "HR-BA": 1010, "HR-RS": 318, "HR-ME": 23}
    for code, km in official.items():
        # 1:10m lines skip the river meanders: shorter than the official figures
        assert 0.55 * km < borders[code].length_km < km
        assert borders[code].length_km == pytest.approx(
            geo.length_km(borders[code].geometry), abs=0.01
        )


def test_sections_add_up_to_their_border_within_one_percent():
    for code in OPERATIONAL:
        secs = [s for s in geo.sections().values() if s.border == code]
        assert secs, code
        total = sum(s.length_km for s in secs)
        assert total == pytest.approx(geo.borders()[code].length_km, rel=0.01), code
        for s in secs:
            assert s.length_km == pytest.approx(geo.length_km(s.geometry), abs=0.01)
            assert s.length_km > 1


def test_sections_of_a_border_cover_it_without_overlapping():
    for code in OPERATIONAL:
        border = geo.borders()[code].geometry
        secs = [s.geometry for s in geo.sections().values() if s.border == code]
        for a, b in itertools.combinations(secs, 2):
            assert a.intersection(b).length == pytest.approx(0, abs=1e-9), code
        # cut points are rounded to 5 decimals like every coordinate: ~1 m off the line
        covered = shapely.union_all(secs).buffer(1e-5)
        assert border.difference(covered).length == pytest.approx(0, abs=1e-9), code
        # consecutive: each section starts where the previous one ended
        for a, b in itertools.pairwise(secs):
            end = shapely.get_coordinates(a)[-1]
            start = shapely.get_coordinates(b)[0]
            assert np.allclose(end, start, atol=1e-5), code


def test_every_owning_unit_is_known_and_on_its_side_of_the_border():
    units = known_units()
    for s in geo.sections().values():
        a, b = s.border.split("-")
        assert set(s.units) <= units, s.code
        assert set(s.names) == set(geo.LANGUAGES) and all(s.names.values())
        for country, unit in s.units_by_country.items():
            assert unit.startswith(country.lower() + "-"), s.code
        if s.border in ("SI-IT", "SI-HR"):
            assert set(s.units_by_country) == {a, b}, s.code
        else:
            assert set(s.units_by_country) == {"HR"}, s.code
        assert s.units == tuple(s.units_by_country[c] for c in (a, b) if c in s.units_by_country)


def test_the_units_named_by_the_figures_hold_sections():
    owners = {u for s in geo.sections().values() for u in s.units}
    for unit in [
        "si-pu-koper",
        "si-pu-nova-gorica",
        "si-pu-novo-mesto",
        "si-pu-ljubljana",
        "si-pu-maribor",
        "si-pu-celje",
        "it-questura-trieste",
        "it-questura-gorizia",
        "it-questura-udine",
        "hr-pu-sisacko-moslavacka",
        "hr-pu-karlovacka",
        "hr-pu-licko-senjska",
        "hr-pu-zadarska",
        "hr-pu-sibensko-kninska",
        "hr-pu-splitsko-dalmatinska",
        "hr-pu-dubrovacko-neretvanska",
        "hr-pu-brodsko-posavska",
        "hr-pu-vukovarsko-srijemska",
        "hr-pu-osjecko-baranjska",
    ]:
        assert unit in owners, unit


REQUIRED_CROSSINGS = {
    "si-hr-obrezje-bregana",
    "si-hr-gruskovje-macelj",
    "si-hr-starod-pasjak",
    "si-hr-dragonja-kastel",
    "si-hr-metlika-jurovski-brod",
    "si-it-fernetici-fernetti",
    "si-it-skofije-rabuiese",
    "si-it-vrtojba-sant-andrea",
    "si-it-lazaret-lazzaretto",
    "si-it-ratece-fusine",
    "si-it-predel-cave-del-predil",
    "si-it-robic-stupizza",
    "si-it-uceja-uccea",
    "si-it-lipica-basovizza",
    "hr-ba-stara-gradiska",
    "hr-ba-nova-sela",
    "hr-ba-maljevac",
    "hr-ba-jasenovac",
    "hr-rs-bajakovo",
    "hr-rs-tovarnik",
}


def test_crossings_lie_on_their_border():
    xings = geo.crossings()
    assert set(xings) >= REQUIRED_CROSSINGS
    for c in xings.values():
        assert c.kind in ("road", "rail", "road_rail")
        assert list(c.names) == c.border.split("-")
        loc = geo.locate(c.lat, c.lon)
        assert loc.border == c.border, c.code
        assert loc.distance_km < 3, c.code  # 1:10m line vs the real checkpoint
        assert loc.crossing == c.code


# ---------------------------------------------------------------- the extraction


def test_topojson_arcs_are_delta_decoded_with_the_transform():
    script = extract_script()
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [[[0, 0], [1, 2], [3, -1]], [[4, 1], [-4, -1]]],
    }
    assert script.decode_arcs(topology) == [
        [(10.0, 20.0), (10.5, 20.5), (12.0, 20.25)],
        [(12.0, 20.25), (10.0, 20.0)],
    ]
    assert script.arc_ids([[0, ~1], [[2]]]) == {0, 1, 2}


def test_the_data_files_are_what_the_script_makes():
    if not (ROOT / "node_modules" / "world-atlas" / "countries-10m.json").exists():
        pytest.skip("npm packages not installed")
    assert extract_script().main(["--check"]) == 0


def test_geojson_files_are_valid_feature_collections():
    for name in ("borders.geojson", "sections.geojson", "countries.geojson"):
        fc = geo._load(name)
        assert fc["type"] == "FeatureCollection"
        for f in fc["features"]:
            geom = shape(f["geometry"])
            assert geom.is_valid and not geom.is_empty, (name, f["properties"])


def test_locate_many_answers_as_locate_does_point_by_point():
    import random

    from tromeja.geography.locate import locate, locate_many, sections

    rng = random.Random(7)
    points = [(rng.uniform(42.2, 47.1), rng.uniform(12.2, 19.6)) for _ in range(1500)]
    lines = list(sections().values())
    for _ in range(1500):  # close to the lines, where the choice of section matters
        line = rng.choice(lines)
        p = line.geometry.interpolate(rng.random(), normalized=True)
        points.append((p.y + rng.uniform(-0.05, 0.05), p.x + rng.uniform(-0.05, 0.05)))
    points += [(None, 15.0), ("north", "east"), (41.9, 12.49), (45.848, 15.670)]
    expected = [locate(*p) if p[0] is not None else None for p in points]
    assert locate_many(points) == expected
    assert sum(e is not None for e in expected) > 1500
    assert locate_many([]) == []
