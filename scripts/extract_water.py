#!/usr/bin/env python3
"""Extract the lakes and reservoirs of the region from OpenStreetMap water polygons.

Reads map.geo.json of the npm package @geo-maps/earth-lakes-10m (pinned in
package.json as a development dependency: OpenStreetMap lakes and reservoirs,
© OpenStreetMap contributors, ODbL; one GeoJSON GeometryCollection of
MultiPolygons) and writes tromeja/geography/data/water.geojson: one feature of
layer "lake", a MultiPolygon clipped to the cooperation region
(``locate.REGION``), simplified to SIMPLIFY degrees (~40 m) and without the
lakes smaller than MIN_AREA square degrees (~0.85 km²: the package draws
smaller lakes as specks of 3-5 vertices), with coordinates rounded to DIGITS
decimals. The map draws them on the overview only (tromeja/static/tromeja/map.js,
LAKES_MAX_ZOOM): closer up their coarse outlines show.

No rivers: the package of the same series that holds them
(@geo-maps/earth-rivers-100m) has the region's rivers only as scattered
pieces (along the Sava near Zagreb, 31 separate triangles and quadrilaterals
of 4-6 vertices; no Korana, Glina or Kupa to speak of), which the map would
show as blue specks rather than rivers. LAYERS is where a river package would go.

    npm ci                                        # installs the package
    .venv/bin/python scripts/extract_water.py           # rewrites water.geojson
    .venv/bin/python scripts/extract_water.py --check   # exit 1 if it differs

The output is deterministic: a re-run on the same package versions gives a
byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tromeja.geography.locate import REGION  # noqa: E402

OUT = ROOT / "tromeja" / "geography" / "data" / "water.geojson"
LAYERS = {"lake": "@geo-maps/earth-lakes-10m"}  # layer -> npm package
SIMPLIFY = {"lake": 0.0005}
MIN_AREA = {"lake": 1e-4}
DIGITS = 5


def source_path(layer: str) -> Path:
    return ROOT / "node_modules" / LAYERS[layer] / "map.geo.json"


def _parts(geometry):
    return getattr(geometry, "geoms", [geometry])


def extract(layer: str, path: Path | None = None):
    """The layer's water inside the region, as one shapely MultiPolygon."""
    import shapely
    from shapely.geometry import MultiPolygon, box, shape

    south, west, north, east = REGION
    region = box(west, south, east, north)
    with (path or source_path(layer)).open(encoding="utf-8") as fh:
        collection = json.load(fh)
    pieces = []
    for geometry in collection["geometries"]:
        for polygon in geometry["coordinates"]:
            ring = polygon[0]
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue
            part = shape({"type": "Polygon", "coordinates": polygon})
            if not part.is_valid:
                part = shapely.make_valid(part)
            pieces.append(part)
    water = shapely.intersection(shapely.union_all(pieces), region)
    water = water.simplify(SIMPLIFY[layer], preserve_topology=True)
    water = shapely.set_precision(water, 10**-DIGITS)
    kept = [
        p
        for g in _parts(water)
        for p in _parts(g)
        if p.geom_type == "Polygon" and p.area >= MIN_AREA[layer]
    ]
    kept.sort(key=lambda p: (round(p.bounds[0], DIGITS), round(p.bounds[1], DIGITS)))
    return MultiPolygon(kept)


def _coords(ring) -> list[list[float]]:
    return [[round(x, DIGITS), round(y, DIGITS)] for x, y in ring.coords]


def build() -> str:
    features = []
    for layer in LAYERS:
        polygons = [
            [_coords(p.exterior)] + [_coords(r) for r in p.interiors] for p in extract(layer).geoms
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"layer": layer},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    about = (
        "Lakes and reservoirs (© OpenStreetMap contributors, ODbL) from the npm package "
        "@geo-maps/earth-lakes-10m, clipped to the cooperation region and simplified; "
        "written by scripts/extract_water.py."
    )
    lines = [json.dumps(f, separators=(",", ":")) for f in features]
    return (
        '{"type":"FeatureCollection","about":'
        + json.dumps(about)
        + ',"features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if water.geojson differs")
    args = parser.parse_args()
    text = build()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/extract_water.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
