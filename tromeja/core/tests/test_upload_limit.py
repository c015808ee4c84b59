"""Bodies over the limits get a clear 413 in the user's language — through
the real server (waitress), on pages and in the API's JSON error shape — and
the API accepts the attachments the form accepts."""

import base64
import http.client
import json
import re
import threading

import pytest
from django.test import override_settings
from django.utils import translation

from tromeja import testing
from tromeja.core.middleware import MB, waitress_limits

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def waitress_server(settings):
    """The node's application behind waitress, with the limits `tromeja
    serve` gives it (for an upload limit of 1 MB), on a free local port."""
    from waitress import create_server

    from tromeja.wsgi import application

    settings.TROMEJA_MAX_UPLOAD_MB = 1

    server = create_server(application, host="127.0.0.1", port=0, threads=2, **waitress_limits())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port

    def close_all():  # in the server's own thread, where its sockets are polled
        for channel in list(server._map.values()):
            channel.close()

    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(close_all)
    thread.join(timeout=5)


def _post(port, path, size, *, content_type="text/csv", language="sl"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(size))
    connection.putheader("Accept-Language", language)
    connection.endheaders()
    block = b"x" * MB
    sent = 0
    try:
        while sent < size:
            connection.send(block[: min(MB, size - sent)])
            sent += min(MB, size - sent)
    except (BrokenPipeError, ConnectionResetError):
        pass  # a server may answer and close before the whole body is sent
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response.getheader("Content-Type", ""), body


def _slovenian(text):
    with translation.override("sl"):
        return translation.gettext(text)


@pytest.mark.django_db(transaction=True)
def test_an_upload_just_over_the_limit_through_waitress_gets_the_slovenian_page(
    waitress_server, reference_data
):
    status, content_type, body = _post(waitress_server, "/incidents/import/", MB + 100_000)
    assert status == 413, body[:300]
    assert content_type.startswith("text/html")
    assert _slovenian("File too large") in body and _slovenian("File too large") != "File too large"
    assert "waitress" not in body


@pytest.mark.django_db(transaction=True)
def test_an_upload_ten_megabytes_over_the_limit_is_still_answered_by_the_node(
    waitress_server, reference_data
):
    status, _type, body = _post(waitress_server, "/incidents/import/", 11 * MB + 1)
    assert status == 413
    assert _slovenian("File too large") in body and "waitress" not in body


@pytest.mark.django_db(transaction=True)
def test_an_api_upload_over_the_limit_through_waitress_answers_413_in_json(
    waitress_server, reference_data
):
    status, content_type, body = _post(
        waitress_server, "/api/v1/exchange/requests", 2 * MB, content_type="application/json"
    )
    assert status == 413 and content_type.startswith("application/json")
    with translation.override("sl"):
        expected = translation.gettext(
            "The file is too large (%(size)d MB); at most %(max)d MB are accepted. "
            "Split it into smaller files."
        ) % {"size": 2, "max": 1}
    assert json.loads(body) == {"detail": expected}


def test_waitress_lets_bodies_far_over_the_upload_limit_reach_the_node(settings):
    settings.TROMEJA_MAX_UPLOAD_MB = 50
    assert waitress_limits()["max_request_body_size"] == 200 * MB
    settings.TROMEJA_MAX_UPLOAD_MB = 1
    assert waitress_limits()["max_request_body_size"] == 101 * MB


def _information(attachment: bytes) -> str:
    return json.dumps(
        {
            "subject": "Posnetek",
            "body": "Posnetek nadzorne kamere.",
            "recipients": ["SI"],
            "attachments": [
                {"name": "posnetek.pdf", "content_base64": base64.b64encode(attachment).decode()}
            ],
        }
    )


def test_the_api_accepts_a_20_mb_attachment_in_base64(persona, data_dir):
    client = testing.client_for(persona("it_duty"))
    pdf = PDF + b"0" * (20 * MB - len(PDF) - 1)
    body = _information(pdf)
    assert len(body) > 26 * MB
    response = client.post(
        "/api/v1/exchange/information", data=body, content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]
    attachment = response.json()["messages"][0]["attachments"][0]
    assert attachment["name"] == "posnetek.pdf" and attachment["size"] == len(pdf)


@override_settings(TROMEJA_MAX_UPLOAD_MB=5)
def test_an_api_attachment_body_over_the_upload_limit_answers_413_in_json(persona, data_dir):
    client = testing.client_for(persona("it_duty"))
    body = _information(PDF + b"0" * (4 * MB))  # 5.3 MB in Base64
    response = client.post(
        "/api/v1/exchange/information", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "at most 5 MB" in response.json()["detail"]


def test_other_api_bodies_keep_the_small_limit_and_answer_413_in_json(persona):
    officer = persona("sl_duty")
    officer.language = "sl"
    officer.save()
    client = testing.client_for(officer)
    body = json.dumps({"title": "x" * (3 * MB)})
    response = client.post("/api/v1/notices", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": _slovenian("The request is too large.")}


def test_form_fields_over_the_small_limit_get_the_413_page(persona):
    client = testing.client_for(persona("sl_duty"))
    encoded = client.post(
        "/notices/new/",
        data="title=" + "x" * (3 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    multipart = client.post("/notices/new/", data={"title": "x" * (3 * MB)})
    for response in (encoded, multipart):
        assert response.status_code == 413
        assert "The request is too large." in response.content.decode()


def test_every_api_call_with_attachments_may_carry_a_large_body(settings):
    """TROMEJA_LARGE_BODY_PATHS names every API operation whose body has
    attachments, and nothing else."""
    from tromeja.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    with_files, without = [], []
    for path, operations in schema["paths"].items():
        concrete = "/api/v1" + re.sub(r"\{[^}]+\}", "7", path.removeprefix("/api/v1"))
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
            fields = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            (with_files if "attachments" in fields else without).append(concrete)
    assert with_files
    large = [
        p
        for p in with_files + without
        if any(re.match(pattern, p) for pattern in settings.TROMEJA_LARGE_BODY_PATHS)
    ]
    assert sorted(large) == sorted(with_files)
