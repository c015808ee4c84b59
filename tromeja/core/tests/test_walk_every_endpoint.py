"""Acceptance: walk every page and API endpoint as each persona and show that
no record of a distribution the persona is not part of is readable, listable,
exportable or countable.

The expectations below are written out by hand from the sharing rules, not
computed with the visibility rule under test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tromeja import testing
from tromeja.accounts.services import create_api_token

# marker -> (owner persona, distribution, named countries)
RECORDS = {
    "MARKSINAT": ("sl_duty", "national", []),
    "MARKSIIT": ("sl_duty", "named", ["IT"]),
    "MARKSIHR": ("sl_duty", "named", ["HR"]),
    "MARKITNAT": ("it_duty", "national", []),
    "MARKITALL": ("it_duty", "partners", []),
}
# Incident reports: marker -> (owner, distribution, named, validated by)
INCIDENTS = {
    "IMSINAT": ("sl_duty", "national", [], "sl_supervisor"),
    "IMSIIT": ("sl_duty", "named", ["IT"], "sl_supervisor"),
    "IMITALL": ("it_duty", "partners", [], "it_supervisor"),
    "IMSIDRAFT": ("sl_duty", "partners", [], None),  # a draft: its author's only
}
# Contact-point cases: marker -> (requester, recipients)
CASES = {"CASEITSI": ("it_duty", ["SI"])}
EXPECTED = {
    "sl_duty": {
        "MARKSINAT",
        "MARKSIIT",
        "MARKSIHR",
        "MARKITALL",
        "IMSINAT",
        "IMSIIT",
        "IMITALL",
        "IMSIDRAFT",
        "CASEITSI",
    },
    "sl_border": {
        "MARKSINAT",
        "MARKSIIT",
        "MARKSIHR",
        "MARKITALL",
        "IMSINAT",
        "IMSIIT",
        "IMITALL",
        "CASEITSI",
    },  # fmt: skip
    "it_duty": {"MARKSIIT", "MARKITNAT", "MARKITALL", "IMSIIT", "IMITALL", "CASEITSI"},
    "hr_analyst": {"MARKSIHR", "MARKITALL", "IMITALL"},
    "hr_duty": {"MARKSIHR", "MARKITALL", "IMITALL"},
    "outsider": set(),
    "sl_dpo": set(),
    "sl_admin": set(),
}

# Every URL pattern of the site, and how the walker treats it. A new page
# fails this test until it is added here.
PAGES_WITHOUT_ARGS = {
    "core:home",
    "incidents:incident_list",
    "incidents:incident_map",
    "incidents:incident_create",
    "incidents:incident_import",
    "incidents:import_template",
    "exchange:inbox",
    "exchange:request_create",
    "exchange:information_create",
    "exchange:statistics",
    "exchange:statistics_csv",
    "exchange:roster",
    "exchange:overdue",
    "accounts:login",
    "accounts:second_factor",
    "accounts:purpose",
    "accounts:preferences",
    "accounts:tokens",
    "notices:notice_list",
    "notices:notice_create",
    "auditlog:entry_list",
}
RECORD_PAGES = {
    "notices:notice_detail",
    "notices:notice_edit",
    "notices:notice_erase",
    "notices:notice_print",
    "incidents:incident_detail",
    "incidents:incident_edit",
    "exchange:case_detail",
    "exchange:case_print",
}
POST_ONLY = {
    "exchange:case_close",
    "exchange:leg_assign",
    "exchange:hand_over",
    "exchange:shift_delete",
    "exchange:message_forward",
    "exchange:message_consent",
    "exchange:leg_reply",
    "exchange:leg_clarify",
    "incidents:incident_export",
    "incidents:incident_submit",
    "incidents:incident_validate",
    "incidents:incident_return",
    "accounts:logout",
    "accounts:set_language",
    "accounts:token_revoke",
    "notices:notice_export",
    "auditlog:export_create",
}
OTHER_USERS_OBJECTS = {
    "exchange:attachment_download",
    "auditlog:export_detail",
    "auditlog:export_download",
    "incidents:job_detail",
    "incidents:job_file",
}


def named_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace or ""
            if namespace in {"admin", "api-1"}:
                continue
            yield from named_patterns(entry, f"{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_the_walker_knows_every_page():
    known = PAGES_WITHOUT_ARGS | RECORD_PAGES | POST_ONLY | OTHER_USERS_OBJECTS
    unknown = set(named_patterns()) - known
    assert not unknown, f"add these pages to the walker: {sorted(unknown)}"


@pytest.fixture
def world(persona):
    users = {name: persona(name) for name in EXPECTED}
    records = {}
    for marker, (owner, distribution, named) in RECORDS.items():
        records[marker] = testing.notice(
            users[owner],
            title=f"{marker} title",
            body=f"{marker} body",
            distribution=distribution,
            shared_with=named,
            has_personal_data=marker.endswith("IT"),
            persons_concerned=f"{marker} person" if marker.endswith("IT") else "",
        )
    for marker, (owner, distribution, named, validator) in INCIDENTS.items():
        report = testing.incident(
            users[owner] if owner in users else persona(owner),
            narrative=f"{marker} narrative",
            distribution=distribution,
            shared_with=named,
            validate_by=persona(validator) if validator else None,
        )
        records[marker] = report
        REFERENCES[marker] = report.reference
    from tromeja.exchange.services import send_request

    for marker, (owner, recipients) in CASES.items():
        case = send_request(user=users[owner], subject=f"{marker} subject", body=f"{marker} body",
                            urgency="not_urgent", recipients=recipients)  # fmt: skip
        records[marker] = case
        REFERENCES[marker] = case.reference
    # An audit export of another DPO, and another user's API token.
    from tromeja.auditlog.services import request_export

    other_dpo = persona("it_dpo")
    export = request_export(user=other_dpo, filters={})
    token, _secret = create_api_token(user=users["it_duty"], name="other", scope="read", days=5)
    # An import of an Italian supervisor, with its file of errors.
    from tromeja.incidents import imports

    job = imports.request_import(user=persona("it_supervisor"), data=b"type,latitude\nsmuggler,x\n",
                                 file_name="walk.csv", mode="all", submit=False)  # fmt: skip
    imports.run_import(job.pk)
    OTHER_JOB["job"] = job
    return users, records, export, token


OTHER_JOB = {}


REFERENCES: dict[str, str] = {}


def hidden_markers(name):
    return (set(RECORDS) | set(INCIDENTS) | set(CASES)) - EXPECTED[name]


def assert_no_leak(name, response, where):
    body = response.content.decode(errors="replace")
    words = set(hidden_markers(name)) | {
        REFERENCES[m] for m in hidden_markers(name) if m in REFERENCES
    }
    leaked = sorted(w for w in words if w in body)
    assert not leaked, f"{name} sees {leaked} at {where}"


def page_urls(records, export):
    from django.urls import reverse

    for url_name in sorted(PAGES_WITHOUT_ARGS):
        yield url_name, reverse(url_name)
        yield url_name, reverse(url_name) + "?q=MARK"
    for url_name in sorted(RECORD_PAGES):
        for marker, record in records.items():
            group = CASES if url_name.startswith("exchange") else (
                INCIDENTS if url_name.startswith("incidents") else RECORDS)  # fmt: skip
            if marker not in group:
                continue
            yield (url_name, marker), reverse(url_name, args=[record.pk])
    for url_name in sorted(POST_ONLY):
        if url_name.startswith("incidents:incident_") and url_name != "incidents:incident_export":
            for marker in INCIDENTS:
                yield (url_name, marker, "post"), reverse(url_name, args=[records[marker].pk])
    for url_name in sorted(OTHER_USERS_OBJECTS):
        if url_name == "incidents:job_file":
            yield url_name, reverse(url_name, args=[OTHER_JOB["job"].pk, "errors.csv"])
        elif url_name.startswith("incidents:job"):
            yield url_name, reverse(url_name, args=[OTHER_JOB["job"].pk])
        else:
            yield url_name, reverse(url_name, args=[export.pk])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_page_shows_what_was_not_shared(name, world):
    users, records, export, _token = world
    client = testing.client_for(users[name])
    for key, url in page_urls(records, export):
        post = isinstance(key, tuple) and len(key) == 3
        response = client.post(url, {"comment": "x"}) if post else client.get(url)
        assert response.status_code < 500, url
        assert_no_leak(name, response, url)
        if isinstance(key, tuple):
            marker = key[1]
            if marker in hidden_markers(name):
                assert response.status_code == 404, (url, response.status_code)
        elif key in OTHER_USERS_OBJECTS:
            assert response.status_code in {403, 404}, url


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_export_print_or_count_shows_what_was_not_shared(name, world):
    from django.urls import reverse

    users, records, _export, _token = world
    client = testing.client_for(users[name])
    response = client.post(reverse("notices:notice_export"))
    assert_no_leak(name, response, "export")
    for fmt in ("csv", "geojson"):  # XLSX is compressed; its content is tested elsewhere
        exported = client.post(reverse("incidents:incident_export"), {"format": fmt})
        assert_no_leak(name, exported, f"incident export {fmt}")
    if response.status_code == 200:
        rows = response.content.decode()
        assert {m for m in RECORDS if m in rows} == {m for m in EXPECTED[name] if m in RECORDS}
    listing = client.get(reverse("notices:notice_list"))
    if listing.status_code == 200:
        count = len([m for m in EXPECTED[name] if m in RECORDS])
        assert re.search(rf"\b{count} notices?\b", listing.content.decode()), name
    notices = {m for m in EXPECTED[name] if m in RECORDS}
    reports = {m for m in EXPECTED[name] if m in INCIDENTS}
    api = client.get("/api/v1/notices")
    if api.status_code == 200:
        assert api.json()["count"] == len(notices)
        assert {i["title"].split()[0] for i in api.json()["items"]} == notices
    api = client.get("/api/v1/incidents")
    if api.status_code == 200:
        assert api.json()["count"] == len(reports)
        assert {i["reference"] for i in api.json()["items"]} == {REFERENCES[m] for m in reports}
    listing = client.get("/incidents/")
    if listing.status_code == 200:
        assert re.search(rf"\b{len(reports)} reports?\b", listing.content.decode()), name
    map_data = client.get("/api/v1/incidents/map")
    if map_data.status_code == 200:
        assert map_data.json()["total"] == len(reports)


def api_paths():
    from tromeja.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


def test_the_walker_knows_every_api_endpoint():
    known = {
        ("GET", "/api/v1/reference/countries"),
        ("GET", "/api/v1/reference/agencies"),
        ("GET", "/api/v1/reference/units"),
        ("GET", "/api/v1/reference/nationalities"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/tokens"),
        ("DELETE", "/api/v1/me/tokens/{token_id}"),
        ("GET", "/api/v1/notices"),
        ("POST", "/api/v1/notices"),
        ("GET", "/api/v1/notices/{notice_id}"),
        ("PATCH", "/api/v1/notices/{notice_id}"),
        ("DELETE", "/api/v1/notices/{notice_id}"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/incidents"),
        ("POST", "/api/v1/incidents"),
        ("GET", "/api/v1/incidents/map"),
        ("GET", "/api/v1/incidents/geography"),
        ("POST", "/api/v1/incidents/imports"),
        ("GET", "/api/v1/exchange/legs"),
        ("POST", "/api/v1/exchange/requests"),
        ("GET", "/api/v1/exchange/cases/{case_id}"),
        ("POST", "/api/v1/exchange/cases/{case_id}/close"),
        ("POST", "/api/v1/exchange/information"),
        ("GET", "/api/v1/exchange/attachments/{attachment_id}"),
        ("GET", "/api/v1/exchange/statistics"),
        ("GET", "/api/v1/exchange/roster"),
        ("POST", "/api/v1/exchange/roster"),
        ("DELETE", "/api/v1/exchange/roster/{shift_id}"),
        ("POST", "/api/v1/exchange/legs/{leg_id}/assign"),
        ("POST", "/api/v1/exchange/hand-over"),
        ("GET", "/api/v1/exchange/overdue"),
        ("POST", "/api/v1/exchange/legs/{leg_id}/reply"),
        ("POST", "/api/v1/exchange/legs/{leg_id}/clarify"),
        ("POST", "/api/v1/exchange/messages/{message_id}/forward"),
        ("POST", "/api/v1/exchange/messages/{message_id}/consent"),
        ("GET", "/api/v1/incidents/imports/{job_id}"),
        ("GET", "/api/v1/incidents/{incident_id}"),
        ("PUT", "/api/v1/incidents/{incident_id}"),
        ("POST", "/api/v1/incidents/{incident_id}/submit"),
        ("POST", "/api/v1/incidents/{incident_id}/validate"),
        ("POST", "/api/v1/incidents/{incident_id}/return"),
    }
    assert set(api_paths()) == known


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_api_endpoint_shows_what_was_not_shared(name, world):
    users, records, _export, token = world
    client = testing.client_for(users[name])
    for method, path in api_paths():
        if "{notice_id}" in path or "{incident_id}" in path:
            for marker, record in records.items():
                if ("{incident_id}" in path) != (marker in INCIDENTS):
                    continue
                url = path.replace("{notice_id}", str(record.pk))
                url = url.replace("{incident_id}", str(record.pk))
                body = {"PATCH": "{}", "PUT": testing.incident_api_body(),
                        "POST": '{"comment": "check"}'}.get(method, "")  # fmt: skip
                response = client.generic(
                    method, url, data=body, content_type="application/json",
                    HTTP_X_PURPOSE="walk",
                )  # fmt: skip
                assert_no_leak(name, response, f"{method} {url}")
                if marker in hidden_markers(name):
                    assert response.status_code == 404, (method, url, response.status_code)
        elif "{job_id}" in path:
            response = client.get(path.replace("{job_id}", str(OTHER_JOB["job"].pk)))
            # The import belongs to an Italian supervisor: nobody else reaches it
            # (403 for roles that do not import at all).
            assert response.status_code in {403, 404}, name
            assert_no_leak(name, response, path)
        elif "{token_id}" in path:
            url = path.replace("{token_id}", str(token.pk))
            response = client.generic(method, url)
            # The token belongs to the Italian duty officer: nobody else reaches it.
            assert response.status_code == (204 if name == "it_duty" else 404)
        elif method == "GET":
            for query in ("", "?q=MARK", "?page=2"):
                response = client.get(path + query)
                assert response.status_code < 500, path
                assert_no_leak(name, response, path + query)
    # Erasing through the API must not have removed a hidden record.
    from tromeja.exchange.models import Case
    from tromeja.incidents.models import Incident
    from tromeja.notices.models import Notice

    for marker in hidden_markers(name):
        model = Incident if marker in INCIDENTS else Case if marker in CASES else Notice
        assert model.objects.filter(pk=records[marker].pk).exists(), marker


def test_every_api_endpoint_refuses_anonymous_callers(db):
    from django.test import Client

    client = Client()
    for method, path in api_paths():
        url = path.replace("{notice_id}", "01a22909-c0e2-7455-8eac-e75224cf8c95")
        url = url.replace("{incident_id}", "01a22909-c0e2-7455-8eac-e75224cf8c95")
        url = url.replace("{token_id}", "1")
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["detail"]


def test_every_page_sends_anonymous_visitors_to_sign_in(db):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    open_pages = {"accounts:login", "accounts:second_factor"}
    for url_name in sorted(PAGES_WITHOUT_ARGS - open_pages):
        response = client.get(reverse(url_name))
        assert response.status_code == 302, url_name
        assert response["Location"].startswith("/accounts/sign-in/"), url_name
    for url_name in sorted(RECORD_PAGES):
        url = reverse(url_name, args=["01a22909-c0e2-7455-8eac-e75224cf8c95"])
        assert client.get(url)["Location"].startswith("/accounts/sign-in/"), url_name
