"""A request that finds the database held too long by another writer is
answered 503 "the node is busy" in the user's language, never 500."""

from unittest import mock

from django.db import OperationalError

from tromeja import testing


def test_a_locked_database_is_a_busy_node_not_a_server_error(persona):
    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    with mock.patch("tromeja.core.views.modules_for",
                    side_effect=OperationalError("database is locked")):  # fmt: skip
        page = client.get("/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert b"The node is busy; try again in a moment." in page.content


def test_the_api_says_busy_in_json(persona):
    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    with mock.patch("tromeja.core.views.modules_for",
                    side_effect=OperationalError("database is locked")):  # fmt: skip
        # The same handler answers every path; an /api/ path gets JSON.
        from tromeja.core import busy

        request = mock.Mock(path="/api/v1/incidents")
        answer = busy.busy_response(request)
    assert answer.status_code == 503 and b'"code": "busy"' in answer.content


def test_other_errors_are_still_the_nodes_error_page(persona):
    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    with mock.patch(
        "tromeja.core.views.modules_for", side_effect=OperationalError("no such table")
    ):
        page = client.get("/")
    assert page.status_code == 500
