"""A request that finds the database held too long by another writer is
answered 503 "the node is busy" in the user's language, never 500."""

from unittest import mock

from django.db import OperationalError

from tromeja import testing


def test_a_locked_database_is_a_busy_node_not_a_server_error(persona):
    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    with mock.patch(
        "tromeja.core.views.modules_for", side_effect=OperationalError("database is locked")
    ):
        page = client.get("/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert b"The node is busy; try again in a moment." in page.content


def test_the_api_says_busy_in_json(persona):
    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    with mock.patch(
        "tromeja.core.views.modules_for", side_effect=OperationalError("database is locked")
    ):
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


def test_a_session_that_cannot_be_saved_for_the_lock_is_busy_not_a_bad_request(rf):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.exceptions import SessionInterrupted

    from tromeja.core import busy

    # What SessionMiddleware raises when the session row could not be written.
    try:
        try:
            try:
                raise OperationalError("database is locked")
            except OperationalError:
                raise UpdateError  # noqa: B904 (as Django does)
        except UpdateError:
            raise SessionInterrupted("The request's session was deleted")  # noqa: B904
    except SessionInterrupted as exc:
        interrupted = exc
    answer = busy.bad_request(rf.get("/exchange/"), interrupted)
    assert answer.status_code == 503 and b"The node is busy" in answer.content
    assert busy.bad_request(rf.get("/"), SessionInterrupted("gone")).status_code == 400


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_a_full_disk_through_the_api_says_so_in_the_callers_language_and_saves_nothing(persona):
    import json

    from tromeja.notices.models import Notice

    client = testing.client_for(persona("sl_duty"))
    client.raise_request_exception = False
    body = {
        "kind": "modus_operandi",
        "title": "Kombi",
        "body": "Kombi z ukrajinskimi tablicami",
        "source_reliability": "B",
        "information_accuracy": "2",
    }
    with mock.patch("tromeja.core.audit.log_many", side_effect=_disk_full):
        answer = client.post(
            "/api/v1/notices",
            json.dumps(body),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="sl",
        )
    assert answer.status_code == 503, answer.content
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["code"] == "out_of_space"
    assert "zmanjkalo prostora" in answer.json()["detail"]  # Slovenian, as asked
    assert not Notice.objects.exists()


def test_a_full_disk_on_a_page_is_the_nodes_own_page_not_a_server_error(persona):
    officer = persona("sl_duty")
    officer.language = "sl"
    officer.save(update_fields=["language"])
    client = testing.client_for(officer)
    client.raise_request_exception = False
    with mock.patch("tromeja.core.views.modules_for", side_effect=_disk_full):
        page = client.get("/")
    assert page.status_code == 503
    assert "Retry-After" not in page
    assert "zmanjkalo prostora" in page.content.decode()  # the user's language
