"""The geography API: places, the basemap's country areas and labels, and
locating a point before a report is saved.

Geographic reference data only (no records, no personal data): every signed-in
user reads it, whatever their role or country.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from tromeja.core.countries import country_name
from tromeja.geography import places as gazetteer
from tromeja.geography.locate import REGION, in_region, locate, responsible_unit_code, sections

router = Router(tags=["geography"])

# Zoom at which the map shows a place chosen in the search: villages are labelled.
PLACE_ZOOM = {"place": 12, "crossing": 13}
CROSSING_RANK = 4


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _place_country_name(country: str, language: str) -> str:
    return " / ".join(country_name(code, language) for code in country.split("-"))


# ---------------------------------------------------------------- places


class PlaceOut(Schema):
    name: str
    kind: Literal["place", "crossing"]
    country: str
    country_name: str
    label: str  # "Cetingrad (Croatia)", in the reader's language
    lat: float
    lon: float
    population: int
    zoom: int


class PlaceQuery(Schema):
    q: str = Field("", max_length=gazetteer.MAX_QUERY)


@router.get(
    "/places",
    response=list[PlaceOut],
    url_name="geography_places",
    summary="Search towns, villages and crossings",
)
def place_search(request, filters: Query[PlaceQuery]):
    """The ten places whose names match `q` best (case, accents and the
    region's transliterations ignored), then the largest; crossing points
    included. An empty `q` finds nothing."""
    language = _language()
    out = []
    for place in gazetteer.search(filters.q):
        country = _place_country_name(place.country, language)
        out.append(
            {
                "name": place.name,
                "kind": place.kind,
                "country": place.country,
                "country_name": country,
                "label": f"{place.name} ({country})",
                "lat": place.lat,
                "lon": place.lon,
                "population": place.population,
                "zoom": PLACE_ZOOM[place.kind],
            }
        )
    return out


# ---------------------------------------------------------------- labels


class LabelQuery(Schema):
    south: float = Field(REGION[0], ge=-90, le=90)
    west: float = Field(REGION[1], ge=-180, le=180)
    north: float = Field(REGION[2], ge=-90, le=90)
    east: float = Field(REGION[3], ge=-180, le=180)
    zoom: float = Field(6, ge=0, le=22)


class CountryLabelOut(Schema):
    country: str
    name: str
    lat: float
    lon: float


class PlaceLabelOut(Schema):
    name: str
    lat: float
    lon: float
    rank: int  # 0 the cities ... 3 the villages; 4 a crossing point


class LabelsOut(Schema):
    countries: list[CountryLabelOut]
    places: list[PlaceLabelOut]


def _country_labels(south, west, north, east, language):
    import shapely
    from shapely.geometry import box
    from shapely.ops import polylabel

    from tromeja.geography.locate import _countries

    codes, polygons = _countries()
    view = box(west, south, east, north)
    min_area = view.area * 0.002  # a sliver at the edge of the view gets no name
    out = []
    for code, polygon in zip(codes, polygons, strict=True):
        part = shapely.intersection(polygon, view)
        if part.is_empty or part.area < min_area:
            continue
        largest = max(getattr(part, "geoms", [part]), key=lambda g: g.area)
        if largest.geom_type != "Polygon":
            continue
        point = polylabel(largest, tolerance=max(largest.length / 200, 1e-4))
        out.append(
            {
                "country": code,
                "name": country_name(code, language),
                "lat": round(point.y, 5),
                "lon": round(point.x, 5),
            }
        )
    return out


@router.get(
    "/labels",
    response=LabelsOut,
    url_name="geography_labels",
    summary="The basemap's names in a viewport",
)
def labels(request, view: Query[LabelQuery]):
    """The country names (one per country in view, inside its part of the
    view) and the places to label at `zoom` (cities from zoom 6, towns from 8
    and 10, villages from 11, crossing points from 10; at most 300, the
    cities first, then the crossing points, then by size)."""
    south, north = sorted((view.south, view.north))
    west, east = sorted((view.west, view.east))
    rank = {zoom: n for n, (_floor, zoom) in enumerate(gazetteer.TIERS)}
    return {
        "countries": _country_labels(south, west, north, east, _language()),
        "places": [
            {
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "rank": CROSSING_RANK if p.kind == "crossing" else rank[p.min_zoom],
            }
            for p in gazetteer.in_view(south, west, north, east, view.zoom)
        ],
    }


# ---------------------------------------------------------------- basemap


class BasemapProperties(Schema):
    layer: Literal["sea", "country", "lake"]
    country: str = ""
    name: str = ""


class BasemapFeatureOut(Schema):
    type: Literal["Feature"]
    geometry: dict
    properties: BasemapProperties


class BasemapOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[BasemapFeatureOut]


@lru_cache(maxsize=1)
def _basemap_areas() -> tuple[tuple[str, str, dict], ...]:
    """(layer, country, GeoJSON geometry): the sea (what of the region no
    country covers), the countries, then the lakes and reservoirs
    (water.geojson, written by scripts/extract_water.py)."""
    import shapely
    from shapely.geometry import box, mapping

    from tromeja.geography.locate import _load

    features = _load("countries.geojson")["features"]
    south, west, north, east = REGION
    land = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features])
    sea = shapely.set_precision(box(west, south, east, north).difference(land), 1e-5)
    areas = [("sea", "", mapping(sea))]
    areas += [("country", f["properties"]["country"], f["geometry"]) for f in features]
    areas += [
        (f["properties"]["layer"], "", f["geometry"]) for f in _load("water.geojson")["features"]
    ]
    return tuple(areas)


@router.get(
    "/basemap",
    response=BasemapOut,
    url_name="geography_basemap",
    summary="The basemap: sea, countries' areas and lakes",
)
def basemap(request):
    """The region's sea and the eight countries drawn on the map (clipped to
    the region), with the countries' names in the reader's language, then the
    region's lakes and reservoirs (layer "lake": OpenStreetMap water areas,
    simplified to ~40 m, those under ~0.85 km² left out)."""
    language = _language()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "layer": layer,
                    "country": code,
                    "name": country_name(code, language) if code else "",
                },
            }
            for layer, code, geometry in _basemap_areas()
        ],
    }


# ---------------------------------------------------------------- locate


class LocateQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class LocateOut(Schema):
    lat: float
    lon: float
    country: str | None
    country_name: str
    section: str | None
    section_name: str
    border: str
    unit: str | None
    unit_name: str
    distance_km: float | None
    crossing: str | None
    crossing_name: str
    crossing_distance_km: float | None
    message: str  # what the officer reads; also when no section is near


@router.get(
    "/locate",
    response=LocateOut,
    url_name="geography_locate",
    summary="Border section, unit and crossing of a point",
)
def locate_point(request, point: Query[LocateQuery]):
    """Where a point lies as a report saved there would record it: border
    section, responsible unit (of the caller's country), distance from the
    border and nearest crossing point. A point outside the region is refused."""
    from tromeja.core.models import Unit

    if not in_region(point.lat, point.lon):
        raise HttpError(
            422,
            _("This point is outside the region of the cooperation (%(lat).4f, %(lon).4f).")
            % {"lat": point.lat, "lon": point.lon},
        )
    language = _language()
    found = locate(point.lat, point.lon)
    answer = {
        "lat": point.lat,
        "lon": point.lon,
        "country": None,
        "country_name": "",
        "section": None,
        "section_name": "",
        "border": "",
        "unit": None,
        "unit_name": "",
        "distance_km": None,
        "crossing": None,
        "crossing_name": "",
        "crossing_distance_km": None,
    }
    if found is None:
        answer["message"] = _("No border section within 50 km of this point.")
        return answer
    unit_code = responsible_unit_code(found.section, request.user.country_code)
    unit = Unit.objects.filter(code=unit_code).only("name").first()
    from tromeja.geography.locate import crossings

    crossing = crossings()[found.crossing]
    answer.update(
        country=found.country,
        country_name=country_name(found.country, language) if found.country else "",
        section=found.section,
        section_name=sections()[found.section].name(language),
        border=found.border,
        unit=unit_code,
        unit_name=str(unit) if unit else unit_code,
        distance_km=found.distance_km,
        crossing=found.crossing,
        crossing_name=" / ".join(crossing.names.values()),
        crossing_distance_km=found.crossing_distance_km,
    )
    answer["message"] = _(
        "%(section)s · %(unit)s · %(km)s km from the border · nearest crossing: "
        "%(crossing)s (%(crossing_km)s km)"
    ) % {
        "section": answer["section_name"],
        "unit": answer["unit_name"],
        "km": number_format(found.distance_km, 1),
        "crossing": answer["crossing_name"],
        "crossing_km": number_format(found.crossing_distance_km, 1),
    }
    return answer
