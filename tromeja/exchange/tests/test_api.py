"""The contact point through the API, with the same rules as the pages."""

import json

from tromeja import testing
from tromeja.exchange.models import Message


def post(client, url, body):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", HTTP_X_PURPOSE="case 2026/117"
    )


def test_a_national_system_runs_a_request_through_the_api(persona):
    it = testing.client_for(persona("it_duty"))
    si = testing.client_for(persona("sl_duty"))
    hr = testing.client_for(persona("hr_duty"))
    created = post(
        it,
        "/api/v1/exchange/requests",
        {
            "subject": "Furgone CZ 5T2 8841",
            "body": "Conducente?",
            "urgency": "urgent_direct",
            "recipients": ["SI"],
        },
    )
    assert created.status_code == 201
    case = created.json()
    leg_id = case["legs"][0]["id"]
    assert 28700 < case["legs"][0]["seconds_left"] <= 28800
    inbox = si.get("/api/v1/exchange/legs").json()
    assert [row["case_reference"] for row in inbox] == [case["reference"]]
    ask = {"kind": "clarification_request", "body": "Periodo?"}
    assert post(si, f"/api/v1/exchange/legs/{leg_id}/reply", ask).status_code == 200
    assert si.get("/api/v1/exchange/legs").json()[0]["suspended"] is True
    assert (
        post(it, f"/api/v1/exchange/legs/{leg_id}/clarify", {"body": "Ottobre"}).status_code == 200
    )
    answered = post(
        si, f"/api/v1/exchange/legs/{leg_id}/reply", {"kind": "answer", "body": "Voznik KOVAČ"}
    )
    assert answered.json()["legs"][0]["state"] == "answered"
    seen = it.get(f"/api/v1/exchange/cases/{case['id']}", HTTP_X_PURPOSE="x").json()
    assert [m["kind"] for m in seen["messages"]] == [
        "request",
        "clarification_request",
        "clarification",
        "answer",
    ]
    # Croatia: nothing, whatever it asks.
    assert hr.get(f"/api/v1/exchange/cases/{case['id']}").status_code == 404
    assert hr.get("/api/v1/exchange/legs").json() == []
    assert (
        post(
            hr, f"/api/v1/exchange/legs/{leg_id}/reply", {"kind": "answer", "body": "x"}
        ).status_code
        == 404
    )


def test_the_api_refuses_to_pass_on_h2_without_consent(persona):
    it = testing.client_for(persona("it_duty"))
    si = testing.client_for(persona("sl_duty"))
    case = post(
        si,
        "/api/v1/exchange/requests",
        {"subject": "LJ AB-123", "body": "?", "urgency": "not_urgent", "recipients": ["IT"]},
    ).json()
    leg_id = case["legs"][0]["id"]
    post(it, f"/api/v1/exchange/legs/{leg_id}/reply", {"kind": "answer", "body": "ROSSI"})
    answer = Message.objects.get(kind="answer")
    Message.objects.filter(pk=answer.pk).update(handling_code="H2")
    refused = post(si, f"/api/v1/exchange/messages/{answer.pk}/forward", {"recipients": ["HR"]})
    assert refused.status_code == 422 and "consented" in json.dumps(refused.json())
    assert (
        post(
            si, f"/api/v1/exchange/messages/{answer.pk}/consent", {"countries": ["HR"]}
        ).status_code
        == 403
    )
    assert (
        post(
            it, f"/api/v1/exchange/messages/{answer.pk}/consent", {"countries": ["HR"]}
        ).status_code
        == 200
    )
    passed = post(si, f"/api/v1/exchange/messages/{answer.pk}/forward", {"recipients": ["HR"]})
    assert passed.status_code == 201 and passed.json()["messages"][0]["handling_code"] == "H2"


def test_the_api_refuses_wrong_roles_and_bad_input(persona, client):
    assert client.get("/api/v1/exchange/legs").status_code == 401
    border = testing.client_for(persona("sl_border"))
    assert border.get("/api/v1/exchange/legs").status_code == 403
    duty = testing.client_for(persona("sl_duty"))
    bad = post(
        duty,
        "/api/v1/exchange/requests",
        {"subject": "x", "body": "x", "urgency": "whenever", "recipients": ["IT"]},
    )
    assert bad.status_code == 422
    self_request = post(
        duty,
        "/api/v1/exchange/requests",
        {"subject": "x", "body": "x", "urgency": "not_urgent", "recipients": ["SI"]},
    )
    assert self_request.status_code == 422
