"""Where a coordinate lies: border section, responsible units, nearest crossing.

Pure functions over the data files in ``data/`` (loaded once, on first use):

>>> loc = locate(45.848, 15.670)      # fields west of the Obrežje motorway checkpoint
>>> loc.border, loc.units, loc.country
('SI-HR', ('si-pu-novo-mesto', 'hr-pu-zagrebacka'), 'SI')
>>> loc.crossing, loc.crossing_distance_km
('si-hr-obrezje-bregana', 1.589)

Distances are great-circle distances on the mean Earth sphere (haversine), to
the nearest point of the section line; within ~0.5 % of the ellipsoid, which is
far below the accuracy of the 1:10m lines themselves (a few hundred metres).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

DATA = Path(__file__).resolve().parent / "data"

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
# The cooperation region (south, west, north, east), in degrees: from the
# Montenegrin coast to the Hungarian border, from the Tagliamento to the Drina.
REGION = (42.3, 12.3, 47.0, 19.5)
MAX_DISTANCE_KM = 50.0
LANGUAGES = ("en", "sl", "it", "hr")

# The spatial indexes work on lon·cos(45°), lat so that their nearest-neighbour
# search is nearly isotropic over the region (off by at most ±5 %); the
# distances reported are then measured exactly with haversine.
_KX = math.cos(math.radians(45.0))
_SLACK = 1.12  # > the largest distortion of the scaled metric in the region


# ---------------------------------------------------------------- measuring


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def path_length_km(coords: Iterable[Sequence[float]]) -> float:
    """Length in km of a path given as (lon, lat) pairs, vertex to vertex."""
    return sum(haversine_km(a[1], a[0], b[1], b[0]) for a, b in pairwise(coords))


def length_km(geometry: BaseGeometry | dict[str, Any]) -> float:
    """Length in km of a (Multi)LineString, shapely object or GeoJSON mapping."""
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    parts = getattr(geom, "geoms", [geom])
    return sum(path_length_km(part.coords) for part in parts)


def in_region(lat: Any, lon: Any) -> bool:
    """True when (lat, lon) are numbers inside the cooperation region."""
    try:
        lat = float(lat)
        lon = float(lon)
    except (TypeError, ValueError):
        return False
    south, west, north, east = REGION
    return south <= lat <= north and west <= lon <= east


# ---------------------------------------------------------------- the data


@dataclass(frozen=True, eq=False)
class Border:
    code: str  # "SI-HR"
    countries: tuple[str, str]
    length_km: float
    context_only: bool  # SI-AT and SI-HU: drawn for context, no sections
    geometry: BaseGeometry


@dataclass(frozen=True, eq=False)
class Section:
    code: str  # "si-hr-novo-mesto-zagreb"
    border: str
    names: MappingProxyType  # language -> name
    units: tuple[str, ...]  # owning units, in the order of the border's countries
    units_by_country: MappingProxyType  # "SI" -> "si-pu-novo-mesto"
    length_km: float
    geometry: BaseGeometry  # (Multi)LineString, lon/lat

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True, eq=False)
class Crossing:
    code: str  # "si-hr-obrezje-bregana"
    border: str
    names: MappingProxyType  # country -> the crossing's name on that side
    kind: str  # road, rail or road_rail
    lat: float
    lon: float

    @property
    def name(self) -> str:
        return " / ".join(self.names[c] for c in self.border.split("-") if c in self.names)


@dataclass(frozen=True)
class Location:
    """The answer of `locate`: where an incident lies with respect to the borders."""

    section: str  # section code
    section_name: str  # in English; `sections()[code].name(lang)` for others
    border: str
    units: tuple[str, ...]  # owning unit codes of the section
    distance_km: float  # from the point to the section line
    crossing: str  # nearest main crossing point (code)
    crossing_name: str
    crossing_distance_km: float
    country: str | None  # ISO 3166 alpha-2 of the point; None at sea / unknown


def _load(name: str) -> Any:
    with (DATA / name).open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def borders() -> dict[str, Border]:
    """The seven border lines, by code ("SI-IT", ...)."""
    out = {}
    for feature in _load("borders.geojson")["features"]:
        p = feature["properties"]
        out[p["border"]] = Border(
            code=p["border"],
            countries=tuple(p["countries"]),
            length_km=p["length_km"],
            context_only=p["context_only"],
            geometry=shape(feature["geometry"]),
        )
    return out


@lru_cache(maxsize=1)
def sections() -> dict[str, Section]:
    """The border sections of the five operational borders, by code, in border order."""
    out = {}
    for feature in _load("sections.geojson")["features"]:
        p = feature["properties"]
        out[p["code"]] = Section(
            code=p["code"],
            border=p["border"],
            names=MappingProxyType(dict(p["names"])),
            units=tuple(p["units"]),
            units_by_country=MappingProxyType(dict(p["units_by_country"])),
            length_km=p["length_km"],
            geometry=shape(feature["geometry"]),
        )
    return out


@lru_cache(maxsize=1)
def crossings() -> dict[str, Crossing]:
    """The main border crossing points, by code."""
    return {
        c["code"]: Crossing(
            code=c["code"],
            border=c["border"],
            names=MappingProxyType(dict(c["names"])),
            kind=c["kind"],
            lat=c["lat"],
            lon=c["lon"],
        )
        for c in _load("crossings.json")["crossings"]
    }


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, ...], np.ndarray]:
    codes, polygons = [], []
    for feature in _load("countries.geojson")["features"]:
        codes.append(feature["properties"]["country"])
        polygons.append(shape(feature["geometry"]))
    polygons = np.array(polygons, dtype=object)
    shapely.prepare(polygons)  # point-in-polygon in O(log n)
    return tuple(codes), polygons


def _scaled(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy * (_KX, 1.0))


@dataclass(frozen=True)
class _Index:
    sections: tuple[Section, ...]
    lines: np.ndarray  # scaled section lines
    tree: STRtree
    crossings: tuple[Crossing, ...]
    crossing_lat: tuple[float, ...]
    crossing_lon: tuple[float, ...]


@lru_cache(maxsize=1)
def _index() -> _Index:
    secs = tuple(sections().values())
    lines = np.array([_scaled(s.geometry) for s in secs], dtype=object)
    xings = tuple(crossings().values())
    return _Index(
        sections=secs,
        lines=lines,
        tree=STRtree(lines),
        crossings=xings,
        crossing_lat=tuple(c.lat for c in xings),
        crossing_lon=tuple(c.lon for c in xings),
    )


def load() -> None:
    """Load every data file and build the indexes now (else on first use)."""
    borders()
    _index()
    _countries()


# ---------------------------------------------------------------- locating


KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def _nearest_section(idx: _Index, lat: float, lon: float, max_km: float) -> tuple[float, int]:
    """(distance in km, index) of the section nearest to the point, or (inf, -1)
    when none is within max_km.

    The tree preselects the lines within max_km in the scaled plane (with a
    slack for its distortion); each is then measured with haversine from the
    point to the line's nearest point.
    """
    p = Point(lon * _KX, lat)
    candidates = idx.tree.query(p, predicate="dwithin", distance=max_km / KM_PER_DEGREE * _SLACK)
    best = (math.inf, -1)
    if len(candidates):
        candidates.sort()
        ends = shapely.get_coordinates(shapely.shortest_line(idx.lines[candidates], p))[::2]
        for i, (x, y) in zip(candidates.tolist(), ends.tolist(), strict=True):
            best = min(best, (haversine_km(lat, lon, y, x / _KX), i))
    return best


def _nearest_crossing(idx: _Index, lat: float, lon: float) -> tuple[float, int]:
    """(distance in km, index) of the nearest crossing point.

    ~30 points: ranked in plain Python on a local equirectangular projection
    (faster here than any index), the winner measured with haversine.
    """
    kx = math.cos(math.radians(lat))
    j = min(
        range(len(idx.crossings)),
        key=lambda k: (idx.crossing_lat[k] - lat) ** 2 + ((idx.crossing_lon[k] - lon) * kx) ** 2,
    )
    c = idx.crossings[j]
    return haversine_km(lat, lon, c.lat, c.lon), j


def country_of(lat: float, lon: float) -> str | None:
    """ISO alpha-2 code of the country (of the eight in the region) at the point."""
    codes, polygons = _countries()
    inside = shapely.intersects_xy(polygons, lon, lat)
    return codes[int(inside.argmax())] if inside.any() else None


def locate(lat: float, lon: float, max_distance_km: float = MAX_DISTANCE_KM) -> Location | None:
    """The border section, owning units and nearest crossing point of a coordinate.

    None when the point is outside the region or farther than max_distance_km
    from every section of the five operational borders (SI-IT, SI-HR, HR-BA,
    HR-RS, HR-ME).
    """
    if not in_region(lat, lon):
        return None
    lat, lon = float(lat), float(lon)
    idx = _index()
    distance, i = _nearest_section(idx, lat, lon, max_distance_km)
    if distance > max_distance_km:
        return None
    section = idx.sections[i]
    crossing_distance, j = _nearest_crossing(idx, lat, lon)
    crossing = idx.crossings[j]
    return Location(
        section=section.code,
        section_name=section.name("en"),
        border=section.border,
        units=section.units,
        distance_km=round(distance, 3),
        crossing=crossing.code,
        crossing_name=crossing.name,
        crossing_distance_km=round(crossing_distance, 3),
        country=country_of(lat, lon),
    )


def responsible_unit_code(section_code: str, country: str | None) -> str:
    """The unit that holds a section for a country (the section's first unit
    for a country that holds none of it): the unit a report of that country
    records as responsible."""
    section = sections()[section_code]
    return section.units_by_country.get(country) or section.units[0]


def _haversine_np(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def locate_many(
    points: Sequence[tuple[Any, Any]], max_distance_km: float = MAX_DISTANCE_KM
) -> list[Location | None]:
    """`locate()` for many (lat, lon) points at once, with the same answers:
    the same candidates and the same order of choice, computed for all points
    in a few array operations (for imports)."""
    results: list[Location | None] = [None] * len(points)
    wanted = [k for k, (lat, lon) in enumerate(points) if in_region(lat, lon)]
    if not wanted:
        return results
    lat = np.array([float(points[k][0]) for k in wanted])
    lon = np.array([float(points[k][1]) for k in wanted])
    idx = _index()
    scaled = shapely.points(lon * _KX, lat)
    pairs = idx.tree.query(
        scaled, predicate="dwithin", distance=max_distance_km / KM_PER_DEGREE * _SLACK
    )
    point_of, line_of = pairs[0], pairs[1]
    best_line = np.full(len(wanted), -1)
    best_distance = np.full(len(wanted), np.inf)
    if len(point_of):
        ends = shapely.get_coordinates(shapely.shortest_line(idx.lines[line_of], scaled[point_of]))[
            ::2
        ]
        distance = _haversine_np(lat[point_of], lon[point_of], ends[:, 1], ends[:, 0] / _KX)
        # Per point, the smallest distance, then the lowest section index.
        order = np.lexsort((line_of, distance, point_of))
        first = np.ones(len(order), dtype=bool)
        first[1:] = point_of[order][1:] != point_of[order][:-1]
        chosen = order[first]
        best_line[point_of[chosen]] = line_of[chosen]
        best_distance[point_of[chosen]] = distance[chosen]
    kx = np.cos(np.radians(lat))[:, None]
    xlat, xlon = np.array(idx.crossing_lat), np.array(idx.crossing_lon)
    nearest = np.argmin(
        (xlat[None, :] - lat[:, None]) ** 2 + ((xlon[None, :] - lon[:, None]) * kx) ** 2, axis=1
    )
    crossing_distance = _haversine_np(lat, lon, xlat[nearest], xlon[nearest])
    codes, polygons = _countries()
    inside = np.array([shapely.intersects_xy(p, lon, lat) for p in polygons])
    for n, k in enumerate(wanted):
        if best_distance[n] > max_distance_km:
            continue
        section = idx.sections[best_line[n]]
        crossing = idx.crossings[nearest[n]]
        country = codes[int(inside[:, n].argmax())] if inside[:, n].any() else None
        results[k] = Location(
            section=section.code,
            section_name=section.name("en"),
            border=section.border,
            units=section.units,
            distance_km=round(float(best_distance[n]), 3),
            crossing=crossing.code,
            crossing_name=crossing.name,
            crossing_distance_km=round(float(crossing_distance[n]), 3),
            country=country,
        )
    return results
