"""Import of reports from CSV and XLSX: whole file or nothing, valid rows only
with the rejected ones returned, encodings, formulas, size limit, progress."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from tromeja import testing
from tromeja.core.choices import AuditAction, JobStatus
from tromeja.core.models import AuditEntry, Job
from tromeja.incidents import imports
from tromeja.incidents.choices import EntityKind, Status, Transport
from tromeja.incidents.models import EntityRef, Incident

HEADER = [
    "type",
    "occurred_at",
    "aware_at",
    "latitude",
    "longitude",
    "detection_method",
    "transport",
    "impact_level",
    "confidence",
    "persons_total",
    "counts",
    "vehicles",
    "phones",
    "place_name",
]


def row(i: int, **overrides) -> dict:
    at = timezone.localtime() - timedelta(days=2, minutes=i)
    values = {
        "type": "irregular_crossing",
        "occurred_at": at.strftime("%Y-%m-%d %H:%M"),
        "aware_at": (at + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M"),
        "latitude": f"{testing.NEAR_OBREZJE[0] + (i % 50) * 0.0001:.5f}",
        "longitude": f"{testing.NEAR_OBREZJE[1]:.5f}",
        "detection_method": "surveillance",
        "transport": "on_foot",
        "impact_level": "low",
        "confidence": "confirmed",
        "persons_total": "3",
        "counts": "AF|m|adult|2;AF|m|minor|1|1",
        "vehicles": f"LJ {i:03d}-AB|SI|Škoda|Octavia|grey" if i % 10 == 0 else "",
        "phones": "+386 40 123 456" if i == 1 else "",
        "place_name": f"Obrežje {i}",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, *, encoding="utf-8", delimiter=",", header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(c, "") for c in header])
    return out.getvalue().encode(encoding)


def upload(client, data: bytes, name="reports.csv", mode="all", submit=False):
    file = io.BytesIO(data)
    file.name = name
    body = {"file": file, "mode": mode}
    if submit:
        body["submit"] = "on"
    return client.post("/incidents/import/", body)


def run_last_job(client) -> Job:
    job = Job.objects.latest("pk")
    imports.run_import(job.pk)
    job.refresh_from_db()
    return job


def test_one_bad_row_in_a_thousand_imports_nothing_and_names_row_and_field(persona):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    rows = [row(i) for i in range(1000)]
    rows[500]["latitude"] = "forty-five"  # line 502 of the file (the header is line 1)
    response = upload(client, csv_bytes(rows))
    job = Job.objects.get(requested_by=officer)
    assert response.status_code == 302 and response["Location"] == f"/incidents/jobs/{job.pk}/"
    job = run_last_job(client)
    assert job.status == JobStatus.DONE and job.result["outcome"] == "refused"
    assert Incident.objects.count() == 0 and EntityRef.objects.count() == 0
    assert job.result["errors"] == [
        {"row": 502, "column": "latitude", "message": "“forty-five” is not a number."}
    ]
    page = client.get(f"/incidents/jobs/{job.pk}/").content.decode()
    assert "Nothing was imported: 1 row has errors" in page and "502" in page
    assert "UTF-8" in page


def test_valid_rows_only_imports_999_and_returns_the_rejected_row_with_its_reason(persona):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    rows = [row(i) for i in range(1000)]
    rows[7]["counts"] = "AF|m|adult|2"  # adds up to 2, not 3
    upload(client, csv_bytes(rows), mode="valid")
    job = run_last_job(client)
    assert job.result["outcome"] == "partial"
    assert job.result["imported"] == 999 and job.result["rejected"] == 1
    assert Incident.objects.filter(owner_country="SI", status=Status.DRAFT).count() == 999
    assert not Incident.objects.filter(place_name="Obrežje 7").exists()
    # References are allocated in one block, without gaps.
    refs = sorted(Incident.objects.values_list("reference", flat=True))
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == list(range(numbers[0], numbers[0] + 999))
    # Lists were read and indexed for the cross-match.
    assert EntityRef.objects.filter(kind=EntityKind.VEHICLE).count() == 100
    assert EntityRef.objects.filter(kind=EntityKind.PHONE, key="+38640123456").exists()
    download = client.get(f"/incidents/jobs/{job.pk}/{job.result['rejected_file']}")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [*HEADER, "errors"] and len(lines) == 2
    assert lines[1][HEADER.index("place_name")] == "Obrežje 7"
    assert "adds up to 2 persons, not 3" in lines[1][-1]
    # Each imported report has its collection entry, with the session's purpose.
    collected = AuditEntry.objects.filter(action=AuditAction.COLLECTION, actor_username="sl_border")
    assert collected.count() == 999
    assert set(collected.values_list("purpose", flat=True)) == {"case 2026/117"}


def test_the_rejected_file_once_corrected_imports(persona):
    client = testing.client_for(persona("sl_border"))
    rows = [row(1), row(2, transport="spaceship")]
    upload(client, csv_bytes(rows), mode="valid")
    job = run_last_job(client)
    rejected = b"".join(
        client.get(f"/incidents/jobs/{job.pk}/{job.result['rejected_file']}").streaming_content
    ).decode("utf-8-sig")
    assert "“spaceship” is not one of" in rejected
    fixed = rejected.replace("spaceship", "car").encode("utf-8-sig")
    # The reasons column is not part of an import: remove it first.
    lines = list(csv.reader(io.StringIO(fixed.decode("utf-8-sig"))))
    again = csv_bytes([dict(zip(lines[0][:-1], line[:-1], strict=True)) for line in lines[1:]])
    upload(client, again)
    assert run_last_job(client).result["imported"] == 1
    assert Incident.objects.count() == 2


@pytest.mark.parametrize(
    "encoding, delimiter, label",
    [
        ("utf-8", ",", "UTF-8"),
        ("utf-8-sig", ";", "UTF-8 with byte-order mark"),
        ("cp1250", ";", "Windows-1250 (Central European)"),
    ],
)
def test_encodings_are_detected_and_said(persona, encoding, delimiter, label):
    client = testing.client_for(persona("sl_border"))
    place = "Čatež ob Savi, Šentilj, Žuženberk, Đakovo, Ćuprija"
    data = csv_bytes(
        [row(1, place_name=place, latitude="45,852")], encoding=encoding, delimiter=delimiter
    )
    upload(client, data)
    job = run_last_job(client)
    assert job.result["encoding"] == encoding and job.result["imported"] == 1
    report = Incident.objects.get()
    assert report.place_name == place and report.latitude == pytest.approx(45.852)
    page = client.get(f"/incidents/jobs/{job.pk}/").content.decode()
    assert label in page


def test_text_that_is_neither_utf8_nor_windows_1250_is_refused(persona):
    client = testing.client_for(persona("sl_border"))
    # 0x98 is undefined in Windows-1250 and invalid alone in UTF-8.
    upload(client, csv_bytes([row(1)]) + b"\x98\n")
    job = run_last_job(client)
    assert job.result["outcome"] == "refused"
    assert "neither UTF-8 nor Windows-1250" in job.result["file_error"]
    assert Incident.objects.count() == 0


def test_formulas_are_refused_in_csv_cells_naming_row_and_column(persona):
    client = testing.client_for(persona("sl_border"))
    rows = [row(1), row(2, place_name='=HYPERLINK("http://x","y")'), row(3, narrative="@SUM(1)")]
    header = [*HEADER, "narrative"]
    upload(client, csv_bytes(rows, header=header))
    job = run_last_job(client)
    assert Incident.objects.count() == 0
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (3, "place_name"),
        (4, "narrative"),
    ]
    assert "Formulas are not imported" in job.result["errors"][0]["message"]
    # A phone number or a negative number is not a formula.
    assert not imports.looks_like_formula("+386 40 123 456")
    assert not imports.looks_like_formula("-12.5")
    assert imports.looks_like_formula("-2+3*cmd")


def xlsx_bytes(rows, *, formula_at=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append([r.get(c) for c in HEADER])
    if formula_at:
        sheet[formula_at] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_typed_cells_imports_and_formulas_are_refused(persona):
    client = testing.client_for(persona("hr_border"))
    at = datetime.now() - timedelta(days=1)  # a naive time: the officer's local time
    typed = row(
        1,
        occurred_at=at,
        aware_at=at + timedelta(hours=1),
        latitude=45.155,
        longitude=15.735,
        persons_total=3,
    )
    upload(client, xlsx_bytes([typed]), name="izvjesca.xlsx")
    job = run_last_job(client)
    assert job.result["encoding"] == "xlsx" and job.result["imported"] == 1
    report = Incident.objects.get()
    assert report.owner_country_id == "HR" and report.reference.startswith("HR-")
    upload(client, xlsx_bytes([row(2)], formula_at="D2"), name="formula.xlsx")
    job = run_last_job(client)
    assert job.result["outcome"] == "refused"
    assert "Row 2, column D holds a formula" in job.result["file_error"]
    assert Incident.objects.count() == 1


def test_xlsx_rejected_rows_come_back_as_xlsx(persona):
    client = testing.client_for(persona("sl_border"))
    upload(client, xlsx_bytes([row(1), row(2, impact_level="huge")]), name="r.xlsx", mode="valid")
    job = run_last_job(client)
    assert job.result["rejected_file"] == "rejected.xlsx"
    content = b"".join(client.get(f"/incidents/jobs/{job.pk}/rejected.xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][-1] == "errors" and "huge" in values[1][-1]


def test_labels_in_any_language_decimal_commas_and_local_dates_are_understood(persona):
    client = testing.client_for(persona("sl_border"))
    with translation.override("sl"):
        on_foot = str(Transport.ON_FOOT.label)
    local = timezone.localtime() - timedelta(days=3)
    data = csv_bytes(
        [
            row(
                1,
                transport=on_foot,
                occurred_at=local.strftime("%d.%m.%Y %H:%M"),
                aware_at=local.strftime("%d.%m.%Y. %H:%M"),
            )
        ]
    )
    upload(client, data)
    assert run_last_job(client).result["imported"] == 1
    report = Incident.objects.get()
    assert report.transport == "on_foot"
    assert report.occurred_at == local.replace(second=0, microsecond=0)


def test_file_level_problems_are_reported_and_nothing_is_imported(persona):
    client = testing.client_for(persona("sl_border"))
    for data, message in [
        (csv_bytes([row(1)], header=[*HEADER, "colour_of_sky"]), "Unknown columns: colour_of_sky"),
        (csv_bytes([row(1)], header=HEADER[1:]), "Missing columns: type"),
        (b"type,occurred_at\n", "Missing columns"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Old Excel files"),
        (b"   \n", "The file is empty"),
    ]:
        upload(client, data)
        job = run_last_job(client)
        assert job.result["outcome"] == "refused" and message in job.result["file_error"]
    assert Incident.objects.count() == 0


def test_follow_ups_link_to_earlier_reports_the_user_may_see(persona):
    officer = persona("sl_border")
    earlier = testing.incident(officer)
    hidden = testing.incident(persona("it_duty"))  # Italy's national report
    client = testing.client_for(officer)
    header = [*HEADER, "follows", "related"]
    rows = [row(1, follows=earlier.reference), row(2, related=hidden.reference)]
    upload(client, csv_bytes(rows, header=header), mode="valid")
    job = run_last_job(client)
    assert job.result["imported"] == 1
    message = f"There is no report “{hidden.reference}” that you can see."
    assert job.result["errors"] == [{"row": 3, "column": "related", "message": message}]
    assert Incident.objects.get(place_name="Obrežje 1").follows == earlier


def test_a_submitted_import_goes_to_the_supervisor_with_the_24_hour_rule(persona):
    client = testing.client_for(persona("sl_border"))
    upload(client, csv_bytes([row(1)]), submit=True)
    run_last_job(client)
    report = Incident.objects.get()
    assert report.status == Status.SUBMITTED and report.late_report  # aware two days ago


@override_settings(TROMEJA_MAX_UPLOAD_MB=1)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(persona):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    response = upload(client, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    assert Job.objects.count() == 0

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().post("/incidents/import/", data=b"", content_type="text/csv")
    request.META["CONTENT_LENGTH"] = str(200 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    from django.contrib.sessions.backends.db import SessionStore

    from tromeja.core.middleware import UploadLimitMiddleware

    request.session = SessionStore()
    refused = UploadLimitMiddleware(lambda r: r.body)(request)
    # No hop-by-hop header: waitress answers an application that sets one with a 500.
    assert refused.status_code == 413 and not refused.has_header("Connection")
    assert "200 MB" in refused.content.decode()
    api = testing.client_for(officer).post(
        "/api/v1/incidents/imports", data=b"x" * (2 * 1024 * 1024), content_type="text/csv"
    )
    assert api.status_code == 413 and "at most 1 MB" in api.json()["detail"]


@override_settings(TROMEJA_MAX_UPLOAD_MB=1)
def test_the_size_limit_speaks_the_users_language(persona):
    officer = persona("sl_duty")
    officer.language = "sl"  # a Slovenian-speaking officer
    officer.save()
    client = testing.client_for(officer)
    with translation.override("sl"):
        from django.utils.translation import gettext

        expected = gettext("File too large")
    response = upload(client, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413 and expected in response.content.decode()
    assert expected != "File too large"


def test_import_pages_refuse_anonymous_wrong_roles_and_other_users(persona, client):
    assert client.get("/incidents/import/").status_code == 302
    assert client.get("/incidents/import/template.csv").status_code == 302
    for name in ("sl_admin", "sl_dpo", "outsider"):
        other = testing.client_for(persona(name))
        assert other.get("/incidents/import/").status_code == 403
        assert upload(other, csv_bytes([row(1)])).status_code == 403
    officer = testing.client_for(persona("sl_border"))
    upload(officer, csv_bytes([row(1), row(2, type="x")]), mode="valid")
    job = run_last_job(officer)
    own = f"/incidents/jobs/{job.pk}/"
    assert officer.get(own).status_code == 200
    assert officer.get(own + "errors.csv").status_code == 200
    assert officer.get(own + "upload").status_code == 404  # only the offered files
    assert officer.get(own + "..%2Fsecret").status_code == 404
    for name in ("sl_duty", "hr_duty", "it_duty"):  # same country or not: not theirs
        other = testing.client_for(persona(name))
        assert other.get(own).status_code == 404
        assert other.get(own + "errors.csv").status_code == 404
        assert other.get(f"/api/v1/incidents/imports/{job.pk}").status_code == 404
    assert Incident.objects.count() == 1


def test_the_template_is_a_valid_import_file(persona):
    client = testing.client_for(persona("hr_border"))
    template = client.get("/incidents/import/template.csv")
    assert template.status_code == 200
    data = template.content
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == list(imports.COLUMNS)
    upload(client, data)
    assert run_last_job(client).result["imported"] == 1


def test_the_import_api_queues_a_job_and_reports_it(persona):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    file = io.BytesIO(csv_bytes([row(1), row(2)]))
    file.name = "api.csv"
    response = client.post("/api/v1/incidents/imports", {"file": file, "mode": "valid"})
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    imports.run_import(job_id)
    status = client.get(f"/api/v1/incidents/imports/{job_id}").json()
    assert status["status"] == "done" and status["result"]["imported"] == 2
    no_file = client.post("/api/v1/incidents/imports", {"mode": "all"})
    assert no_file.status_code == 422
    analyst = testing.client_for(persona("sl_dpo"))
    file.seek(0)
    assert analyst.post("/api/v1/incidents/imports", {"file": file}).status_code == 403


# Transactional: the production worker picks the job up and commits as in production.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_import_with_progress(reference_data, persona):
    client = testing.client_for(persona("sl_border"))
    upload(client, csv_bytes([row(i) for i in range(30)]))
    job = Job.objects.get()
    queued = client.get(f"/incidents/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" in queued.content and b"Waiting for a worker" in queued.content
    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["imported"] == 30
    done = client.get(f"/incidents/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" not in done.content and b"30 reports imported" in done.content
    # Running the task again (a worker restarted) does not import twice.
    imports.run_import(job.pk)
    assert Incident.objects.count() == 30


def test_a_large_file_is_checked_on_every_core_with_the_same_outcome(persona, monkeypatch):
    officer = persona("sl_border")
    client = testing.client_for(officer)
    rows = [row(i) for i in range(60)]
    rows[9]["latitude"] = "north"
    rows[41]["counts"] = "AF|m|adult|1"
    data = csv_bytes(rows)
    upload(client, data, mode="valid")
    serial = run_last_job(client)
    Incident.objects.all().delete()
    monkeypatch.setattr(imports, "PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(imports, "_CHUNK", 7)
    monkeypatch.setattr(imports, "CHECK_WORKERS", 2)
    from tromeja.core import procs

    pools = []
    real_pool = procs.pool
    monkeypatch.setattr(procs, "pool", lambda *a: pools.append(a[0]) or real_pool(*a))
    upload(client, data, mode="valid")
    parallel = run_last_job(client)
    assert pools == [2]  # the rows were checked by two worker processes
    assert parallel.result["errors"] == serial.result["errors"]
    assert [e["row"] for e in parallel.result["errors"]] == [11, 43]
    assert parallel.result["imported"] == 58 == Incident.objects.count()
    places = set(Incident.objects.values_list("place_name", flat=True))
    assert places == {f"Obrežje {i}" for i in range(60)} - {"Obrežje 9", "Obrežje 41"}
    assert set(Incident.objects.values_list("created_by", flat=True)) == {officer.pk}
    assert Incident.objects.exclude(border_section="").count() == 58


def test_old_job_files_are_removed_by_the_retention_command(persona):
    client = testing.client_for(persona("sl_border"))
    upload(client, csv_bytes([row(1), row(2, type="x")]), mode="valid")
    job = run_last_job(client)
    assert client.get(f"/incidents/jobs/{job.pk}/errors.csv").status_code == 200
    call_command("clean_jobs", "--days", "30", stdout=io.StringIO())
    assert client.get(f"/incidents/jobs/{job.pk}/errors.csv").status_code == 200  # still young
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=31))
    call_command("clean_jobs", "--days", "30", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.result["files_removed"] and "errors_file" not in job.result
    assert job.result["imported"] == 1  # the record of what happened stays
    assert client.get(f"/incidents/jobs/{job.pk}/errors.csv").status_code == 404
    assert client.get(f"/incidents/jobs/{job.pk}/").status_code == 200
