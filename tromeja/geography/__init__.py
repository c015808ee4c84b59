"""Geography of the cooperation: the state borders, their sections and the
units that hold them, and the main border crossing points.

The data files in ``data/`` are generated (borders, sections, countries) by
``scripts/extract_borders.py`` from Natural Earth 1:10m (npm package
``world-atlas``), the basemap's lakes (water.geojson) by ``scripts/extract_water.py``
from OpenStreetMap (npm package ``@geo-maps/earth-lakes-10m``), the gazetteer
(places.json) by ``scripts/extract_places.py`` from GeoNames, or kept by hand
(crossings, units to add). ``locate`` answers,
for a coordinate, which border section and unit it falls to and which crossing
point is nearest. This package has no models; importing it loads nothing.
"""
