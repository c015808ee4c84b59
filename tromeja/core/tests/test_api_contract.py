"""Bad input the API once answered with a server error or in English: each
answers a clear, localized 4xx now."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tromeja import testing

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.mark.parametrize("path", ["/api/v1/incidents", "/api/v1/notices", "/api/v1/audit"])
@pytest.mark.parametrize("query", ["page=9223372036854775808", "page=10001", "page_size=101"])
def test_a_page_no_list_can_reach_is_refused_not_a_server_error(persona, path, query):
    user = persona("sl_dpo") if "audit" in path else persona("sl_duty")
    response = testing.client_for(user).get(f"{path}?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] in {"query.page", "query.page_size"}


def test_the_last_page_a_list_offers_is_accepted(sl_duty):
    response = testing.client_for(sl_duty).get("/api/v1/notices?page=10000&page_size=1")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("field", ["handling_note", "persons_concerned", "data_subject_category"])
def test_patching_a_notice_field_to_null_is_refused(sl_duty, field):
    notice = testing.notice(sl_duty)
    response = testing.client_for(sl_duty).patch(
        f"/api/v1/notices/{notice.pk}", json.dumps({field: None}), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == field and error["message"]


def test_a_notice_date_may_still_be_cleared_with_null(sl_duty):
    notice = testing.notice(sl_duty, valid_until=timezone.localdate() + timedelta(days=3))
    response = testing.client_for(sl_duty).patch(
        f"/api/v1/notices/{notice.pk}",
        json.dumps({"valid_until": None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["valid_until"] is None


def test_a_roster_before_1900_is_refused(sl_duty):
    response = testing.client_for(sl_duty).get("/api/v1/exchange/roster?since=1880-01-01T00:00:00Z")
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "query.since"
    assert "1900-01-01" in response.json()["errors"][0]["message"]


def test_roster_times_are_rfc_3339(sl_duty):
    response = testing.client_for(sl_duty).get("/api/v1/exchange/roster?since=1900-01-01T00:00:00Z")
    assert response.status_code == 200, response.content
    body = response.json()
    assert RFC3339.match(body["since"]) and RFC3339.match(body["until"]), body


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/notices", {"valid_until": "0514-05-01"}, "valid_until"),
        ("post", "/api/v1/notices", {"review_by": "2514-05-01"}, "review_by"),
        ("post", "/api/v1/incidents", {"occurred_at": "0514-05-01T10:00:00Z"}, "occurred_at"),
        ("get", "/api/v1/incidents?since=0514-05-01", None, "query.since"),
        ("get", "/api/v1/incidents/map?until=9999-12-31", None, "query.until"),
        ("get", "/api/v1/audit?since=0514-05-01", None, "query.since"),
    ],
)
def test_dates_out_of_the_sensible_range_are_refused_everywhere(persona, method, path, body, field):
    user = persona("sl_dpo") if "audit" in path else persona("sl_duty")
    client = testing.client_for(user)
    if method == "get":
        response = client.get(path)
    elif "incidents" in path:
        response = client.post(
            path, testing.incident_api_body(**body), content_type="application/json"
        )
    else:
        notice = {
            "kind": "other",
            "title": "t",
            "body": "b",
            "source_reliability": "A",
            "information_accuracy": "1",
        }
        response = client.post(
            path, json.dumps({**notice, **body}), content_type="application/json"
        )
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors
    assert "1900-01-01" in errors[field] and "2100-12-31" in errors[field]


def test_a_date_of_birth_of_a_person_in_a_report_is_bounded_too(sl_duty):
    body = testing.incident_api_body(
        persons=[
            {"role": "driver", "category": "suspect", "surname": "X", "date_of_birth": "0514-01-01"}
        ]
    )
    response = testing.client_for(sl_duty).post(
        "/api/v1/incidents", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "persons.0.date_of_birth"


def test_a_body_that_is_not_json_is_answered_in_the_callers_language(sl_duty):
    response = testing.client_for(sl_duty).post(
        "/api/v1/notices", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Il corpo della richiesta non è un JSON valido."


def test_a_choice_error_lists_the_choices_without_an_english_or(sl_duty):
    response = testing.client_for(sl_duty).get(
        "/api/v1/notices?kind=nonsense", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.status_code == 422
    message = response.json()["errors"][0]["message"]
    assert message.startswith("Scegli tra: ")
    assert " or " not in message and "'" not in message
    assert "lookout" in message and "modus_operandi" in message


def _operations():
    from tromeja.api import api

    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_operation_documents_its_errors_with_the_error_schema(db):
    for path, method, op in _operations():
        responses = op["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        for status, response in responses.items():
            if status >= "400":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path)
        assert op["description"], (method, path)


def test_operations_that_return_personal_data_declare_the_purpose_header(db):
    declared = {
        (method, path)
        for path, method, op in _operations()
        if {"$ref": "#/components/parameters/XPurpose"} in op.get("parameters", [])
    }
    assert ("get", "/api/v1/incidents/{incident_id}") in declared
    assert ("get", "/api/v1/notices/{notice_id}") in declared
    assert ("get", "/api/v1/exchange/cases/{case_id}") in declared
    assert ("get", "/api/v1/incidents") not in declared
    for method, path in declared:
        assert "428" in dict(_operations_by_key())[(method, path)]["responses"]


def _operations_by_key():
    return {(method, path): op for path, method, op in _operations()}.items()


def test_map_geography_and_attachments_have_response_schemas(db):
    ops = dict(_operations_by_key())
    for path in ("/api/v1/incidents/map", "/api/v1/incidents/geography"):
        content = ops[("get", path)]["responses"]["200"]["content"]["application/json"]
        assert content["schema"]["$ref"]
    attachment = ops[("get", "/api/v1/exchange/attachments/{attachment_id}")]
    assert "application/pdf" in attachment["responses"]["200"]["content"]


def test_the_page_size_cap_is_in_the_schema(db):
    params = {
        p["name"]: p for p in dict(_operations_by_key())[("get", "/api/v1/notices")]["parameters"]
    }
    assert params["page_size"]["schema"]["anyOf"][0]["maximum"] == 100
    assert params["page"]["schema"]["minimum"] == 1


def test_no_two_api_schemas_share_a_name(db):
    """The OpenAPI document names each schema once; two classes of one name
    in different apps would leave one app described by the other's."""
    import collections

    from ninja import Schema

    import tromeja.api  # noqa: F401 (every router imported)

    modules = collections.defaultdict(set)
    todo = [Schema]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("tromeja.") and ".tests." not in sub.__module__:
                modules[sub.__name__].add(sub.__module__)
            todo.append(sub)
    assert {name: m for name, m in modules.items() if len(m) > 1} == {}


