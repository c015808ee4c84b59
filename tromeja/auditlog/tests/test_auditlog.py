"""The data protection officer's view of the audit trail."""

import csv
import io

import pytest
from django.core.management import call_command

from tromeja import testing
from tromeja.auditlog.models import AuditExport, ExportStatus
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry


def test_the_dpo_searches_the_log_by_user_action_and_record(persona, sl_duty):
    record = testing.notice(sl_duty, has_personal_data=True)
    testing.client_for(sl_duty, purpose="case SI-1").get(f"/notices/{record.pk}/")
    dpo = testing.client_for(persona("sl_dpo"))
    body = dpo.get(f"/audit/?action=consultation&record={record.pk}").content.decode()
    assert "case SI-1" in body and "sl_duty" in body
    body = dpo.get("/audit/?user=nobody").content.decode()
    assert "sl_duty" not in body.split("<tbody>")[1]


def test_a_dpo_sees_only_the_entries_of_their_own_country(persona, sl_duty, it_duty):
    testing.notice(it_duty, title="Italian")
    testing.notice(sl_duty, title="Slovenian")
    it_body = testing.client_for(persona("it_dpo")).get("/audit/").content.decode()
    assert "it_duty" in it_body and "sl_duty" not in it_body
    api = testing.client_for(persona("it_dpo")).get("/api/v1/audit").json()
    assert {e["actor_username"] for e in api["items"]} <= {"it_duty", "it_dpo", ""}


def test_only_the_dpo_reads_the_log(sl_duty, persona, outsider):
    for user in (sl_duty, persona("sl_admin"), outsider):
        client = testing.client_for(user)
        assert client.get("/audit/").status_code == 403
        assert client.get("/api/v1/audit").status_code == 403
        assert client.post("/audit/exports/").status_code == 403
    assert testing.client_for(persona("sl_dpo")).get("/audit/").status_code == 200


def test_bad_filters_get_a_clear_message(persona):
    dpo = testing.client_for(persona("sl_dpo"))
    response = dpo.get("/audit/?since=2026-05-01&until=2026-01-01")
    assert response.status_code == 200
    assert b"start date is after the end date" in response.content
    assert dpo.get("/api/v1/audit?since=yesterday").status_code == 422
    assert dpo.get("/api/v1/audit?action=peek").status_code == 422


# Transactional: the worker commits and closes connections as in production.
@pytest.mark.django_db(transaction=True)
def test_an_export_runs_in_the_background_with_progress_and_is_logged(reference_data, persona):
    sl_duty = persona("sl_duty")
    dpo_user = persona("sl_dpo")
    for i in range(30):
        testing.notice(sl_duty, title=f"n{i}")
    dpo = testing.client_for(dpo_user)
    response = dpo.post("/audit/exports/?action=collection")
    export = AuditExport.objects.get()
    assert response["Location"] == f"/audit/exports/{export.pk}/"
    assert export.status == ExportStatus.QUEUED
    progress = dpo.get(f"/audit/exports/{export.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" in progress.content  # the page polls until it is done
    call_command("db_worker", batch=True, verbosity=0)  # the production worker, one pass
    export.refresh_from_db()
    expected = AuditEntry.objects.restrict(dpo_user).filter(action=AuditAction.COLLECTION).count()
    assert expected >= 30
    assert export.status == ExportStatus.DONE and export.total == expected
    download = dpo.get(f"/audit/exports/{export.pk}/download/")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert len(rows) == expected + 1 and {r[2] for r in rows[1:]} == {"collection"}
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, detail__channel="audit_export"
    ).exists()
    # Another DPO cannot reach it.
    other = testing.client_for(persona("it_dpo"))
    assert other.get(f"/audit/exports/{export.pk}/").status_code == 404
    assert other.get(f"/audit/exports/{export.pk}/download/").status_code == 404


def test_the_log_has_no_page_or_endpoint_that_changes_it(persona):
    audit.log(AuditAction.SECURITY, object_type="t", object_id="1")
    dpo = testing.client_for(persona("sl_dpo"))
    admin = testing.client_for(persona("sl_admin"))
    assert admin.get("/admin/core/auditentry/").status_code == 404
    assert dpo.delete("/api/v1/audit").status_code == 405
    assert audit.verify_chain().ok
