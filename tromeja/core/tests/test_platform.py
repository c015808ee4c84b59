"""The node as a whole: settings, headers, roles table, translations, query counts."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tromeja import testing
from tromeja.core.roles import ROLE_PERMISSIONS, Perm, Role

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "tromeja.cli", *args],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | (env or {}),
        cwd=ROOT,
        timeout=120,
    )


PRODUCTION = {
    "TROMEJA_ENV": "production",
    "TROMEJA_SECRET_KEY": "k3y-" + "".join(chr(65 + i % 26) + str(i) for i in range(30)),
    "TROMEJA_AUDIT_KEY": "audit-" + "".join(str(i) for i in range(40)),
    "TROMEJA_ALLOWED_HOSTS": "tromeja.policija.si",
    "TROMEJA_DEMO": "0",
    "TROMEJA_DEBUG": "0",
}


def test_production_settings_pass_the_deployment_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "override,message",
    [
        ({"TROMEJA_SECRET_KEY": "short"}, "TROMEJA_SECRET_KEY"),
        ({"TROMEJA_DEMO": "1"}, "TROMEJA_DEMO"),
        ({"TROMEJA_DEBUG": "1"}, "TROMEJA_DEBUG"),
        ({"TROMEJA_ALLOWED_HOSTS": ""}, "TROMEJA_ALLOWED_HOSTS"),
        ({"TROMEJA_SESSION_IDLE_MINUTES": "soon"}, "TROMEJA_SESSION_IDLE_MINUTES"),
        ({"TROMEJA_ENV": "staging"}, "TROMEJA_ENV"),
    ],
)
def test_bad_configuration_stops_start_up_with_a_clear_message(override, message):
    result = run_manage("check", env={**PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_security_headers_are_sent(sl_duty):
    response = testing.client_for(sl_duty).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def test_pages_load_nothing_from_other_hosts(sl_duty):
    body = testing.client_for(sl_duty).get("/").content.decode()
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not attribute.startswith(("http:", "https:", "//")), attribute


def test_the_api_documentation_works_offline(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Tromeja API"
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_every_static_file_a_page_links_is_served(sl_duty):
    body = testing.client_for(sl_duty).get("/notices/new/").content.decode()
    client = Client()
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', body):
        response = client.get(path)
        assert response.status_code == 200, path


def test_the_front_end_libraries_are_served_from_installed_packages(db):
    client = Client()
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/bootstrap/css/bootstrap.min.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


def parse_roles_table():
    text = (ROOT / "docs" / "roles.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip().strip("`") for cell in rows[0].strip("|").split("|")]
    table = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        perm = re.search(r"`(\w+)`", cells[0]).group(1)
        table[perm] = {header[i] for i, cell in enumerate(cells) if cell == "✓"}
    return table


def test_docs_roles_md_is_the_table_the_code_enforces():
    table = parse_roles_table()
    assert set(table) == set(Perm.values)
    for perm, roles in table.items():
        expected = {str(role) for role in Role if perm in ROLE_PERMISSIONS[role]}
        assert roles == expected, perm


def test_every_string_is_translated_into_sl_it_and_hr(tmp_path):
    from django.conf import settings

    from tromeja.core.management.commands.check_translations import (
        extract_into_copy,
        missing_translations,
    )

    problems = missing_translations(extract_into_copy(Path(settings.BASE_DIR), tmp_path))
    assert not problems, problems


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/notices/", "/api/v1/notices", "/audit/"])
def test_pages_make_a_constant_number_of_queries(persona, url):
    duty, it_duty = persona("sl_duty"), persona("it_duty")
    user = persona("sl_dpo") if url == "/audit/" else duty
    client = testing.client_for(user)
    # The first request renews the fresh session (a write made at most once a
    # minute); the comparison is between steady-state requests.
    client.get("/")
    for i in range(3):
        testing.notice(it_duty, title=f"n{i}", distribution="partners")
    few = count_queries(client, url)
    for i in range(20):
        testing.notice(it_duty, title=f"m{i}", distribution="named", shared_with=["SI", "HR"])
        testing.notice(duty, title=f"o{i}", has_personal_data=(i % 2 == 0))
    many = count_queries(client, url)
    assert few == many, (url, few, many)


def test_the_node_serves_pages_with_its_own_server(tmp_path):
    """`tromeja serve` (what the demo ends with) starts its server and answers."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"TROMEJA_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tromeja.cli", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/tromeja/app.css") as r:  # noqa: S310
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
