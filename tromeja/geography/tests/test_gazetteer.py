"""The gazetteer (places and crossing points) and its folded search: no database."""

import json
import time

from tromeja.geography import places as gazetteer
from tromeja.geography.locate import DATA


def names(query, **kwargs):
    return [(p.name, p.country, p.kind) for p in gazetteer.search(query, **kwargs)]


def test_the_gazetteer_holds_cetingrad_and_the_villages_of_the_border():
    by_name = {(p.name, p.country): p for p in gazetteer.places() if p.kind == "place"}
    cetingrad = by_name["Cetingrad", "HR"]
    assert (cetingrad.lat, cetingrad.lon) == (45.15972, 15.73944)
    assert cetingrad.min_zoom == 11  # a village: labelled from zoom 11
    for name, country in [("Slunj", "HR"), ("Bregana", "HR"), ("Velika Kladuša", "BA")]:
        assert (name, country) in by_name
    assert by_name["Zagreb", "HR"].min_zoom == 6


def test_the_gazetteer_holds_obrezje_as_a_crossing_point_with_both_names():
    crossing = next(p for p in gazetteer.places() if p.code == "si-hr-obrezje-bregana")
    assert crossing.kind == "crossing"
    assert crossing.name == "Obrežje / Bregana"
    assert crossing.country == "SI-HR"


def test_the_gazetteer_keeps_to_the_region_and_its_countries():
    rows = json.loads((DATA / "places.json").read_text(encoding="utf-8"))["places"]
    assert 3000 < len(rows) < 10000
    assert {r[1] for r in rows} == {"AT", "BA", "HR", "HU", "IT", "ME", "RS", "SI"}
    assert all(42.3 <= r[2] <= 47.0 and 12.3 <= r[3] <= 19.5 for r in rows)
    assert "Roma" not in {r[0] for r in rows}  # 41.9° N: south of the region


def test_folded_search_ignores_case_accents_and_transliteration():
    assert names("cetingrad")[0] == ("Cetingrad", "HR", "place")
    assert names("CETINGRAD")[0] == ("Cetingrad", "HR", "place")
    assert names("Velika Kladusa")[0] == ("Velika Kladuša", "BA", "place")
    assert names("velika kladusha")[0] == ("Velika Kladuša", "BA", "place")
    assert names("obrezje")[0] == ("Obrežje / Bregana", "SI-HR", "crossing")
    assert names("Đakovo")[0] == names("djakovo")[0] == ("Đakovo", "HR", "place")


def test_the_other_names_of_a_place_find_it():
    assert names("Capodistria")[0] == ("Koper", "SI", "place")
    assert names("Fiume")[0] == ("Rijeka", "HR", "place")


def test_better_matches_come_first_then_larger_places():
    found = names("sla")
    assert len(found) == 10
    populations = [p.population for p in gazetteer.search("sla") if p.kind == "place"]
    # Every result starts with "sla": ranked by population among themselves.
    assert populations == sorted(populations, reverse=True)
    # The exact name beats a longer name that starts with it.
    assert names("Slunj")[0] == ("Slunj", "HR", "place")
    assert names("bregana")[:2] == [
        ("Bregana", "HR", "place"),
        ("Obrežje / Bregana", "SI-HR", "crossing"),
    ]


def test_nothing_is_found_for_an_empty_or_unknown_query():
    assert names("") == []
    assert names("   ") == []
    assert names("zzqxy") == []
    assert len(names("a" * 500)) == 0


def test_labels_follow_the_zoom_and_the_viewport():
    view = (45.0, 15.5, 45.3, 15.9)  # around Cetingrad and Velika Kladuša
    at_8 = {p.name for p in gazetteer.in_view(*view, 8)}
    at_11 = {p.name for p in gazetteer.in_view(*view, 11)}
    assert "Velika Kladuša" in at_8 and "Cetingrad" not in at_8
    assert "Cetingrad" in at_11
    assert len(gazetteer.in_view(42.3, 12.3, 47.0, 19.5, 18)) == gazetteer.MAX_LABELS
    assert all(p.min_zoom <= 6 for p in gazetteer.in_view(42.3, 12.3, 47.0, 19.5, 6))


def test_loading_and_searching_are_fast():
    gazetteer.places.cache_clear()
    start = time.perf_counter()
    gazetteer.places()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    for query in ("cetingrad", "obrezje", "velika kladusa", "s"):
        gazetteer.search(query)
    searched = (time.perf_counter() - start) / 4
    assert loaded < 3.0, loaded  # ~0.1 s on an idle machine; reading cities500.json takes ~1.5 s
    assert searched < 0.25, searched  # ~5 ms on an idle machine


def test_the_gazetteer_file_is_what_the_script_writes(tmp_path):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[3] / "scripts" / "extract_places.py"
    spec = importlib.util.spec_from_file_location("extract_places", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (DATA / "places.json").read_text(encoding="utf-8")


def test_crossing_points_are_named_on_the_map_from_zoom_10_after_the_cities():
    view = (45.7, 15.4, 46.0, 16.1)  # Obrežje / Bregana, Zagreb
    assert all(p.kind == "place" for p in gazetteer.in_view(*view, 9))
    at_10 = gazetteer.in_view(*view, 10)
    kinds = [p.kind for p in at_10]
    assert "crossing" in kinds
    assert at_10[0].name == "Zagreb"  # the city first
    first_crossing = kinds.index("crossing")
    assert all(p.min_zoom == 6 for p in at_10[:first_crossing])
