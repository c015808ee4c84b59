"""The same report form sent twice at the same moment (a double tap that the
browser did not stop, two tabs restored with the same page): the two posts
are real requests in two threads, each with its own database connection,
held until both have passed the form's checks and then let in together. One
report is written; the second post answers with it."""

import pytest
from django.test import Client

from tromeja import testing
from tromeja.core.tests.test_concurrent_transitions import hold_at_the_door, race
from tromeja.incidents import views
from tromeja.incidents.models import Incident
from tromeja.incidents.tests.test_field_form import token_of
from tromeja.incidents.tests.test_incident_pages import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def same_session(client):
    twin = Client()
    twin.cookies = client.cookies
    return twin


@pytest.mark.parametrize("submit", [False, True])
def test_two_posts_of_one_form_at_once_write_one_report(persona, monkeypatch, submit):
    first = testing.client_for(persona("sl_border"))
    token = token_of(first.get("/incidents/new/"))
    second = same_session(first)
    data = form_data(form_token=token, **({"submit": "1"} if submit else {}))
    hold_at_the_door(monkeypatch, views)
    answers = race(
        lambda: first.post("/incidents/new/", data), lambda: second.post("/incidents/new/", data)
    )
    report = Incident.objects.get()
    for answer in answers:
        assert not isinstance(answer, Exception), answer
        assert answer.status_code == 302 and answer["Location"] == f"/incidents/{report.pk}/"
    assert report.status == ("submitted" if submit else "draft")
