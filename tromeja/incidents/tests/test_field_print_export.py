"""One report printed or exported from its page: stamped with its handling
code, written to the audit trail as a disclosure, and only what the reader
may export."""

import csv
import io
import json

import pytest
from django.contrib.messages import get_messages

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.incidents import services


@pytest.fixture
def report(persona):
    return testing.incident(
        persona("sl_duty"),
        validate_by=persona("sl_supervisor"),
        distribution="named",
        shared_with=["IT"],
        handling_code="H3",
        handling_note="Not to be passed to third parties",
        narrative="Six persons near the river",
        persons_total=6,
        entities=services.Entities(
            counts=[
                {"nationality": "AF", "sex": "m", "age_group": "adult", "count": 4},
                {"nationality": "DE", "sex": "f", "age_group": "adult", "count": 2},
            ]
        ),
    )


def disclosures(report, channel):
    return AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, object_id=str(report.pk), detail__channel=channel
    )


def test_the_print_page_is_stamped_and_has_no_navigation(persona, report):
    reader = persona("it_duty")
    reader.language = "it"
    reader.save(update_fields=["language"])
    client = testing.client_for(reader)
    response = client.get(f"/incidents/{report.pk}/print/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(f'<div class="print-stamp d-block">{report.stamp}') == 1
    assert "Not to be passed to third parties" in page
    assert f'<h1 class="h3">{report.reference}</h1>' in page
    assert "Germania" in page and "Afghanistan" in page  # names, in Italian
    for screen_only in ("app-header", "main-nav", "<nav", "demo-banner", 'class="messages"'):
        assert screen_only not in page, screen_only
    assert 'lang="it"' in page
    assert disclosures(report, "print").filter(actor_username="it_duty").count() == 1


def test_the_print_page_shows_no_notifications(persona, report):
    client = testing.client_for(persona("sl_duty"))
    client.post(f"/incidents/{report.pk}/export/", {"format": "pdf"})  # leaves an error message
    page = client.get(f"/incidents/{report.pk}/print/").content.decode()
    assert "Choose CSV, XLSX or GeoJSON." not in page


def test_the_report_page_offers_print_and_export_to_who_may_export(persona, report):
    page = testing.client_for(persona("sl_duty")).get(f"/incidents/{report.pk}/").content
    assert f"/incidents/{report.pk}/print/".encode() in page
    assert f"/incidents/{report.pk}/export/".encode() in page
    border = testing.client_for(persona("sl_border")).get(f"/incidents/{report.pk}/").content
    assert b"/print/" not in border and f"/incidents/{report.pk}/export/".encode() not in border


def export(client, report, fmt):
    return client.post(f"/incidents/{report.pk}/export/", {"format": fmt})


def test_the_csv_of_one_report_is_stamped_named_and_audited(persona, report):
    reader = persona("it_duty")
    reader.language = "hr"
    reader.save(update_fields=["language"])
    response = export(testing.client_for(reader), report, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert f"incident-{report.reference}-H3-" in disposition and disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == report.reference
    assert row["handling_code"] == "H3" and row["handling"] == report.stamp
    assert row["handling_note"] == "Not to be passed to third parties"
    assert row["nationalities"] == "AF; DE"
    assert row["nationality_names"] == "Afganistan; Njemačka"
    assert disclosures(report, "export-csv").filter(actor_username="it_duty").count() == 1


def test_the_xlsx_and_geojson_of_one_report(persona, report):
    from openpyxl import load_workbook

    client = testing.client_for(persona("sl_duty"))
    xlsx = export(client, report, "xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header, values = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = dict(zip(header, values, strict=True))
    assert cells["reference"] == report.reference and cells["handling"] == report.stamp
    geo = json.loads(export(client, report, "geojson").content)
    (feature,) = geo["features"]
    assert feature["geometry"]["coordinates"] == [report.longitude, report.latitude]
    assert feature["properties"]["handling"] == report.stamp
    assert feature["properties"]["nationality_names"] == "Afghanistan; Germany"
    assert disclosures(report, "export-xlsx").count() == 1
    assert disclosures(report, "export-geojson").count() == 1


def test_an_unknown_format_exports_nothing(persona, report):
    client = testing.client_for(persona("sl_duty"))
    response = export(client, report, "pdf")
    assert response.status_code == 302 and response["Location"] == f"/incidents/{report.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Choose CSV, XLSX or GeoJSON."]
    assert not AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, detail__channel__startswith="export"
    ).exists()


def test_print_and_export_refuse_anonymous_users(client, report):
    for response in (
        client.get(f"/incidents/{report.pk}/print/"),
        client.post(f"/incidents/{report.pk}/export/", {"format": "csv"}),
    ):
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_print_and_export_refuse_a_role_that_may_not_export(persona, report):
    border = testing.client_for(persona("sl_border"))  # sees the report, may not export it
    assert border.get(f"/incidents/{report.pk}/").status_code == 200
    assert border.get(f"/incidents/{report.pk}/print/").status_code == 403
    assert export(border, report, "csv").status_code == 403
    assert not disclosures(report, "print").exists()


def test_print_and_export_do_not_exist_for_a_country_it_is_not_shared_with(persona, report):
    croatian = testing.client_for(persona("hr_duty"))
    assert croatian.get(f"/incidents/{report.pk}/print/").status_code == 404
    assert export(croatian, report, "csv").status_code == 404
    assert not AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, actor_username="hr_duty"
    ).exists()


def test_a_draft_is_printed_by_its_author_only(persona):
    author = persona("sl_duty")
    draft = testing.incident(author)
    assert testing.client_for(author).get(f"/incidents/{draft.pk}/print/").status_code == 200
    colleague = testing.client_for(persona("sl_supervisor"))
    assert colleague.get(f"/incidents/{draft.pk}/print/").status_code == 404
    assert export(colleague, draft, "csv").status_code == 404


def test_export_is_a_post(persona, report):
    client = testing.client_for(persona("sl_duty"))
    assert client.get(f"/incidents/{report.pk}/export/").status_code == 405
