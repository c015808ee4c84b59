"""Incident exports through the API: the page's service, the same rule for
who exports what, the file at once or a job, and the negative cases."""

import csv
import io
import json

from django.test import Client, override_settings

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry, Job
from tromeja.incidents import exports

URL = "/api/v1/incidents/exports"


def _post(client, fmt="csv", query=""):
    return client.post(
        f"{URL}{query}", json.dumps({"format": fmt}), content_type="application/json"
    )


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_small_export_is_answered_with_the_file_and_logged(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    it_duty, it_sup = persona("it_duty"), persona("it_supervisor")
    ours = testing.incident(si_duty, validate_by=si_sup, handling_code="H1")
    italian = testing.incident(
        it_duty, validate_by=it_sup, handling_code="H2", distribution="named", shared_with=["SI"]
    )
    national_italian = testing.incident(it_duty, validate_by=it_sup)
    response = _post(testing.client_for(si_duty))
    assert response.status_code == 200
    assert 'filename="incidents-H2-' in response["Content-Disposition"]
    rows = {r["reference"]: r for r in _rows(response.content)}
    assert set(rows) == {ours.reference, italian.reference}
    assert national_italian.reference not in rows
    assert rows[italian.reference]["handling"].startswith("H2")
    logged = AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, actor_username="sl_duty", detail__channel="export-csv"
    )
    assert set(logged.values_list("object_id", flat=True)) == {str(ours.pk), str(italian.pk)}


def test_the_api_export_takes_the_lists_filters_and_each_format(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    validated = testing.incident(si_duty, validate_by=si_sup)
    draft = testing.incident(si_duty)
    client = testing.client_for(si_duty)
    rows = _rows(_post(client, query="?status=validated").content)
    assert [r["reference"] for r in rows] == [validated.reference]
    geo = json.loads(_post(client, "geojson", "?status=draft").content)
    assert [f["properties"]["reference"] for f in geo["features"]] == [draft.reference]
    xlsx = _post(client, "xlsx")
    assert xlsx["Content-Type"] == exports.FORMATS["xlsx"]
    bad = _post(client, "exe")
    assert bad.status_code == 422 and "format" in json.dumps(bad.json())


def test_the_api_export_refuses_anonymous_callers_and_roles_without_export(persona):
    testing.incident(persona("sl_duty"))
    assert _post(Client()).status_code == 401
    assert _post(testing.client_for(persona("sl_border"))).status_code == 403
    assert Client().get(f"{URL}/1").status_code == 401


@override_settings(TROMEJA_EXPORT_INLINE_MAX=1)
def test_a_large_export_is_a_job_whose_file_only_its_requester_reads(persona):
    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    hr_duty, hr_sup = persona("hr_duty"), persona("hr_supervisor")
    ours = [testing.incident(si_duty, validate_by=si_sup) for _ in range(2)]
    croatian = testing.incident(hr_duty, validate_by=hr_sup, handling_code="H2")
    client = testing.client_for(si_duty)
    response = _post(client, "csv", "?status=validated")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"], kind=exports.KIND)
    assert job.requested_by == si_duty and response.json()["file_url"] is None
    assert job.params["filters"] == {"status": "validated"}
    progress = client.get(f"{URL}/{job.pk}")
    assert progress.status_code == 200 and progress.json()["status"] == "queued"
    exports.run_export(job.pk)
    done = client.get(f"{URL}/{job.pk}").json()
    assert done["status"] == "done" and done["result"]["exported"] == 2
    assert done["file_url"] == f"{URL}/{job.pk}/file"
    download = client.get(done["file_url"])
    assert download.status_code == 200
    rows = _rows(b"".join(download.streaming_content))
    # Croatia's national report is never in Slovenia's file.
    assert {r["reference"] for r in rows} == {r.reference for r in ours}
    assert croatian.reference not in {r["reference"] for r in rows}
    # Someone else's job does not exist for them; without the role, 403.
    other = testing.client_for(hr_duty)
    assert other.get(f"{URL}/{job.pk}").status_code == 404
    assert other.get(f"{URL}/{job.pk}/file").status_code == 404
    assert testing.client_for(persona("sl_border")).get(f"{URL}/{job.pk}").status_code == 403
    logged = AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, detail__channel="export-csv")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in ours)


def test_a_national_system_exports_with_its_personal_token(persona):
    from tromeja.accounts.services import create_api_token

    si_duty, si_sup = persona("sl_duty"), persona("sl_supervisor")
    report = testing.incident(si_duty, validate_by=si_sup)
    _token, secret = create_api_token(user=si_duty, name="national system", scope="write", days=30)
    response = Client().post(
        URL,
        json.dumps({"format": "csv"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    assert [r["reference"] for r in _rows(response.content)] == [report.reference]
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, actor_username="sl_duty", object_id=str(report.pk)
    ).exists()
