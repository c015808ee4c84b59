"""Incident exports read by standard readers: csv.DictReader, openpyxl and a
GeoJSON reader find the header first and the handling code on every row."""

import csv
import io
import json
from datetime import datetime

from openpyxl import load_workbook

from tromeja import testing
from tromeja.core.exports import HANDLING_COLUMNS


def _reports(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    return {
        code: testing.incident(
            si_duty,
            validate_by=si_sup,
            handling_code=code,
            handling_note="Samo za policijo." if code == "H3" else "",
        )
        for code in ("H0", "H1", "H3")
    }


def _export(persona, fmt, query=""):
    client = testing.client_for(persona("sl_duty"))
    response = client.post(f"/incidents/export/{query}", {"format": fmt})
    assert response.status_code == 200
    return response


def test_a_csv_export_starts_with_its_header_and_stamps_every_row(persona):
    reports = _reports(persona)
    response = _export(persona, "csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["reference"] for r in rows} == {r.reference for r in reports.values()}
    for row in rows:
        assert set(HANDLING_COLUMNS) <= row.keys()
        assert row["handling"].startswith(row["handling_code"])
        datetime.fromisoformat(row["occurred_at"])
    by_code = {r["handling_code"]: r for r in rows}
    assert by_code["H3"]["handling_note"] == "Samo za policijo."
    assert by_code["H0"]["handling_note"] == "" and by_code["H1"]["handling_note"] == ""


def test_an_xlsx_export_has_the_header_first_date_cells_and_a_stamp_column(persona):
    reports = _reports(persona)
    response = _export(persona, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "reference" and set(HANDLING_COLUMNS) <= set(header)
    assert len(body) == len(reports)
    column = {name: i for i, name in enumerate(header)}
    for row in body:
        assert isinstance(row[column["occurred_at"]], datetime)
        assert isinstance(row[column["aware_at"]], datetime)
        assert row[column["handling"]].startswith(row[column["handling_code"]])
    h3 = next(r for r in body if r[column["handling_code"]] == "H3")
    assert h3[column["handling_note"]] == "Samo za policijo."


def test_a_geojson_export_carries_the_handling_code_in_every_feature(persona):
    reports = _reports(persona)
    response = _export(persona, "geojson")
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(reports)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        properties = feature["properties"]
        # Flat properties: what GDAL turns into the layer's fields.
        assert all(not isinstance(v, dict | list) for v in properties.values())
        assert properties["handling"].startswith(properties["handling_code"])
    h3 = next(f for f in collection["features"] if f["properties"]["handling_code"] == "H3")
    assert h3["properties"]["handling_note"] == "Samo za policijo."


def test_the_file_name_carries_the_highest_handling_code_of_the_content(persona):
    _reports(persona)
    everything = _export(persona, "csv")["Content-Disposition"]
    assert 'filename="incidents-H3-' in everything and everything.endswith('.csv"')
    # The filters choose the content, and the content the name.
    none = _export(persona, "geojson", "?q=nothing-matches")["Content-Disposition"]
    assert 'filename="incidents-H0-' in none and none.endswith('.geojson"')
