"""Notices: the first shareable record, from the officer's form to a partner's screen."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.notices.models import Notice

VALID_FORM = {
    "kind": "lookout",
    "title": "Grey Škoda Octavia, CZ plates",
    "body": "Seen near Obrežje picking up groups.",
    "distribution": "named",
    "shared_with": ["IT"],
    "handling_code": "H0",
    "source_reliability": "B",
    "information_accuracy": "2",
}


def post_json(client, url, data, method="post", **extra):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", **extra
    )


def test_a_duty_officer_shares_a_notice_and_the_partner_sees_it(sl_duty, it_duty, hr_analyst):
    client = testing.client_for(sl_duty)
    response = client.post("/notices/new/", VALID_FORM)
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.owner_country_id == "SI" and notice.owner_agency.code == "si-policija"
    # The Italian duty officer sees it in the list, the detail and the API.
    italian = testing.client_for(it_duty)
    assert VALID_FORM["title"] in italian.get("/notices/").content.decode()
    assert italian.get(f"/notices/{notice.pk}/").status_code == 200
    assert italian.get(f"/api/v1/notices/{notice.pk}").json()["shared_with"] == ["IT"]
    # Croatia was not named.
    croatian = testing.client_for(hr_analyst)
    assert croatian.get(f"/notices/{notice.pk}/").status_code == 404
    # Sharing is a disclosure with its recipients in the audit trail.
    entry = AuditEntry.objects.get(action=AuditAction.DISCLOSURE, object_id=str(notice.pk))
    assert entry.recipients == "IT" and entry.actor_username == "sl_duty"
    assert AuditEntry.objects.filter(
        action=AuditAction.COLLECTION, object_id=str(notice.pk)
    ).exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "x" * 10001}, "body"),
        ({"kind": "rumour"}, "kind"),
        ({"handling_code": "H3"}, "handling_note"),
        ({"handling_code": "H9"}, "handling_code"),
        ({"source_reliability": ""}, "source_reliability"),
        ({"shared_with": ["HR", "AT"]}, "shared_with"),
        ({"shared_with": ["SI"]}, "shared_with"),
        ({"shared_with": []}, "shared_with"),
        ({"has_personal_data": "on"}, "data_subject_category"),
        ({"persons_concerned": "Oleh I."}, "persons_concerned"),
        ({"valid_until": "31.02.2026"}, "valid_until"),
        (
            {
                "has_personal_data": "on",
                "data_subject_category": "suspect",
                "review_by": "2020-01-01",
            },
            "review_by",
        ),
    ],
)
def test_bad_form_input_gets_a_clear_error_and_saves_nothing(sl_duty, change, field):
    client = testing.client_for(sl_duty)
    response = client.post("/notices/new/", {**VALID_FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Notice.objects.exists()
    assert not AuditEntry.objects.filter(
        action=AuditAction.COLLECTION, object_type="notices.notice"
    ).exists()


def test_form_errors_come_in_the_users_language(sl_duty):
    sl_duty.language = "it"
    sl_duty.save()
    client = testing.client_for(sl_duty)
    response = client.post("/notices/new/", {**VALID_FORM, "title": "", "handling_code": "H3"})
    body = response.content.decode()
    assert "Campo obbligatorio" in body
    assert "needs the restrictions" not in body


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"title": 5}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"valid_until": "tomorrow"}, "valid_until"),
        ({"has_personal_data": "perhaps"}, "has_personal_data"),
        ({"shared_with": ["XX"]}, "shared_with"),
        ({"distribution": "named", "shared_with": []}, "shared_with"),
        ({"handling_code": "H3"}, "handling_note"),
        ({"unknown": 1}, None),
    ],
)
def test_bad_api_input_gets_a_localized_error_and_saves_nothing(sl_duty, payload, field):
    body = {k: v for k, v in VALID_FORM.items() if k != "shared_with"} | {"shared_with": ["IT"]}
    body.update(payload)
    client = testing.client_for(sl_duty)
    response = post_json(client, "/api/v1/notices", body, HTTP_ACCEPT_LANGUAGE="sl")
    if field is None:
        assert response.status_code == 201  # unknown fields are ignored, as documented
        return
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"].startswith(field) for e in errors), errors
    assert response.json()["detail"] != "Some values are not valid."
    assert not Notice.objects.exists()


def test_api_errors_speak_slovenian_italian_and_croatian(sl_duty):
    client = testing.client_for(sl_duty)
    messages = set()
    for language in ("en", "sl", "it", "hr"):
        response = post_json(client, "/api/v1/notices", {}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 422
        messages.add(response.json()["errors"][0]["message"])
    assert len(messages) == 4


def test_unknown_and_malformed_ids_answer_404(sl_duty):
    client = testing.client_for(sl_duty)
    assert client.get("/notices/00000000-0000-7000-8000-000000000000/").status_code == 404
    assert client.get("/api/v1/notices/00000000-0000-7000-8000-000000000000").status_code == 404
    response = client.get("/api/v1/notices/not-a-uuid")
    assert response.status_code == 422 and response.json()["errors"][0]["field"].endswith(
        "notice_id"
    )


def test_a_partner_cannot_change_or_erase_a_shared_notice(sl_duty, it_duty):
    notice = testing.notice(sl_duty, distribution="partners")
    client = testing.client_for(it_duty)
    assert client.get(f"/notices/{notice.pk}/edit/").status_code == 403
    assert client.post(f"/notices/{notice.pk}/erase/").status_code == 403
    assert (
        post_json(client, f"/api/v1/notices/{notice.pk}", {"title": "mine"}, "patch").status_code
        == 403
    )
    assert client.delete(f"/api/v1/notices/{notice.pk}").status_code == 403
    notice.refresh_from_db()
    assert notice.title != "mine"


def test_a_border_officer_files_national_notices_but_cannot_share(persona):
    border = persona("sl_border")
    client = testing.client_for(border)
    response = client.post("/notices/new/", VALID_FORM)
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.distribution == "national"  # the sharing fields are read-only for this role
    response = post_json(
        client, "/api/v1/notices", {**VALID_FORM, "distribution": "partners", "shared_with": []}
    )
    assert response.status_code == 422
    assert Notice.objects.count() == 1


def test_users_without_roles_are_refused(outsider, sl_duty):
    notice = testing.notice(sl_duty)
    client = testing.client_for(outsider)
    assert client.get("/notices/").status_code == 403
    assert client.get("/notices/new/").status_code == 403
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert client.get("/api/v1/notices").status_code == 403
    assert post_json(client, "/api/v1/notices", VALID_FORM).status_code == 403


def test_personal_data_opens_only_with_a_stated_purpose(sl_duty):
    notice = testing.notice(sl_duty, has_personal_data=True, persons_concerned="IVANENKO Oleh")
    client = testing.client_for(sl_duty, purpose=None)
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/purpose/")
    api = client.get(f"/api/v1/notices/{notice.pk}")
    assert api.status_code == 428
    assert not AuditEntry.objects.filter(action=AuditAction.CONSULTATION).exists()
    client.post("/accounts/purpose/", {"purpose": "  case   SI-2026/0417 "})
    assert client.get(f"/notices/{notice.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.CONSULTATION)
    assert entry.purpose == "case SI-2026/0417"
    assert entry.object_id == str(notice.pk) and entry.request_id
    api = client.get(f"/api/v1/notices/{notice.pk}", HTTP_X_PURPOSE="ignored for sessions")
    assert api.status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.CONSULTATION).count() == 2


def test_api_token_reads_take_their_purpose_from_a_header(sl_duty):
    from tromeja.accounts.services import create_api_token

    notice = testing.notice(sl_duty, has_personal_data=True)
    _token, secret = create_api_token(user=sl_duty, name="n", scope="read", days=5)
    from django.test import Client

    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(f"/api/v1/notices/{notice.pk}", **auth).status_code == 428
    ok = Client().get(f"/api/v1/notices/{notice.pk}", HTTP_X_PURPOSE="incident HR-7781", **auth)
    assert ok.status_code == 200
    assert AuditEntry.objects.get(action=AuditAction.CONSULTATION).purpose == "incident HR-7781"


def test_the_purpose_must_be_given(sl_duty):
    client = testing.client_for(sl_duty, purpose=None)
    response = client.post("/accounts/purpose/", {"purpose": "   "})
    assert response.status_code == 200 and "purpose" not in client.session
    response = client.post("/accounts/purpose/", {"purpose": "x" * 301})
    assert "purpose" not in client.session


def test_editing_makes_a_new_version_and_logs_the_fields(sl_duty):
    notice = testing.notice(sl_duty)
    client = testing.client_for(sl_duty)
    form = {**VALID_FORM, "title": "Updated title"}
    assert client.post(f"/notices/{notice.pk}/edit/", form).status_code == 302
    notice.refresh_from_db()
    assert notice.version == 2 and notice.title == "Updated title"
    entry = AuditEntry.objects.get(action=AuditAction.ALTERATION)
    assert "title" in entry.detail["fields"]


def test_the_export_is_stamped_neutralised_and_logged(sl_duty, it_duty):
    testing.notice(
        sl_duty,
        title='=HYPERLINK("http://x")',
        handling_code="H1",
        distribution="named",
        shared_with=["IT"],
    )
    testing.notice(
        sl_duty, title="Second", handling_code="H2", distribution="named", shared_with=["IT"]
    )
    client = testing.client_for(it_duty)
    assert client.get("/notices/export/").status_code == 405
    response = client.post("/notices/export/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "id"  # the header comes first, the stamp on every row
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert any(c.startswith("H2") for c in cells)
    entries = AuditEntry.objects.filter(action=AuditAction.DISCLOSURE, actor_username="it_duty")
    assert entries.count() == 2 and all(e.detail["channel"] == "export" for e in entries)


def test_roles_without_export_cannot_export_or_print(persona, sl_duty):
    notice = testing.notice(sl_duty)
    client = testing.client_for(persona("sl_border"))
    assert client.post("/notices/export/").status_code == 403
    assert client.get(f"/notices/{notice.pk}/print/").status_code == 403


def test_printing_is_logged_and_stamped(sl_duty):
    notice = testing.notice(sl_duty, handling_code="H3", handling_note="Not for the press")
    response = testing.client_for(sl_duty).get(f"/notices/{notice.pk}/print/")
    assert b"Not for the press" in response.content and b"print-stamp" in response.content
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSURE, detail__channel="print"
    ).exists()


def test_erasing_removes_the_notice_for_everyone(sl_duty, it_duty):
    notice = testing.notice(sl_duty, distribution="partners")
    client = testing.client_for(sl_duty)
    assert client.post(f"/notices/{notice.pk}/erase/").status_code == 302
    assert testing.client_for(it_duty).get(f"/notices/{notice.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.ERASURE, object_id=str(notice.pk)).exists()


def test_the_home_page_shows_what_partners_shared_this_week(sl_duty, it_duty, hr_analyst):
    testing.notice(it_duty, title="Vans at Fernetti", distribution="named", shared_with=["SI"])
    old = testing.notice(it_duty, title="Old news", distribution="partners")
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    body = testing.client_for(sl_duty).get("/").content.decode()
    assert "Vans at Fernetti" in body and "Old news" not in body
    assert "Vans at Fernetti" not in testing.client_for(hr_analyst).get("/").content.decode()


def test_list_filters_and_search(sl_duty):
    testing.notice(sl_duty, title="Alpha", kind="lookout")
    testing.notice(sl_duty, title="Beta", kind="situation")
    client = testing.client_for(sl_duty)
    body = client.get("/notices/?kind=lookout").content.decode()
    assert "Alpha" in body and "Beta" not in body
    body = client.get("/notices/?q=bet").content.decode()
    assert "Beta" in body and "Alpha" not in body
    api = client.get("/api/v1/notices?kind=situation").json()
    assert [i["title"] for i in api["items"]] == ["Beta"]
    assert client.get("/api/v1/notices?kind=nonsense").status_code == 422
    # A bad filter on the page is ignored, not an error.
    assert client.get("/notices/?kind=nonsense&page=abc").status_code == 200
