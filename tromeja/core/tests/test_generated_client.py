"""A client generated from the node's own OpenAPI document (openapi-python-
client, at test time, into a temporary directory) drives the main flows
against a live node: list reports, file a draft, read it, write it back
unchanged, publish a notice and read it. What a national system would
generate from /api/v1/openapi.json works as published."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tromeja import testing
from tromeja.accounts.services import create_api_token

PACKAGE = "tromeja_generated_client"


@pytest.fixture
def generated(live_server, tmp_path):
    document = httpx.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [
            str(tool),
            "generate",
            "--path",
            "openapi.json",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
            "--config",
            "config.yaml",
            "--fail-on-warning",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def test_a_generated_client_drives_the_main_flows(generated, live_server, reference_data):
    officer = testing.make_persona("sl_duty")
    _token, secret = create_api_token(user=officer, name="national system", scope="write", days=30)
    client = generated("client").AuthenticatedClient(
        base_url=live_server.url, token=secret, headers={"X-Purpose": "case 2026/117"}
    )
    models = generated("models")
    incidents = "api.incidents.tromeja_incidents_api_"
    notices = "api.notices.tromeja_notices_api_"

    listed = generated(incidents + "list_incidents").sync_detailed(client=client)
    assert listed.status_code == 200 and listed.parsed.count == 0

    body = json.loads(
        testing.incident_api_body(
            persons=[{"role": "driver", "category": "suspect", "surname": "Horvat"}],
            phones=[{"number": "+386 41 123 456"}],
            documents=[{"type": "passport", "number": "P1234567", "issuing_country": "HR"}],
        )
    )
    created = generated(incidents + "create_incident").sync_detailed(
        client=client, body=models.IncidentIn.from_dict(body)
    )
    assert created.status_code == 201, created.content
    draft = created.parsed
    assert draft.status == "draft"

    read = generated(incidents + "get_incident").sync(draft.id, client=client)
    assert isinstance(read, models.IncidentOut)
    assert [p.surname for p in read.persons] == ["Horvat"]

    written = generated(incidents + "update_incident").sync(
        draft.id, client=client, body=models.IncidentIn.from_dict(read.to_dict())
    )
    assert isinstance(written, models.IncidentOut), written
    for key in ("persons", "vehicles", "phones", "documents", "counts", "occurred_at"):
        assert written.to_dict()[key] == read.to_dict()[key], key
    assert written.version >= read.version

    listed = generated(incidents + "list_incidents").sync(client=client)
    assert [item.id for item in listed.items] == [draft.id]

    notice = generated(notices + "create_notice").sync_detailed(
        client=client,
        body=models.NoticeIn.from_dict(
            {
                "kind": "lookout",
                "title": "White Ford Transit, Ukrainian plates",
                "body": "Seen near Obrežje at night.",
                "source_reliability": "B",
                "information_accuracy": "2",
            }
        ),
    )
    assert notice.status_code == 201, notice.content
    shown = generated(notices + "get_notice").sync(notice.parsed.id, client=client)
    assert isinstance(shown, models.NoticeOut)
    assert shown.title == "White Ford Transit, Ukrainian plates"

    refused = generated(notices + "get_notice").sync_detailed(
        notice.parsed.id,
        client=generated("client").AuthenticatedClient(
            base_url=live_server.url, token="trm_revoked"
        ),
    )
    assert refused.status_code == 401
    assert isinstance(refused.parsed, models.Error)
