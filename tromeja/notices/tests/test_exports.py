"""The notice export on the page and through the API: header first, the
handling code on every row, the file name, the H2 rule, the negative cases."""

import csv
import io

from django.test import Client, override_settings

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.exports import HANDLING_COLUMNS
from tromeja.core.models import AuditEntry

API = "/api/v1/notices/exports"


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _notices(sl_duty):
    return {
        "h1": testing.notice(
            sl_duty, title="Prvo", handling_code="H1", distribution="named", shared_with=["IT"]
        ),
        "h2": testing.notice(
            sl_duty, title="Drugo", handling_code="H2", distribution="named", shared_with=["IT"]
        ),
        "h3": testing.notice(
            sl_duty,
            title="Tretje",
            handling_code="H3",
            handling_note="Samo za policijo.",
            distribution="named",
            shared_with=["IT"],
        ),
        "national": testing.notice(sl_duty, title="Doma"),
    }


def test_a_notice_csv_starts_with_its_header_and_stamps_every_row(sl_duty, it_duty):
    notices = _notices(sl_duty)
    response = testing.client_for(it_duty).post("/notices/export/")
    assert response.status_code == 200
    assert 'filename="notices-H3-' in response["Content-Disposition"]
    rows = {r["title"]: r for r in _rows(response.content)}
    assert set(rows) == {"Prvo", "Drugo", "Tretje"}
    for row in rows.values():
        assert set(HANDLING_COLUMNS) <= row.keys()
        assert row["handling"].startswith(row["handling_code"])
    assert rows["Tretje"]["handling_note"] == "Samo za policijo."
    assert rows["Prvo"]["handling_note"] == ""
    # The partner's H2 notice is in the named partner's own copy, stamped.
    assert rows["Drugo"]["handling_code"] == "H2"
    assert notices["national"].title not in rows


def test_the_api_export_is_the_pages_export_with_the_lists_filters(sl_duty, it_duty):
    notices = _notices(sl_duty)
    client = testing.client_for(it_duty)
    response = client.post(f"{API}?q=Drugo")
    assert response.status_code == 200
    assert 'filename="notices-H2-' in response["Content-Disposition"]
    assert [r["id"] for r in _rows(response.content)] == [str(notices["h2"].pk)]
    logged = AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, actor_username="it_duty", detail__channel="export"
    )
    assert list(logged.values_list("object_id", flat=True)) == [str(notices["h2"].pk)]


def test_the_api_export_refuses_anonymous_and_roles_without_export(persona, sl_duty):
    testing.notice(sl_duty)
    assert Client().post(API).status_code == 401
    assert testing.client_for(persona("sl_border")).post(API).status_code == 403


def test_a_third_country_never_finds_a_bilateral_notice_in_its_file(persona, sl_duty):
    _notices(sl_duty)
    for path in ("/notices/export/", API):
        rows = _rows(testing.client_for(persona("hr_duty")).post(path).content)
        assert rows == []


@override_settings(TROMEJA_EXPORT_INLINE_MAX=1)
def test_a_large_notice_export_is_a_job_whose_file_only_its_requester_reads(
    persona, sl_duty, it_duty
):
    from tromeja.core.models import Job
    from tromeja.notices import exports

    notices = _notices(sl_duty)
    client = testing.client_for(it_duty)
    response = client.post(f"{API}?sort=title")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"], kind=exports.KIND)
    assert job.params["filters"] == {"sort": "title"} and response.json()["file_url"] is None
    exports.run_export(job.pk)
    done = client.get(f"{API}/{job.pk}").json()
    assert done["status"] == "done" and done["result"]["exported"] == 3
    download = client.get(done["file_url"])
    rows = _rows(b"".join(download.streaming_content))
    assert [r["title"] for r in rows] == ["Drugo", "Prvo", "Tretje"]
    assert str(notices["national"].pk) not in {r["id"] for r in rows}
    assert 'filename="notices-H3-' in download["Content-Disposition"]
    # Someone else's job does not exist for them; without the role, 403; anonymous, 401.
    other = testing.client_for(persona("hr_duty"))
    assert other.get(f"{API}/{job.pk}").status_code == 404
    assert other.get(f"{API}/{job.pk}/file").status_code == 404
    assert other.get(f"/notices/export/{job.pk}/file").status_code == 404
    assert testing.client_for(persona("sl_border")).get(f"{API}/{job.pk}").status_code == 403
    assert Client().get(f"{API}/{job.pk}").status_code == 401


@override_settings(TROMEJA_EXPORT_INLINE_MAX=1)
def test_the_page_follows_a_large_notice_export_and_offers_its_file(sl_duty, it_duty):
    from tromeja.core.models import Job
    from tromeja.notices import exports

    _notices(sl_duty)
    client = testing.client_for(it_duty)
    response = client.post("/notices/export/?q=o")
    job = Job.objects.get(kind=exports.KIND)
    assert response["Location"] == f"/notices/export/{job.pk}/"
    waiting = client.get(f"/notices/export/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" in waiting.content
    exports.run_export(job.pk)
    page = client.get(f"/notices/export/{job.pk}/").content.decode()
    assert "3 notices exported" in page and f"/notices/export/{job.pk}/file" in page
    download = client.get(f"/notices/export/{job.pk}/file")
    assert len(_rows(b"".join(download.streaming_content))) == 3
    logged = AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, actor_username="it_duty")
    assert logged.count() == 3
