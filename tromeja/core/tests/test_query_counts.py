"""The busiest pages and endpoints ask the database the same number of
questions whether they show two records or a dozen: no query per row (N+1).

Each test measures one page with few records, adds more of the same, measures
again and compares; a fixed ceiling keeps the count itself honest.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tromeja import testing
from tromeja.exchange import services as exchange
from tromeja.incidents import services as incidents


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def assert_flat(measure, grow, *, ceiling):
    """The count after `grow()` equals the count before, and stays under the
    ceiling."""
    measure()  # the first request of a session also loads and refreshes it
    before = measure()
    grow()
    after = measure()
    assert after == before, f"{before} queries with few records, {after} with more"
    assert after <= ceiling, after


def _requests(requester, n, **extra):
    for i in range(n):
        exchange.send_request(
            user=requester,
            subject=f"Kombi {i}",
            body="Kdo je voznik?",
            urgency="urgent_direct" if i % 2 else "not_urgent",
            recipients=["SI"],
            vehicles=[{"plate": f"KA {i:03d} XX", "registration_country": "UA"}],
            phones=[f"+38640000{i:03d}"],
            **extra,
        )


def test_the_contact_point_inbox_does_not_query_per_request(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    client = testing.client_for(slovenia)
    _requests(italy, 2)
    assert_flat(lambda: queries(client, "/exchange/"), lambda: _requests(italy, 10), ceiling=25)


def test_the_requesters_inbox_does_not_query_per_request(persona):
    italy = persona("it_duty")
    persona("sl_duty")
    client = testing.client_for(italy)
    _requests(italy, 2)
    assert_flat(lambda: queries(client, "/exchange/"), lambda: _requests(italy, 10), ceiling=25)


def test_the_case_page_does_not_query_per_message(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = exchange.send_request(
        user=italy,
        subject="Kombi",
        body="Kdo je voznik?",
        urgency="not_urgent",
        recipients=["SI"],
        vehicles=[{"plate": "KA 001 XX", "registration_country": "UA"}],
    )
    leg = case.legs.get()
    client = testing.client_for(slovenia)
    url = f"/exchange/cases/{case.pk}/"
    exchange.reply(user=slovenia, leg=leg, kind="acknowledgement")

    def more_messages():
        for i in range(3):
            exchange.reply(user=slovenia, leg=leg, kind="clarification_request", body=f"Q{i}")
            leg.refresh_from_db()
            exchange.clarify(user=italy, leg=leg, body=f"A{i}")
            leg.refresh_from_db()

    assert_flat(lambda: queries(client, url), more_messages, ceiling=45)


def test_the_legs_api_does_not_query_per_leg(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    client = testing.client_for(slovenia)
    _requests(italy, 2)
    assert_flat(
        lambda: queries(client, "/api/v1/exchange/legs"),
        lambda: _requests(italy, 10),
        ceiling=10,
    )


def _reports(user, supervisor, n):
    for i in range(n):
        testing.incident(
            user,
            validate_by=supervisor,
            persons_total=2,
            entities=incidents.Entities(
                counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 2}],
                vehicles=[{"plate": f"LJ {i:03d} AB", "registration_country": "SI"}],
            ),
        )


def test_the_incident_list_does_not_query_per_report(persona):
    officer, supervisor = persona("sl_duty"), persona("sl_supervisor")
    client = testing.client_for(officer)
    _reports(officer, supervisor, 2)
    assert_flat(
        lambda: queries(client, "/incidents/"),
        lambda: _reports(officer, supervisor, 10),
        ceiling=25,
    )


def test_the_incident_api_list_does_not_query_per_report(persona):
    officer, supervisor = persona("sl_duty"), persona("sl_supervisor")
    client = testing.client_for(officer)
    _reports(officer, supervisor, 2)
    assert_flat(
        lambda: queries(client, "/api/v1/incidents"),
        lambda: _reports(officer, supervisor, 10),
        ceiling=15,
    )


def test_the_incident_api_detail_queries_only_the_cross_match_per_vehicle(persona):
    # The cross-match asks the (kind, key, -occurred_at) index once per key, so
    # that a key seen thousands of times stops at the first visible hits
    # (incidents/queries.py: sightings); nothing else is asked per vehicle.
    officer, supervisor = persona("sl_duty"), persona("sl_supervisor")
    client = testing.client_for(officer)
    vehicles = [{"plate": f"LJ {i:03d} AB", "registration_country": "SI"} for i in range(12)]
    few = testing.incident(
        officer,
        validate_by=supervisor,
        persons_total=0,
        entities=incidents.Entities(vehicles=vehicles[:2]),
    )
    many = testing.incident(
        officer,
        validate_by=supervisor,
        persons_total=0,
        entities=incidents.Entities(vehicles=vehicles),
    )
    headers = {"HTTP_X_PURPOSE": "case 2026/117"}
    queries(client, f"/api/v1/incidents/{few.pk}", **headers)
    first = queries(client, f"/api/v1/incidents/{few.pk}", **headers)
    second = queries(client, f"/api/v1/incidents/{many.pk}", **headers)
    assert second - first == len(vehicles) - 2 and second <= 40, (first, second)
