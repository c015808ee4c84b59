"""Exports of the incident list: visibility, handling codes, formulas, audit."""

import csv
import io
import json

from django.test import override_settings
from openpyxl import load_workbook

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry


def test_exports_honour_visibility_and_handling_codes(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    it_duty, it_sup = persona("it_duty"), persona("it_supervisor")
    hr_duty = persona("hr_duty")
    h1 = testing.incident(
        si_duty,
        handling_code="H1",
        distribution="partners",
        validate_by=si_sup,
        place_name="=cmd|' /C calc'!A0",
    )
    h2_italian = testing.incident(
        it_duty,
        handling_code="H2",
        distribution="partners",
        validate_by=it_sup,
        latitude=45.65,
        longitude=13.84,
    )
    national = testing.incident(si_duty, validate_by=si_sup)
    client = testing.client_for(si_duty)
    response = client.post("/incidents/export/", {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    refs = {r["reference"]: r for r in rows}
    assert h1.reference in refs and national.reference in refs
    assert refs[h1.reference]["handling"].startswith("H1")
    # Italy's H2 report is in Slovenia's own copy, stamped: an export is not a passing-on.
    assert refs[h2_italian.reference]["handling"].startswith("H2")
    exported = AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, actor_username="sl_duty", detail__channel="export-csv"
    )
    assert {e.object_id for e in exported} == {str(h1.pk), str(national.pk), str(h2_italian.pk)}
    # Croatia exports only what it may see.
    hr_rows = testing.client_for(hr_duty).post("/incidents/export/", {"format": "csv"})
    hr_text = hr_rows.content.decode("utf-8-sig")
    assert h1.reference in hr_text and national.reference not in hr_text


def test_xlsx_and_geojson_exports(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    report = testing.incident(si_duty, validate_by=si_sup, handling_code="H1")
    client = testing.client_for(si_duty)
    xlsx = client.post("/incidents/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "reference" and values[1][0] == report.reference
    geo = json.loads(client.post("/incidents/export/", {"format": "geojson"}).content)
    assert geo["features"][0]["properties"]["reference"] == report.reference
    assert geo["features"][0]["properties"]["handling"].startswith("H1")


def test_export_refuses_bad_formats_and_roles(persona):
    testing.incident(persona("sl_border"))
    client = testing.client_for(persona("sl_duty"))
    response = client.post("/incidents/export/", {"format": "exe"})
    assert response.status_code == 302
    assert testing.client_for(persona("sl_border")).post("/incidents/export/").status_code == 403
    assert testing.client_for(persona("sl_duty")).get("/incidents/export/").status_code == 405


@override_settings(TROMEJA_EXPORT_INLINE_MAX=2)
def test_a_long_export_runs_in_the_background_with_progress(persona):
    from tromeja.core.choices import JobStatus
    from tromeja.core.models import Job
    from tromeja.incidents import exports

    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    it_duty, it_sup = persona("it_duty"), persona("it_supervisor")
    ours = [testing.incident(si_duty, validate_by=si_sup) for _ in range(3)]
    italian = testing.incident(
        it_duty,
        handling_code="H2",
        distribution="partners",
        validate_by=it_sup,
        latitude=45.65,
        longitude=13.84,
    )
    client = testing.client_for(si_duty)
    response = client.post("/incidents/export/?status=validated", {"format": "csv"})
    job = Job.objects.get(kind=exports.KIND)
    assert response["Location"] == f"/incidents/jobs/{job.pk}/"
    assert job.params["filters"] == {"status": "validated"}
    waiting = client.get(f"/incidents/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" in waiting.content
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.total == 4
    assert job.result["exported"] == 4
    page = client.get(f"/incidents/jobs/{job.pk}/").content.decode()
    assert "4 reports exported" in page and "withheld" not in page
    download = client.get(f"/incidents/jobs/{job.pk}/{job.result['file']}")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert all(r.reference in text for r in ours)
    # The file is the requester's alone; a Croatian officer does not reach it.
    other = testing.client_for(persona("hr_duty"))
    assert other.get(f"/incidents/jobs/{job.pk}/{job.result['file']}").status_code == 404
    # One disclosure entry per exported report, the partner's H2 report included.
    logged = AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, detail__channel="export-csv")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(r.pk) for r in [*ours, italian]
    )