@pytest.mark.parametrize(
    "query", ["q=a%00b", "border_section=x%00", "country=S%00"], ids=["q", "section", "country"]
)
def test_a_null_character_in_a_query_is_refused_not_a_server_error(sl_duty, query):
    response = testing.client_for(sl_duty).get(
        f"/api/v1/incidents?{query}", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "query." + query.split("=")[0]
    assert error["message"] == "I caratteri null non sono ammessi."


def test_a_null_character_in_a_json_body_is_refused_not_a_server_error(sl_duty):
    body = {
        "kind": "other",
        "title": "a\x00b",
        "body": "b",
        "source_reliability": "A",
        "information_accuracy": "1",
    }
    response = testing.client_for(sl_duty).post(
        "/api/v1/notices", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Null characters are not allowed."


def test_every_operation_documents_the_busy_answer_with_its_retry_after(db):
    for path, method, op in _operations():
        busy = op["responses"]["503"]
        assert "Retry-After" in busy["headers"], (method, path)


def test_the_busy_answer_fits_the_documented_error_schema(rf):
    import jsonschema_rs

    from tromeja.core.busy import busy_response
    from tromeja.openapi import ERROR_SCHEMA

    response = busy_response(rf.get("/api/v1/incidents"))
    assert response.status_code == 503 and int(response["Retry-After"]) >= 0
    jsonschema_rs.validate(ERROR_SCHEMA, json.loads(response.content))
