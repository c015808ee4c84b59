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
CASES = {"CASEITSI": ("it_duty", ["SI"]), "CASESIHR": ("sl_duty", ["HR"])}
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
        "CASESIHR",
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
        "CASESIHR",
    },
    "it_duty": {"MARKSIIT", "MARKITNAT", "MARKITALL", "IMSIIT", "IMITALL", "CASEITSI"},
    "hr_analyst": {"MARKSIHR", "MARKITALL", "IMITALL", "CASESIHR"},
    "hr_duty": {"MARKSIHR", "MARKITALL", "IMITALL", "CASESIHR"},
    "outsider": set(),
    "sl_dpo": set(),
    "sl_admin": set(),
}

# Every URL pattern of the site, and how the walker treats it. A new page
# fails this test until it is added here.
PAGES_WITHOUT_ARGS = {
    "core:home",
    "core:attention",
    "core:health",
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
    "auditlog:user_suggestions",
    "auditlog:public_keys",
    "search:results",
}
RECORD_PAGES = {
    "notices:notice_detail",
    "notices:notice_edit",
    "notices:notice_erase",
    "notices:notice_print",
    "incidents:incident_detail",
    "incidents:incident_edit",
    "incidents:incident_print",
    "exchange:case_detail",
    "exchange:case_print",
    "auditlog:record_history",
}
POST_ONLY = {
    "core:job_retry",
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
    "incidents:incident_export_one",
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
    "notices:export_job",
    "notices:export_file",
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


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


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
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tromeja.exchange.services import send_request

    for marker, (owner, recipients) in CASES.items():
        case = send_request(
            user=users[owner],
            subject=f"{marker} subject",
            body=f"{marker} body",
            urgency="not_urgent",
            recipients=recipients,
            attachments=[SimpleUploadedFile(f"{marker}.pdf", PDF)],
        )
        records[marker] = case
        REFERENCES[marker] = case.reference
        request_message = case.messages.get(kind="request")
        CASE_OBJECTS[marker] = {
            "case_id": case.pk,
            "leg_id": case.legs.get().pk,
            "message_id": request_message.pk,
            "attachment_id": request_message.attachments.get().pk,
        }
    # A shift on the Slovenian roster (the roster is per country, not shared).
    from datetime import timedelta

    from django.utils import timezone

    from tromeja.exchange.models import DutyShift

    start = timezone.now() + timedelta(days=1)
    OTHER_SHIFT["shift"] = DutyShift.objects.create(
        country_id="SI",
        officer=users["sl_duty"],
        role="duty_officer",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        created_by=users["sl_duty"],
    )
    # An audit export of another DPO, and another user's API token.
    from tromeja.auditlog.services import request_export

    other_dpo = persona("it_dpo")
    export = request_export(user=other_dpo, filters={})
    OTHER_EXPORT["export"] = export
    token, _secret = create_api_token(user=users["it_duty"], name="other", scope="read", days=5)
    # An import of an Italian supervisor, with its file of errors.
    from tromeja.incidents import imports

    job = imports.request_import(
        user=persona("it_supervisor"),
        data=b"type,latitude\nsmuggler,x\n",
        file_name="walk.csv",
        mode="all",
        submit=False,
    )
    imports.run_import(job.pk)
    OTHER_JOB["job"] = job
    return users, records, export, token


OTHER_JOB = {}
OTHER_EXPORT = {}
OTHER_SHIFT = {}
CASE_OBJECTS: dict[str, dict] = {}
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


REFERENCES: dict[str, str] = {}


def hidden_markers(name):
    return (set(RECORDS) | set(INCIDENTS) | set(CASES)) - EXPECTED[name]


def owner_country(marker) -> str:
    owner = {**RECORDS, **INCIDENTS, **CASES}[marker][0]
    return owner.split("_")[0]


def dpo_reads_history(name, marker) -> bool:
    """A data protection officer reads, in the audit log, the entries about
    their country's records and their references (never their content)."""
    return name.endswith("_dpo") and owner_country(marker) == name.split("_")[0]


def assert_no_leak(name, response, where):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    in_log = "/audit" in where
    words = set(hidden_markers(name)) | {
        REFERENCES[m]
        for m in hidden_markers(name)
        if m in REFERENCES and not (in_log and dpo_reads_history(name, m))
    }
    leaked = sorted(w for w in words if w in body)
    assert not leaked, f"{name} sees {leaked} at {where}"


# Objects that exist for nobody but their owner (a persona, or every user of a
# country): any other caller gets 404, or 403 where the role has no such
# objects at all.
OWNED_BY = {
    "job_id": "it_supervisor",
    "token_id": "it_duty",
    "shift_id": "SI",
    "export_id": "it_dpo",
}
PAGE_OWNERS = dict(OWNED_BY)


def owner_of(name, key):
    owner = PAGE_OWNERS[key]
    return name == owner or (len(owner) == 2 and name.startswith(owner.lower() + "_"))


# What fills the one parameter of each page that takes one. A page whose
# parameter the walker cannot fill fails the walk.
PAGE_PARAMETERS = {
    "exchange:case_detail": "case_id",
    "exchange:case_print": "case_id",
    "exchange:case_close": "case_id",
    "exchange:leg_reply": "leg_id",
    "exchange:leg_clarify": "leg_id",
    "exchange:leg_assign": "leg_id",
    "exchange:message_forward": "message_id",
    "exchange:message_consent": "message_id",
    "exchange:attachment_download": "attachment_id",
    "exchange:shift_delete": "shift_id",
    "auditlog:export_detail": "export_id",
    "auditlog:export_download": "export_id",
    "auditlog:record_history": "record_id",
    "core:job_retry": "job_id",
    "incidents:job_detail": "job_id",
    "incidents:job_file": "job_id",
    "notices:export_job": "job_id",
    "notices:export_file": "job_id",
    "accounts:token_revoke": "token_id",
}


def page_urls(records, export, token):
    """(page, marker or owner key, method, url) for every page and every way of
    filling its parameter."""
    from django.urls import reverse

    for url_name in sorted(PAGES_WITHOUT_ARGS):
        yield url_name, None, "get", reverse(url_name)
        yield url_name, None, "get", reverse(url_name) + "?q=MARK"
    for url_name in sorted(RECORD_PAGES | POST_ONLY | OTHER_USERS_OBJECTS):
        method = "post" if url_name in POST_ONLY else "get"
        parameter = PAGE_PARAMETERS.get(url_name)
        if url_name.startswith(("notices:notice_", "incidents:incident_")):
            try:
                reverse(url_name)
                continue  # no parameter: a form post tested in its module
            except Exception:  # noqa: BLE001 (NoReverseMatch: the page takes a record)
                group = INCIDENTS if url_name.startswith("incidents") else RECORDS
                for marker in group:
                    yield url_name, marker, method, reverse(url_name, args=[records[marker].pk])
            continue
        if parameter is None:
            assert url_name in POST_ONLY, f"the walker cannot fill {url_name}: teach it"
            continue  # a form post without a record
        if parameter in PAGE_OWNERS:
            value = {
                "job_id": OTHER_JOB["job"],
                "token_id": token,
                "export_id": export,
                "shift_id": OTHER_SHIFT["shift"],
            }[parameter]
            args = [value.pk, "errors.csv"] if url_name == "incidents:job_file" else [value.pk]
            yield url_name, parameter, method, reverse(url_name, args=args)
        elif parameter == "record_id":
            for marker in (*RECORDS, *INCIDENTS, *CASES):
                yield url_name, marker, method, reverse(url_name, args=[records[marker].pk])
        else:
            for marker, objects in CASE_OBJECTS.items():
                yield url_name, marker, method, reverse(url_name, args=[objects[parameter]])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_page_shows_what_was_not_shared(name, world):
    users, records, export, token = world
    client = testing.client_for(users[name])
    answers = {}
    for url_name, marker, method, url in page_urls(records, export, token):
        response = client.post(url, {"comment": "x"}) if method == "post" else client.get(url)
        status = response.status_code
        assert status < 500, url
        assert_no_leak(name, response, url)
        if marker in PAGE_OWNERS:
            if not owner_of(name, marker):
                assert status in {403, 404}, (url, status)
        elif url_name == "auditlog:record_history" and name.endswith("_dpo"):
            # The history of another country's record is none of theirs.
            assert status == (200 if dpo_reads_history(name, marker) else 404), (url, status)
        elif marker is not None:
            answers.setdefault(url_name, []).append((marker, url, status))
    # A record not shared with the reader does not exist for them: 404, or the
    # 403 their role gets on that page for every record.
    for group in answers.values():
        role_refused = all(status == 403 for _m, _u, status in group)
        for marker, url, status in group:
            if marker in hidden_markers(name):
                assert status == 404 or (status == 403 and role_refused), (url, status)


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
        ("GET", "/api/v1/audit/records/{record_id}"),
        ("GET", "/api/v1/audit/users"),
        ("GET", "/api/v1/audit/keys"),
        ("POST", "/api/v1/audit/exports"),
        ("GET", "/api/v1/audit/exports/{export_id}"),
        ("GET", "/api/v1/audit/exports/{export_id}/file"),
        ("GET", "/api/v1/incidents"),
        ("POST", "/api/v1/incidents"),
        ("GET", "/api/v1/incidents/map"),
        ("GET", "/api/v1/incidents/geography"),
        ("GET", "/api/v1/geography/places"),
        ("GET", "/api/v1/geography/labels"),
        ("GET", "/api/v1/geography/basemap"),
        ("GET", "/api/v1/geography/locate"),
        ("POST", "/api/v1/incidents/imports"),
        ("POST", "/api/v1/incidents/exports"),
        ("GET", "/api/v1/incidents/exports/{job_id}"),
        ("GET", "/api/v1/incidents/exports/{job_id}/file"),
        ("POST", "/api/v1/notices/exports"),
        ("GET", "/api/v1/notices/exports/{job_id}"),
        ("GET", "/api/v1/notices/exports/{job_id}/file"),
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
        ("GET", "/api/v1/search"),
    }
    assert set(api_paths()) == known


