#!/usr/bin/env python3
"""Extract the state borders of the region from Natural Earth and split them into sections.

Reads node_modules/world-atlas/countries-10m.json (Natural Earth 1:10m admin-0
countries as TopoJSON, npm package world-atlas, pinned in package.json) and
writes, under tromeja/geography/data/:

- borders.geojson   one feature per border: the arcs that both countries'
                    polygons share are exactly their common border;
- sections.geojson  the five operational borders cut into the sections held by
                    the police units on either side (SECTIONS below);
- countries.geojson the eight countries' polygons clipped to the region, to
                    tell on which side of a border a point lies.

crossings.json beside them is kept by hand.

    npm ci                                        # installs world-atlas
    .venv/bin/python scripts/extract_borders.py   # rewrites the three files
    .venv/bin/python scripts/extract_borders.py --check   # exit 1 if they differ

The output is deterministic (sorted keys, fixed order, 5 decimals), so a re-run
on the same world-atlas version gives byte-identical files.

Lengths are haversine sums over the vertices. Expect them well below the official
figures (BORDERS below: 232, 670, 1010, 318 and 23 km): world-atlas quantizes Natural Earth
to a grid of ~0.0036° x 0.0017° (~280 x 190 m) and the 1:10m lines skip the river
meanders (Sotla, Kupa, Una, Sava, Danube) that make up much of the official
lengths: SI-HR comes out at ~63 % of its ~670 km, the others at 65-80 %. That is
a property of the scale, not an error; the sanity check only flags a ratio
outside 0.5-1.05, which would mean a wrong arc selection.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from shapely import make_valid, ops
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tromeja.geography.locate import REGION, length_km  # noqa: E402

SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-10m.json"
OUT = ROOT / "tromeja" / "geography" / "data"
DIGITS = 5

# ISO 3166 numeric ids as world-atlas stores them: strings, zero-padded to three.
COUNTRY_IDS = {
    "SI": "705",
    "IT": "380",
    "HR": "191",
    "BA": "070",
    "RS": "688",
    "ME": "499",
    "AT": "040",
    "HU": "348",
}

# border -> (start of the line as (lat, lon), official length in km, context only)
# The start fixes the direction of the line and so the order of its sections.
BORDERS = {
    "SI-IT": ((46.52, 13.70), 232, False),  # from the tripoint with Austria to the sea
    "SI-HR": ((45.49, 13.59), 670, False),  # from the Bay of Piran to Hungary
    "HR-BA": ((44.87, 19.02), 1010, False),  # from Serbia (Sava) to Montenegro
    "HR-RS": ((44.87, 19.02), 318, False),  # from Bosnia and Herzegovina to Hungary
    "HR-ME": ((42.56, 18.44), 23, False),  # from Bosnia and Herzegovina to the sea
    "SI-AT": ((46.52, 13.70), 330, True),  # from Italy to Hungary
    "SI-HU": ((46.50, 16.52), 102, True),  # from Croatia to Austria
}

LANGS = ("en", "sl", "it", "hr")


def _names(en: str, sl: str, it: str, hr: str) -> dict[str, str]:
    return dict(zip(LANGS, (en, sl, it, hr), strict=True))


# The sections of each operational border, in the direction of the line. Each
# section runs from the previous cut (or the start of the line) to its own "to"
# cut point (lat, lon), snapped onto the line; the last runs to the end of the
# line. Cut points are where the territories of two units meet on the border
# (municipal boundaries; ~1-3 km accuracy). units maps country -> unit code of
# tromeja.core.reference; on the external border
# only the Croatian unit.
SECTIONS: dict[str, list[dict]] = {
    "SI-IT": [
        {
            "code": "si-it-udine-kranj",
            "units": {"SI": "si-pu-kranj", "IT": "it-questura-udine"},
            "names": _names(
                "Udine – Kranj (Tarvisio / Rateče)",
                "Kranj – Videm (Rateče / Trbiž)",
                "Udine – Kranj (Tarvisio / Fusine)",
                "Udine – Kranj (Trbiž / Rateče)",
            ),
            "to": (46.4397, 13.6539),  # Mangart: Kranjska Gora / Bovec
        },
        {
            "code": "si-it-udine-nova-gorica",
            "units": {"SI": "si-pu-nova-gorica", "IT": "it-questura-udine"},
            "names": _names(
                "Udine – Nova Gorica (Soča / Natisone valleys)",
                "Nova Gorica – Videm (Posočje / Nadiške doline)",
                "Udine – Nova Gorica (Isonzo / Valli del Natisone)",
                "Udine – Nova Gorica (Soča / doline Natisone)",
            ),
            "to": (46.045, 13.495),  # Judrio / Idrija: provinces of Udine / Gorizia
        },
        {
            "code": "si-it-gorizia-nova-gorica",
            "units": {"SI": "si-pu-nova-gorica", "IT": "it-questura-gorizia"},
            "names": _names(
                "Gorizia – Nova Gorica (Collio / Brda, Gorizia, Miren)",
                "Nova Gorica – Gorica (Brda, Gorica, Miren)",
                "Gorizia – Nova Gorica (Collio, Gorizia, Merna)",
                "Gorica – Nova Gorica (Brda, Gorica, Miren)",
            ),
            "to": (45.825, 13.615),  # Karst: Miren-Kostanjevica / Komen, Doberdò / Duino
        },
        {
            "code": "si-it-trieste-koper-karst",
            "units": {"SI": "si-pu-koper", "IT": "it-questura-trieste"},
            "names": _names(
                "Trieste – Koper (Karst)",
                "Koper – Trst (Kras)",
                "Trieste – Capodistria (Carso)",
                "Trst – Koper (Kras)",
            ),
            "to": (45.618, 13.873),  # Pesek / Krvavi Potok: Sežana / Koper stations
        },
        {
            "code": "si-it-trieste-koper-coast",
            "units": {"SI": "si-pu-koper", "IT": "it-questura-trieste"},
            "names": _names(
                "Trieste – Koper (coast)",
                "Koper – Trst (obala)",
                "Trieste – Capodistria (costa)",
                "Trst – Koper (obala)",
            ),
        },
    ],
    "SI-HR": [
        {
            "code": "si-hr-koper-istria",
            "units": {"SI": "si-pu-koper", "HR": "hr-pu-istarska"},
            "names": _names(
                "Koper – Istria (Dragonja, Buzet)",
                "Koper – Istra (Dragonja, Buzet)",
                "Capodistria – Istria (Dragogna, Pinguente)",
                "Koper – Istra (Dragonja, Buzet)",
            ),
            "to": (45.48, 14.06),  # Ćićarija: Lanišće / Matulji
        },
        {
            "code": "si-hr-koper-primorje-gorski-kotar",
            "units": {"SI": "si-pu-koper", "HR": "hr-pu-primorsko-goranska"},
            "names": _names(
                "Koper – Primorje-Gorski Kotar (Starod, Jelšane)",
                "Koper – Primorsko-goranska (Starod, Jelšane)",
                "Capodistria – Litoraneo-montana (Starod, Jelšane)",
                "Koper – Primorsko-goranska (Pasjak, Rupa)",
            ),
            "to": (45.57, 14.47),  # Snežnik: Ilirska Bistrica / Loška dolina
        },
        {
            "code": "si-hr-ljubljana-primorje-gorski-kotar",
            "units": {"SI": "si-pu-ljubljana", "HR": "hr-pu-primorsko-goranska"},
            "names": _names(
                "Ljubljana – Primorje-Gorski Kotar (Prezid, Čabranka, upper Kupa)",
                "Ljubljana – Primorsko-goranska (Babno Polje, Čabranka, zgornja Kolpa)",
                "Lubiana – Litoraneo-montana (Prezid, Čabranka, alta Kupa)",
                "Ljubljana – Primorsko-goranska (Prezid, Čabranka, gornja Kupa)",
            ),
            "to": (45.49, 14.95),  # Kolpa: Kostel / Črnomelj
        },
        {
            "code": "si-hr-novo-mesto-primorje-gorski-kotar",
            "units": {"SI": "si-pu-novo-mesto", "HR": "hr-pu-primorsko-goranska"},
            "names": _names(
                "Novo mesto – Primorje-Gorski Kotar (Kupa, Stari trg)",
                "Novo mesto – Primorsko-goranska (Kolpa, Stari trg)",
                "Novo mesto – Litoraneo-montana (Kupa, Stari trg)",
                "Novo mesto – Primorsko-goranska (Kupa, Brod Moravice)",
            ),
            "to": (45.455, 15.06),  # Kupa: Brod Moravice / Netretić
        },
        {
            "code": "si-hr-novo-mesto-karlovac",
            "units": {"SI": "si-pu-novo-mesto", "HR": "hr-pu-karlovacka"},
            "names": _names(
                "Novo mesto – Karlovac (Bela krajina, Kupa: Vinica, Metlika)",
                "Novo mesto – Karlovac (Bela krajina, Kolpa: Vinica, Metlika)",
                "Novo mesto – Karlovac (Bela krajina, Kupa: Vinica, Metlika)",
                "Novo mesto – Karlovac (Kupa: Pribanjci, Jurovski Brod)",
            ),
            "to": (45.68, 15.35),  # Žumberak: Ozalj / Žumberak
        },
        {
            "code": "si-hr-novo-mesto-zagreb",
            "units": {"SI": "si-pu-novo-mesto", "HR": "hr-pu-zagrebacka"},
            "names": _names(
                "Novo mesto – Zagreb (Gorjanci / Žumberak, Obrežje, lower Sotla)",
                "Novo mesto – Zagreb (Gorjanci, Obrežje, spodnja Sotla)",
                "Novo mesto – Zagabria (Gorjanci, Obrežje, bassa Sutla)",
                "Novo mesto – Zagreb (Žumberak, Bregana, donja Sutla)",
            ),
            "to": (45.975, 15.68),  # Sotla: Brdovec-Marija Gorica / Kraljevec na Sutli
        },
        {
            "code": "si-hr-novo-mesto-krapina-zagorje",
            "units": {"SI": "si-pu-novo-mesto", "HR": "hr-pu-krapinsko-zagorska"},
            "names": _names(
                "Novo mesto – Krapina-Zagorje (Sotla, Bizeljsko)",
                "Novo mesto – Krapinsko-zagorska (Sotla, Bizeljsko)",
                "Novo mesto – Krapina-Zagorje (Sutla, Bizeljsko)",
                "Novo mesto – Krapinsko-zagorska (Sutla, Kraljevec na Sutli)",
            ),
            "to": (46.04, 15.67),  # Sotla: Brežice / Bistrica ob Sotli
        },
        {
            "code": "si-hr-celje-krapina-zagorje",
            "units": {"SI": "si-pu-celje", "HR": "hr-pu-krapinsko-zagorska"},
            "names": _names(
                "Celje – Krapina-Zagorje (Sotla: Podčetrtek, Rogatec)",
                "Celje – Krapinsko-zagorska (Sotla: Podčetrtek, Rogatec)",
                "Celje – Krapina-Zagorje (Sutla: Podčetrtek, Rogatec)",
                "Celje – Krapinsko-zagorska (Sutla: Kumrovec, Hum na Sutli)",
            ),
            "to": (46.245, 15.77),  # Macelj hills: Rogatec / Žetale
        },
        {
            "code": "si-hr-maribor-krapina-zagorje",
            "units": {"SI": "si-pu-maribor", "HR": "hr-pu-krapinsko-zagorska"},
            "names": _names(
                "Maribor – Krapina-Zagorje (Gruškovje / Macelj)",
                "Maribor – Krapinsko-zagorska (Gruškovje)",
                "Maribor – Krapina-Zagorje (Gruškovje / Macelj)",
                "Maribor – Krapinsko-zagorska (Macelj)",
            ),
            "to": (46.27, 15.91),  # Đurmanec / Bednja
        },
        {
            "code": "si-hr-maribor-varazdin",
            "units": {"SI": "si-pu-maribor", "HR": "hr-pu-varazdinska"},
            "names": _names(
                "Maribor – Varaždin (Haloze, Ormož)",
                "Maribor – Varaždin (Haloze, Ormož)",
                "Maribor – Varaždin (Haloze, Ormož)",
                "Maribor – Varaždin (Trakošćan, Cestica)",
            ),
            "to": (46.395, 16.30),  # Drava: Varaždin / Međimurje counties
        },
        {
            "code": "si-hr-maribor-medimurje",
            "units": {"SI": "si-pu-maribor", "HR": "hr-pu-medimurska"},
            "names": _names(
                "Maribor – Međimurje (Središče ob Dravi)",
                "Maribor – Međimurje (Središče ob Dravi)",
                "Maribor – Međimurje (Središče ob Dravi)",
                "Maribor – Međimurje (Štrigova)",
            ),
            "to": (46.49, 16.27),  # Ormož / Razkrižje
        },
        {
            "code": "si-hr-murska-sobota-medimurje",
            "units": {"SI": "si-pu-murska-sobota", "HR": "hr-pu-medimurska"},
            "names": _names(
                "Murska Sobota – Međimurje (Mura: Razkrižje, Lendava)",
                "Murska Sobota – Međimurje (Mura: Razkrižje, Lendava)",
                "Murska Sobota – Međimurje (Mura: Razkrižje, Lendava)",
                "Murska Sobota – Međimurje (Mura: Sveti Martin, Goričan)",
            ),
        },
    ],
    "HR-BA": [
        {
            "code": "hr-ba-vukovar-srijem",
            "units": {"HR": "hr-pu-vukovarsko-srijemska"},
            "names": _names(
                "Vukovar-Srijem (Sava: Županja, Gunja)",
                "Vukovarsko-sremska (Sava: Županja, Gunja)",
                "Vukovar-Sirmia (Sava: Županja, Gunja)",
                "Vukovarsko-srijemska (Sava: Županja, Gunja)",
            ),
            "to": (45.07, 18.62),  # Sava: Slavonski Šamac / Babina Greda
        },
        {
            "code": "hr-ba-brod-posavina",
            "units": {"HR": "hr-pu-brodsko-posavska"},
            "names": _names(
                "Brod-Posavina (Sava: Slavonski Brod, Stara Gradiška)",
                "Brodsko-posavska (Sava: Slavonski Brod, Stara Gradiška)",
                "Brod-Posavina (Sava: Slavonski Brod, Stara Gradiška)",
                "Brodsko-posavska (Sava: Slavonski Brod, Stara Gradiška)",
            ),
            "to": (45.23, 17.03),  # Sava: Okučani / Jasenovac
        },
        {
            "code": "hr-ba-sisak-moslavina",
            "units": {"HR": "hr-pu-sisacko-moslavacka"},
            "names": _names(
                "Sisak-Moslavina (Sava, Una: Jasenovac, Hrvatska Kostajnica, Dvor)",
                "Sisaško-moslavška (Sava, Una: Jasenovac, Hrvatska Kostajnica, Dvor)",
                "Sisak-Moslavina (Sava, Una: Jasenovac, Hrvatska Kostajnica, Dvor)",
                "Sisačko-moslavačka (Sava, Una: Jasenovac, Hrvatska Kostajnica, Dvor)",
            ),
            "to": (45.215, 15.87),  # Glina / Cetingrad
        },
        {
            "code": "hr-ba-karlovac",
            "units": {"HR": "hr-pu-karlovacka"},
            "names": _names(
                "Karlovac (Cetingrad, Maljevac, Slunj)",
                "Karlovac (Cetingrad, Maljevac, Slunj)",
                "Karlovac (Cetingrad, Maljevac, Slunj)",
                "Karlovačka (Cetingrad, Maljevac, Slunj)",
            ),
            "to": (44.95, 15.74),  # Rakovica / Plitvička Jezera
        },
        {
            "code": "hr-ba-lika-senj",
            "units": {"HR": "hr-pu-licko-senjska"},
            "names": _names(
                "Lika-Senj (Plitvice, Izačić, Donji Lapac)",
                "Liško-senjska (Plitvice, Izačić, Donji Lapac)",
                "Lika-Segna (Plitvice, Izačić, Donji Lapac)",
                "Ličko-senjska (Plitvice, Izačić, Donji Lapac)",
            ),
            "to": (44.45, 16.14),  # Una: Donji Lapac / Gračac
        },
        {
            "code": "hr-ba-zadar",
            "units": {"HR": "hr-pu-zadarska"},
            "names": _names(
                "Zadar (Gračac, Srb)",
                "Zadar (Gračac, Srb)",
                "Zara (Gračac, Srb)",
                "Zadarska (Gračac, Srb)",
            ),
            "to": (44.25, 16.20),  # Gračac / Knin
        },
        {
            "code": "hr-ba-sibenik-knin",
            "units": {"HR": "hr-pu-sibensko-kninska"},
            "names": _names(
                "Šibenik-Knin (Knin, Dinara)",
                "Šibeniško-kninska (Knin, Dinara)",
                "Sebenico-Tenin (Knin, Dinara)",
                "Šibensko-kninska (Knin, Dinara)",
            ),
            "to": (43.98, 16.48),  # Dinara: Civljane / Vrlika
        },
        {
            "code": "hr-ba-split-dalmatia",
            "units": {"HR": "hr-pu-splitsko-dalmatinska"},
            "names": _names(
                "Split-Dalmatia (Sinj, Trilj, Imotski, Vrgorac)",
                "Splitsko-dalmatinska (Sinj, Trilj, Imotski, Vrgorac)",
                "Spalato-Dalmazia (Sinj, Trilj, Imotski, Vrgorac)",
                "Splitsko-dalmatinska (Sinj, Trilj, Imotski, Vrgorac)",
            ),
            "to": (43.13, 17.48),  # Vrgorac / Kula Norinska
        },
        {
            "code": "hr-ba-dubrovnik-neretva",
            "units": {"HR": "hr-pu-dubrovacko-neretvanska"},
            "names": _names(
                "Dubrovnik-Neretva (Metković, Neum, Dubrovnik hinterland)",
                "Dubrovniško-neretvanska (Metković, Neum, zaledje Dubrovnika)",
                "Dubrovnik-Narenta (Metković, Neum, entroterra di Ragusa)",
                "Dubrovačko-neretvanska (Metković, Neum, dubrovačko zaleđe)",
            ),
        },
    ],
    "HR-RS": [
        {
            "code": "hr-rs-vukovar-srijem",
            "units": {"HR": "hr-pu-vukovarsko-srijemska"},
            "names": _names(
                "Vukovar-Srijem (Bajakovo, Tovarnik, Ilok, Danube)",
                "Vukovarsko-sremska (Bajakovo, Tovarnik, Ilok, Donava)",
                "Vukovar-Sirmia (Bajakovo, Tovarnik, Ilok, Danubio)",
                "Vukovarsko-srijemska (Bajakovo, Tovarnik, Ilok, Dunav)",
            ),
            "to": (45.45, 19.03),  # Danube: Borovo / Erdut
        },
        {
            "code": "hr-rs-osijek-baranja",
            "units": {"HR": "hr-pu-osjecko-baranjska"},
            "names": _names(
                "Osijek-Baranja (Danube: Erdut, Batina)",
                "Osiješko-baranjska (Donava: Erdut, Batina)",
                "Osijek-Baranja (Danubio: Erdut, Batina)",
                "Osječko-baranjska (Dunav: Erdut, Batina)",
            ),
        },
    ],
    "HR-ME": [
        {
            "code": "hr-me-dubrovnik-neretva",
            "units": {"HR": "hr-pu-dubrovacko-neretvanska"},
            "names": _names(
                "Dubrovnik-Neretva (Konavle, Karasovići, Prevlaka)",
                "Dubrovniško-neretvanska (Konavle, Karasovići, Prevlaka)",
                "Dubrovnik-Narenta (Canali, Karasovići, Prevlaka)",
                "Dubrovačko-neretvanska (Konavle, Karasovići, Prevlaka)",
            ),
        },
    ],
}

# Within this distance of a cut point the snapped point on the line must lie,
# else the cut is in the wrong place (a typo in the coordinates).
MAX_SNAP_KM = 8.0


# ---------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc of a quantized TopoJSON topology.

    Quantized arcs hold the first position in grid units and each further one
    as the difference to the previous; transform maps the grid to degrees.
    """
    (kx, ky), (x0, y0) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        coords = []
        for dx, dy in arc:
            x += dx
            y += dy
            coords.append((x * kx + x0, y * ky + y0))
        arcs.append(coords)
    return arcs


