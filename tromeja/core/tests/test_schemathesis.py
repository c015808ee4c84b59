"""The API keeps its contract: schemathesis generates requests for every
operation of the published OpenAPI document and sends them to the node (its
WSGI application, on a seeded database, with a personal token). No answer may
be a server error, use a status code or a media type the document does not
state, or have a body its schema does not describe.

Valid requests and invalid ones (wrong types, values out of range, missing
fields) alike. Bounded for CI on two cores: a few examples per operation and
mode (TROMEJA_SCHEMATHESIS_EXAMPLES, default 6)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tromeja import testing
from tromeja.accounts.services import create_api_token

EXAMPLES = int(os.environ.get("TROMEJA_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: the requests run inside the test's
    # transaction, whose connection must stay open between them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(persona):
    """A write token of a Slovenian supervisor, with a few records to list."""
    supervisor = persona("sl_supervisor")
    duty = persona("sl_duty")
    testing.incident(duty, validate_by=supervisor, distribution="partners")
    testing.incident(supervisor)
    testing.notice(duty, has_personal_data=True)
    testing.notice(supervisor)
    _token, secret = create_api_token(user=supervisor, name="contract", scope="write", days=30)
    return secret


def _run(operation, token, mode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    def run(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}", "X-Purpose": "contract test"},
            checks=CHECKS,
        )

    run()


def _findings(exc) -> str:
    parts = [str(exc).splitlines()[0] if str(exc) else type(exc).__name__]
    for sub in getattr(exc, "exceptions", ()):
        parts.append(f"{type(sub).__name__}: {sub}")
    return "\n  ".join(parts)


def test_every_operation_keeps_the_contract(api_schema, token):
    found, tried = [], []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)
        try:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, token, mode)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 (each operation's findings are reported)
            found.append(f"{operation.label}: {_findings(exc)}")
    assert len(tried) >= 40, tried
    assert not found, "\n\n".join(found)