# A valid body for every operation that takes one, so that the answer is
# decided by who may see the record, not by the body's shape. An operation
# that takes a body and is missing here fails the walk.
BODIES = {
    ("PATCH", "/api/v1/notices/{notice_id}"): {},
    ("PUT", "/api/v1/incidents/{incident_id}"): "incident",
    ("POST", "/api/v1/incidents/{incident_id}/submit"): {"comment": "check"},
    ("POST", "/api/v1/incidents/{incident_id}/validate"): {"comment": "check"},
    ("POST", "/api/v1/incidents/{incident_id}/return"): {"comment": "check"},
    ("POST", "/api/v1/exchange/cases/{case_id}/close"): {"body": "walk"},
    ("POST", "/api/v1/exchange/legs/{leg_id}/reply"): {"kind": "acknowledgement"},
    ("POST", "/api/v1/exchange/legs/{leg_id}/clarify"): {"body": "walk"},
    ("POST", "/api/v1/exchange/legs/{leg_id}/assign"): {"officer": "sl_duty"},
    ("POST", "/api/v1/exchange/messages/{message_id}/forward"): {"recipients": ["HR"]},
    ("POST", "/api/v1/exchange/messages/{message_id}/consent"): {"countries": ["HR"]},
}


# The query a GET endpoint needs to answer at all (its other queries are added
# after it).
REQUIRED_QUERIES = {
    ("GET", "/api/v1/geography/locate"): "?lat=45.1536&lon=15.733",
    ("GET", "/api/v1/audit/users"): "?q=sl",
}