def arc_ids(arcs: list) -> set[int]:
    """Indices of the arcs used by a geometry's (nested) arc lists; ~i is arc i reversed."""
    out: set[int] = set()
    for item in arcs:
        if isinstance(item, int):
            out.add(item if item >= 0 else ~item)
        else:
            out |= arc_ids(item)
    return out


def ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    coords: list[tuple[float, float]] = []
    for i in indices:
        part = arcs[i] if i >= 0 else arcs[~i][::-1]
        coords.extend(part if not coords else part[1:])  # arcs share their end points
    return coords


def polygons(geometry: dict, arcs: list, frame: BaseGeometry) -> list[Polygon]:
    """A country's polygons clipped to frame (1:10m rings may self-touch: made valid)."""
    rings = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for r in rings:
        made = make_valid(Polygon(ring(r[0], arcs), [ring(hole, arcs) for hole in r[1:]]))
        clipped = made.intersection(frame)
        for g in getattr(clipped, "geoms", [clipped]):
            if g.geom_type == "Polygon" and not g.is_empty:
                out.append(g)
    return sorted(out, key=lambda p: (-p.area, p.bounds))


# ---------------------------------------------------------------- geometry


def rounded(coords) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in coords:
        point = [round(x, DIGITS), round(y, DIGITS)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def ordered_parts(lines: BaseGeometry, start: tuple[float, float]) -> list[list[list[float]]]:
    """The parts of a (Multi)LineString chained from the one nearest to start (lat, lon),
    each oriented to continue where the previous one ended."""
    pending = [list(p.coords) for p in getattr(lines, "geoms", [lines])]
    here = (start[1], start[0])
    out = []

    def gap(a, b):
        return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2

    while pending:
        best = min((min(gap(here, p[0]), gap(here, p[-1])), k) for k, p in enumerate(pending))[1]
        part = pending.pop(best)
        if gap(here, part[-1]) < gap(here, part[0]):
            part.reverse()
        out.append(rounded(part))
        here = tuple(out[-1][-1])
    return out


def as_geometry(parts: list[list[list[float]]]) -> dict:
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


class Line:
    """An ordered multi-part line with a planar measure for cutting it.

    Planar: x = lon * cos(mean lat), y = lat, where straight segments stay
    straight; shapely snaps and cuts there, then coordinates go back to lon/lat.
    """

    def __init__(self, parts: list[list[list[float]]]):
        lats = [y for part in parts for _, y in part]
        self.kx = math.cos(math.radians(sum(lats) / len(lats)))
        self.parts = [LineString([(x * self.kx, y) for x, y in part]) for part in parts]
        self.offsets = []
        total = 0.0
        for part in self.parts:
            self.offsets.append(total)
            total += part.length
        self.length = total

    def measure(self, lat: float, lon: float) -> tuple[float, Point]:
        p = Point(lon * self.kx, lat)
        k = min(range(len(self.parts)), key=lambda i: self.parts[i].distance(p))
        m = self.parts[k].project(p)
        snapped = self.parts[k].interpolate(m)
        return self.offsets[k] + m, Point(snapped.x / self.kx, snapped.y)

    def between(self, m0: float, m1: float) -> list[list[list[float]]]:
        out = []
        for part, off in zip(self.parts, self.offsets, strict=True):
            lo, hi = max(m0 - off, 0.0), min(m1 - off, part.length)
            if hi - lo > 1e-12:
                piece = ops.substring(part, lo, hi)
                coords = rounded((x / self.kx, y) for x, y in piece.coords)
                if len(coords) >= 2:
                    out.append(coords)
        return out


# ---------------------------------------------------------------- building


def build(topology: dict, version: str) -> tuple[dict, dict, dict, list]:
    arcs = decode_arcs(topology)
    geometries = {g.get("id"): g for g in topology["objects"]["countries"]["geometries"]}
    countries = {c: geometries[i] for c, i in COUNTRY_IDS.items()}

    border_features, lines, report = [], {}, []
    for code, (start, official, context_only) in BORDERS.items():
        a, b = code.split("-")
        shared = sorted(arc_ids(countries[a]["arcs"]) & arc_ids(countries[b]["arcs"]))
        if not shared:
            raise SystemExit(f"{code}: the two countries share no arc")
        merged = ops.linemerge([LineString(arcs[i]) for i in shared])
        parts = ordered_parts(merged, start)
        geometry = as_geometry(parts)
        km = round(length_km(geometry), 2)
        lines[code] = parts
        border_features.append(
            {
                "type": "Feature",
                "properties": {
                    "border": code,
                    "countries": [a, b],
                    "context_only": context_only,
                    "length_km": km,
                    "official_length_km": official,
                },
                "geometry": geometry,
            }
        )
        report.append((code, km, official, len(parts)))

    section_features = []
    for code, defs in SECTIONS.items():
        line = Line(lines[code])
        cuts = [0.0]
        for d in defs[:-1]:
            lat, lon = d["to"]
            m, snapped = line.measure(lat, lon)
            off = length_km({"type": "LineString", "coordinates": [(lon, lat), snapped.coords[0]]})
            if off > MAX_SNAP_KM:
                raise SystemExit(f"{d['code']}: cut point {lat}, {lon} is {off:.1f} km off {code}")
            if m <= cuts[-1]:
                raise SystemExit(f"{d['code']}: cut point {lat}, {lon} is out of order")
            cuts.append(m)
        cuts.append(line.length)
        a, b = code.split("-")
        for d, m0, m1 in zip(defs, cuts, cuts[1:], strict=False):
            missing = set(d["units"]) - {a, b}
            if missing:
                raise SystemExit(f"{d['code']}: units of {missing}, not on {code}")
            geometry = as_geometry(line.between(m0, m1))
            section_features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": d["code"],
                        "border": code,
                        "names": d["names"],
                        "units": [d["units"][c] for c in (a, b) if c in d["units"]],
                        "units_by_country": d["units"],
                        "to": list(d["to"]) if "to" in d else None,
                        "length_km": round(length_km(geometry), 2),
                    },
                    "geometry": geometry,
                }
            )

    south, west, north, east = REGION
    frame = box(west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    country_features = []
    for c in sorted(COUNTRY_IDS):
        country_features.append(
            {
                "type": "Feature",
                "properties": {"country": c},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [rounded(p.exterior.coords), *(rounded(r.coords) for r in p.interiors)]
                        for p in polygons(countries[c], arcs, frame)
                    ],
                },
            }
        )
    return (
        collection(border_features, version),
        collection(section_features, version),
        collection(country_features, version),
        report,
    )


def collection(features: list[dict], version: str) -> dict:
    return {
        "type": "FeatureCollection",
        "source": f"Natural Earth 1:10m admin-0 countries, npm world-atlas {version} "
        "(countries-10m.json); written by scripts/extract_borders.py",
        "features": features,
    }


def dumps(fc: dict) -> str:
    """One feature per line, keys sorted: stable and readable in a diff."""
    head = {k: v for k, v in fc.items() if k != "features"}
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False) for f in fc["features"]]
    body = ",\n".join(lines)
    meta = json.dumps(head, sort_keys=True, ensure_ascii=False)[1:-1]
    return '{"features": [\n' + body + "\n], " + meta + "}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source} is missing: run `npm ci` first", file=sys.stderr)
        return 2
    topology = json.loads(args.source.read_text(encoding="utf-8"))
    version = json.loads((args.source.parent / "package.json").read_text("utf-8"))["version"]
    borders_fc, sections_fc, countries_fc, report = build(topology, version)

    for code, km, official, parts in report:
        ratio = km / official
        note = "ok" if 0.5 <= ratio <= 1.05 else "CHECK: far from the official length"
        print(
            f"{code}  {km:8.1f} km  ({parts} part(s); official ~{official} km, {ratio:.0%}) {note}"
        )
    lengths = {code: km for code, km, _, _ in report}
    features = [f["properties"] for f in sections_fc["features"]]
    for border in SECTIONS:
        mine = [p for p in features if p["border"] == border]
        total = sum(p["length_km"] for p in mine)
        print(f"{border} sections: {total:.1f} km of {lengths[border]:.1f} km")
        for p in mine:
            print(f"  {p['code']:42} {p['length_km']:7.1f} km  {', '.join(p['units'])}")

    outputs = {
        OUT / "borders.geojson": dumps(borders_fc),
        OUT / "sections.geojson": dumps(sections_fc),
        OUT / "countries.geojson": dumps(countries_fc),
    }
    differ = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for p in differ:
            print(f"out of date: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if differ else 0
    for p, text in outputs.items():
        p.write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(str(p.relative_to(ROOT)) for p in outputs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