def filled(path, records, token):
    """(marker, url) for every way of filling the path's parameters. Fails
    on a parameter the walker cannot fill: a literal "{case_id}" would only
    ever test the router."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        yield None, path
        return
    assert len(names) == 1, f"teach the walker paths with several parameters: {path}"
    name = names[0]
    if name in {"notice_id", "incident_id"}:
        group = INCIDENTS if name == "incident_id" else RECORDS
        for marker in group:
            yield marker, path.replace(f"{{{name}}}", str(records[marker].pk))
    elif name == "record_id":
        for marker in (*RECORDS, *INCIDENTS, *CASES):
            yield marker, path.replace(f"{{{name}}}", str(records[marker].pk))
    elif name in CASE_OBJECTS[next(iter(CASES))]:
        for marker, objects in CASE_OBJECTS.items():
            yield marker, path.replace(f"{{{name}}}", str(objects[name]))
    elif name in OWNED_BY:
        value = {
            "job_id": OTHER_JOB.get("job"),
            "token_id": token,
            "shift_id": OTHER_SHIFT.get("shift"),
            "export_id": OTHER_EXPORT.get("export"),
        }[name]
        yield name, path.replace(f"{{{name}}}", str(value.pk))
    else:
        pytest.fail(f"the walker cannot fill {{{name}}} in {path}: teach it")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_api_endpoint_shows_what_was_not_shared(name, world):
    import json

    users, records, _export, token = world
    client = testing.client_for(users[name])
    for method, path in api_paths():
        body = BODIES.get((method, path))
        if method in {"POST", "PUT", "PATCH"} and "{" in path:
            assert body is not None, f"give the walker a valid body for {method} {path}"
        data = testing.incident_api_body() if body == "incident" else json.dumps(body or {})
        answers = {}
        for marker, url in filled(path, records, token):
            if marker is None and method != "GET":
                continue  # creating records is tested in each module
            queries = ("", "?q=MARK", "?page=2") if marker is None else ("",)
            required = REQUIRED_QUERIES.get((method, path))
            if required:
                queries = tuple(required + q.replace("?", "&") for q in queries)
            for query in queries:
                response = client.generic(
                    method,
                    url + query,
                    data=data,
                    content_type="application/json",
                    HTTP_X_PURPOSE="walk",
                )
                status = response.status_code
                where = f"{method} {url}{query}"
                assert status < 500, (where, status)
                assert_no_leak(name, response, where)
                answers[marker] = (where, status)
                if marker is None:
                    # A list the caller's role reads, or one it may not read.
                    assert status in {200, 403}, (where, status)
                elif marker in OWNED_BY:
                    if not owner_of(name, marker):
                        assert status in {403, 404}, (where, status)
                elif path == "/api/v1/audit/records/{record_id}" and name.endswith("_dpo"):
                    # As on the page: only their country's records' history.
                    expected = 200 if dpo_reads_history(name, marker) else 404
                    assert status == expected, (where, status)
                    answers.pop(marker)
                elif marker not in hidden_markers(name):
                    assert status in {200, 201, 204, 400, 403, 409, 422}, (where, status)
        # A record not shared with the caller does not exist for them: 404,
        # or the 403 their role gets for every record of that operation.
        role_refused = all(status == 403 for _where, status in answers.values())
        for marker, (where, status) in answers.items():
            if marker in hidden_markers(name):
                assert status == 404 or (status == 403 and role_refused), (where, status)
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
        url = url.replace("{token_id}", "1").replace("{export_id}", "1")
        url = url.replace("{record_id}", "01a22909-c0e2-7455-8eac-e75224cf8c95")
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["detail"]


def test_every_page_sends_anonymous_visitors_to_sign_in(db):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    # The node's public signing keys are public.
    open_pages = {"accounts:login", "accounts:second_factor", "auditlog:public_keys"}
    for url_name in sorted(PAGES_WITHOUT_ARGS - open_pages):
        response = client.get(reverse(url_name))
        assert response.status_code == 302, url_name
        assert response["Location"].startswith("/accounts/sign-in/"), url_name
    for url_name in sorted(RECORD_PAGES):
        url = reverse(url_name, args=["01a22909-c0e2-7455-8eac-e75224cf8c95"])
        assert client.get(url)["Location"].startswith("/accounts/sign-in/"), url_name


# The contact point's forms, posted with valid bodies by every persona: a case
# not shared with the reader's country does not exist for them (404, or the
# 403 their role gets everywhere), and no answer names what they may not see.
def case_form_posts(marker):
    objects = CASE_OBJECTS[marker]
    leg, message = objects["leg_id"], objects["message_id"]
    m = f"m{message.hex[:8]}"
    yield f"/exchange/legs/{leg}/reply/", {f"leg{leg}-kind": "acknowledgement"}
    yield f"/exchange/legs/{leg}/clarify/", {f"leg{leg}-body": "walk"}
    yield f"/exchange/messages/{message}/consent/", {f"{m}-countries": ["IT", "HR", "SI"]}
    yield f"/exchange/messages/{message}/forward/", {f"{m}-recipients": ["IT", "HR", "SI"]}
    yield f"/exchange/cases/{objects['case_id']}/close/", {"body": "walk"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_contact_point_forms_with_valid_bodies_refuse_what_was_not_shared(name, world):
    users, _records, _export, _token = world
    client = testing.client_for(users[name])
    answers = {}
    for marker in CASES:
        for form, (url, body) in enumerate(case_form_posts(marker)):
            response = client.post(url, body, follow=True)
            assert response.status_code < 500, url
            assert_no_leak(name, response, url)
            answers.setdefault(form, []).append(
                (marker, url, response.redirect_chain, response.status_code)
            )
    for group in answers.values():
        role_refused = all(status == 403 for *_rest, status in group)
        for marker, url, chain, status in group:
            if marker in hidden_markers(name):
                assert not chain, url
                assert status == 404 or (status == 403 and role_refused), (url, status)
    # The request form, with rows, sends only for a contact-point role.
    body = {
        "recipients": ["HR" if name.startswith("sl_") else "SI"],
        "urgency": "not_urgent",
        "subject": "walk",
        "body": "walk",
        "handling_code": "H0",
        "vehicles-TOTAL_FORMS": "1",
        "vehicles-INITIAL_FORMS": "0",
        "vehicles-0-plate": "CZ 5T2 8841",
        "vehicles-0-registration_country": "CZ",
    }
    for url in ("/exchange/new/", "/exchange/inform/"):
        response = client.post(url, body, follow=True)
        assert_no_leak(name, response, url)
        sent = bool(response.redirect_chain)
        assert sent == (name in {"sl_duty", "it_duty", "hr_duty"}), (name, url)
        assert sent or response.status_code == 403, (name, url, response.status_code)


# The search box: every marker searched by its own word, as each persona.
# A persona finds exactly the records it may see (the exchange's cases only
# with a contact-point role, whose pages they link to), and the answer never
# names or hints at the others.
SEARCHES_EXCHANGE = {"sl_duty", "it_duty", "hr_duty"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_search_finds_only_what_was_shared(name, world):
    users, _records, _export, _token = world
    client = testing.client_for(users[name])
    operational = name not in {"sl_dpo", "sl_admin", "outsider"}
    for marker in sorted(set(RECORDS) | set(INCIDENTS) | set(CASES)):
        for url in (f"/api/v1/search?q={marker}", f"/search/?q={marker}"):
            response = client.get(url, HTTP_X_PURPOSE="walk")
            assert response.status_code == (200 if operational else 403), url
            # The answer repeats the query; nothing else may name a hidden record.
            response.content = response.content.replace(marker.encode(), b"")
            assert_no_leak(name, response, url)
        if not operational:
            continue
        hits = [h for g in response_json(client, marker)["groups"] for h in g["hits"]]
        visible = marker in EXPECTED[name] and (marker not in CASES or name in SEARCHES_EXCHANGE)
        assert bool(hits) == visible, (name, marker, hits)


def response_json(client, marker):
    return client.get(f"/api/v1/search?q={marker}", HTTP_X_PURPOSE="walk").json()
