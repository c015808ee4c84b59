"""The yearly statistics of the contact point (Directive (EU) 2023/977
art. 18): exact figures for requester and recipient, year boundaries in the
node's time zone, the CSV file and the API, and who may see which country's
figures."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tromeja import testing
from tromeja.exchange import services, stats
from tromeja.exchange.choices import LegState
from tromeja.exchange.models import Leg

# settings.TIME_ZONE of the test node.
NODE = ZoneInfo("Europe/Ljubljana")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=NODE)


def _move(case, country, *, received, due=None, closed=None):
    fields = {"received_at": received}
    if due is not None:
        fields["due_at"] = due
    if closed is not None:
        fields["closed_at"] = closed
    assert Leg.objects.filter(case=case, recipient_country_id=country).update(**fields) == 1


def _send(user, urgency, recipients, subject):
    return services.send_request(
        user=user, subject=subject, body="?", urgency=urgency, recipients=recipients
    )


# Each country's figures are those its duty officer may see.
_OFFICERS = {"SI": "sl_duty", "IT": "it_duty", "HR": "hr_duty"}


def officer(country):
    from tromeja.accounts.models import User

    name = _OFFICERS[country]
    return User.objects.filter(username=name).first() or testing.make_persona(name)


def _leg(case, country):
    return Leg.objects.get(case=case, recipient_country_id=country)


@pytest.fixture
def year_of_exchanges(persona):
    """Six requests between the three contact points around 2024:

    A  IT → SI, HR  urgent_direct   SI answers in 2 h 20 min (on time);
                                    HR refuses after 10 h (late, harms investigation)
    B  IT → SI      not_urgent      SI refuses after 48 h (on time, not available)
    C  HR → SI      urgent_indirect received 31 Dec 2024 23:30 local; clarified,
                                    answered 120 h later (late)
    D  SI → IT      not_urgent      received 1 Jan 2024 00:30 local (still 2023 in
                                    UTC); acknowledged only, deadline passed
    E  SI → HR      urgent_direct   received 1 Jan 2025 00:30 local (2024 in UTC);
                                    clarification pending, no deadline
    F  IT → SI      urgent_direct   received 31 Dec 2023 23:59 local; answered
    G  IT → HR      not_urgent      closed by Italy before an answer
    and Italy closes case A once answered and refused: both still count so.
    """
    it, si, hr = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    a = _send(it, "urgent_direct", ["SI", "HR"], "Furgone CZ 5T2 8841")
    services.reply(user=si, leg=_leg(a, "SI"), kind="answer", body="Voznik KOVAČ")
    services.reply(user=hr, leg=_leg(a, "HR"), kind="refusal", refusal_ground="harms_investigation")
    _move(
        a, "SI", received=at(2024, 3, 1, 10), due=at(2024, 3, 1, 18), closed=at(2024, 3, 1, 12, 20)
    )
    _move(a, "HR", received=at(2024, 3, 1, 10), due=at(2024, 3, 1, 18), closed=at(2024, 3, 1, 20))

    b = _send(it, "not_urgent", ["SI"], "Targa GO 123 AB")
    services.reply(user=si, leg=_leg(b, "SI"), kind="refusal", refusal_ground="not_available")
    _move(b, "SI", received=at(2024, 6, 10, 9), due=at(2024, 6, 18), closed=at(2024, 6, 12, 9))

    c = _send(hr, "urgent_indirect", ["SI"], "Vozilo ZG 1234-AB")
    services.reply(user=si, leg=_leg(c, "SI"), kind="clarification_request", body="Koje vrijeme?")
    services.clarify(user=hr, leg=_leg(c, "SI"), body="Listopad")
    services.reply(user=si, leg=_leg(c, "SI"), kind="answer", body="Lastnik NOVAK")
    _move(
        c,
        "SI",
        received=at(2024, 12, 31, 23, 30),
        due=at(2025, 1, 4),
        closed=at(2025, 1, 5, 23, 30),
    )

    d = _send(si, "not_urgent", ["IT"], "Telefon +386 40 123 456")
    services.reply(user=it, leg=_leg(d, "IT"), kind="acknowledgement")
    _move(d, "IT", received=at(2024, 1, 1, 0, 30), due=at(2024, 1, 9))

    e = _send(si, "urgent_direct", ["HR"], "Vozilo LJ AB-123")
    services.reply(user=hr, leg=_leg(e, "HR"), kind="clarification_request", body="Koji dan?")
    _move(e, "HR", received=at(2025, 1, 1, 0, 30))

    f = _send(it, "urgent_direct", ["SI"], "Furgone TS 998877")
    services.reply(user=si, leg=_leg(f, "SI"), kind="answer", body="Ni zadetkov")
    _move(
        f,
        "SI",
        received=at(2023, 12, 31, 23, 59),
        due=at(2024, 1, 1, 7, 59),
        closed=at(2024, 1, 1, 1, 59),
    )

    g = _send(it, "not_urgent", ["HR"], "Targa PN 777 ZZ")
    services.close_case(user=it, case=g, body="Risolto")
    _move(g, "HR", received=at(2024, 5, 2, 10), due=at(2024, 5, 10), closed=at(2024, 5, 3))
    services.close_case(user=it, case=a, body="Grazie")
    assert set(a.legs.values_list("state", flat=True)) == {LegState.CLOSED}
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g}


ZERO = {
    "requests": 0,
    "cases": 0,
    "answered": 0,
    "refused": 0,
    "within_deadline": 0,
    "after_deadline": 0,
    "open": 0,
    "overdue_open": 0,
    "closed_unanswered": 0,
    "median_seconds": None,
    "median_hours": None,
}


def figures(**values):
    return {**ZERO, **values}


def test_the_recipient_counts_what_it_received_answered_refused_and_late(year_of_exchanges):
    received = stats.yearly(officer("SI"), 2024)["received"]
    assert received["by_urgency"] == {
        "urgent_direct": figures(
            requests=1,
            cases=1,
            answered=1,
            within_deadline=1,
            median_seconds=8400,
            median_hours=2.33,
        ),
        "urgent_indirect": figures(
            requests=1,
            cases=1,
            answered=1,
            after_deadline=1,
            median_seconds=432000,
            median_hours=120.0,
        ),
        "not_urgent": figures(
            requests=1,
            cases=1,
            refused=1,
            within_deadline=1,
            median_seconds=172800,
            median_hours=48.0,
        ),
    }
    assert received["total"] == figures(
        requests=3,
        cases=3,
        answered=2,
        refused=1,
        within_deadline=2,
        after_deadline=1,
        median_seconds=172800,
        median_hours=48.0,
    )
    assert received["refusals"] == {
        "not_available": 1,
        "harms_investigation": 0,
        "harms_safety": 0,
        "disproportionate": 0,
        "minor_offence": 0,
        "no_consent": 0,
        "not_authorised": 0,
    }


def test_the_requester_counts_requests_per_recipient_and_cases_once(year_of_exchanges):
    italy = stats.yearly(officer("IT"), 2024)
    sent = italy["sent"]
    # Case A went to two partners: two requests, one case; the median of
    # 2 h 20 min and 10 h is 6 h 10 min.
    assert sent["by_urgency"]["urgent_direct"] == figures(
        requests=2,
        cases=1,
        answered=1,
        refused=1,
        within_deadline=1,
        after_deadline=1,
        median_seconds=22200,
        median_hours=6.17,
    )
    # G was closed before an answer: neither on time nor late, no answer time.
    assert sent["by_urgency"]["not_urgent"] == figures(
        requests=2,
        cases=2,
        refused=1,
        within_deadline=1,
        closed_unanswered=1,
        median_seconds=172800,
        median_hours=48.0,
    )
    assert sent["by_urgency"]["urgent_indirect"] == ZERO
    assert sent["total"] == figures(
        requests=4,
        cases=3,
        answered=1,
        refused=2,
        within_deadline=2,
        after_deadline=1,
        closed_unanswered=1,
        median_seconds=36000,
        median_hours=10.0,
    )
    assert {g: n for g, n in sent["refusals"].items() if n} == {
        "harms_investigation": 1,
        "not_available": 1,
    }
    # What Slovenia asked of Italy, still open with its deadline passed.
    assert italy["received"]["total"] == figures(requests=1, cases=1, open=1, overdue_open=1)
    assert italy["received"]["by_urgency"]["not_urgent"]["overdue_open"] == 1


def test_both_sides_count_the_same_exchanges(year_of_exchanges):
    croatia = stats.yearly(officer("HR"), 2024)
    assert croatia["sent"]["total"] == figures(
        requests=1, cases=1, answered=1, after_deadline=1, median_seconds=432000, median_hours=120.0
    )
    assert croatia["received"]["total"] == figures(
        requests=2,
        cases=2,
        refused=1,
        after_deadline=1,
        closed_unanswered=1,
        median_seconds=36000,
        median_hours=10.0,
    )
    assert croatia["received"]["refusals"]["harms_investigation"] == 1
    slovenia = stats.yearly(officer("SI"), 2024)
    assert slovenia["sent"]["total"] == figures(requests=1, cases=1, open=1, overdue_open=1)
    # Every request is counted once as sent and once as received.
    for measure in stats.MEASURES:
        if measure == "cases":
            continue
        countries = [officer(c) for c in ["SI", "IT", "HR"]]
        assert sum(stats.yearly(c, 2024)["sent"]["total"][measure] for c in countries) == sum(
            stats.yearly(c, 2024)["received"]["total"][measure] for c in countries
        )


def test_a_request_counts_in_the_year_it_was_received_in_the_node_time_zone(
    year_of_exchanges,
):
    # D: 1 Jan 2024 00:30 in Ljubljana is 31 Dec 2023 in UTC: 2024.
    assert stats.yearly(officer("SI"), 2024)["sent"]["total"]["requests"] == 1
    # E: 1 Jan 2025 00:30 in Ljubljana: 2025, open with a clarification
    # pending, so not overdue.
    assert stats.yearly(officer("SI"), 2025)["sent"]["total"] == figures(
        requests=1, cases=1, open=1
    )
    assert stats.yearly(officer("HR"), 2025)["received"]["by_urgency"]["urgent_direct"]["open"] == 1
    # F: 31 Dec 2023 23:59 in Ljubljana: 2023, though answered in 2024.
    assert stats.yearly(officer("SI"), 2023)["received"]["total"] == figures(
        requests=1, cases=1, answered=1, within_deadline=1, median_seconds=7200, median_hours=2.0
    )
    assert stats.yearly(officer("SI"), 2024)["received"]["total"]["requests"] == 3
    assert stats.years_available(officer("SI"))[-3:] == [2025, 2024, 2023]
    assert stats.years_available(officer("SI"))[0] == timezone.localtime().year


def test_the_figures_take_a_constant_number_of_queries(
    year_of_exchanges, persona, django_assert_num_queries
):
    slovenia, italy = officer("SI"), officer("IT")
    # Their roles are read once, before the figures are counted.
    slovenia.has_perm_code("view_records"), italy.has_perm_code("view_records")
    with django_assert_num_queries(4):
        stats.yearly(slovenia, 2024)
    for _i in range(5):
        _send(persona("it_duty"), "not_urgent", ["SI", "HR"], "Ancora")
    with django_assert_num_queries(4):
        stats.yearly(italy, timezone.localtime().year)


def test_a_country_without_exchanges_sees_zeros_and_an_empty_year(persona):
    assert stats.yearly(officer("HR"), 2024)["sent"]["total"] == ZERO
    assert stats.years_available(officer("HR")) == [timezone.localtime().year]


def test_the_page_shows_the_own_country_figures_by_urgency_and_ground(year_of_exchanges, persona):
    page = testing.client_for(persona("sl_duty")).get("/exchange/statistics/?year=2024")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Contact-point statistics 2024: Slovenia" in text
    assert "Urgent, directly accessible (8 hours)" in text
    assert "The information is not available" in text
    assert "2 h 20 min" in text and "120 h 00 min" in text and "48 h 00 min" in text
    assert '<option value="2023">' in text and '<option value="2024" selected>' in text
    assert "/exchange/statistics.csv?year=2024" in text
    assert "No exchanges in this year." not in text


def test_the_page_defaults_to_this_year_and_says_when_there_is_nothing(persona):
    client = testing.client_for(persona("hr_analyst"))
    page = client.get("/exchange/statistics/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'<option value="{timezone.localtime().year}" selected>' in text
    assert "No exchanges in this year." in text


def test_the_page_explains_a_year_it_cannot_show(persona):
    client = testing.client_for(persona("sl_duty"))
    for year in ("abc", "1999", str(timezone.localtime().year + 2), "2024.5"):
        page = client.get(f"/exchange/statistics/?year={year}")
        assert page.status_code == 400
        assert "Choose a year between 2000 and" in page.content.decode()
    assert client.get("/exchange/statistics/?year=2000").status_code == 200


def test_a_third_country_sees_only_its_own_zeros(year_of_exchanges, persona):
    # 2023 holds only F, between Italy and Slovenia.
    croatia = testing.client_for(persona("hr_analyst"))
    page = croatia.get("/exchange/statistics/?year=2023").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert "No exchanges in this year." in main and "Croatia" in main
    assert "Slovenia" not in main and "Italy" not in main
    rows = _csv(croatia.get("/exchange/statistics.csv?year=2023"))
    assert all(row[2] in {"0", ""} for row in rows[1:])
    body = croatia.get("/api/v1/exchange/statistics?year=2023").json()
    assert body["country"] == "HR"
    assert body["sent"]["total"]["requests"] == body["received"]["total"]["requests"] == 0
    # Asking for another country is not a thing: the country is the user's.
    again = croatia.get("/api/v1/exchange/statistics?year=2023&country=SI").json()
    assert again["country"] == "HR" and again["received"]["total"]["requests"] == 0


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_measure(year_of_exchanges, persona):
    response = testing.client_for(persona("sl_duty")).get("/exchange/statistics.csv?year=2024")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="exchange-statistics-SI-2024.csv"'
    )
    rows = _csv(response)
    assert rows[0] == ["Measure", "Urgency", "Value"]
    values = {(m, u): v for m, u, v in rows[1:]}
    assert len(values) == len(rows) - 1
    received, sent = "Requests we received: ", "Requests we sent: "
    assert values[received + "Requests", "All"] == "3"
    assert values[received + "Requests", "Urgent, directly accessible (8 hours)"] == "1"
    assert values[received + "Answered or refused after the deadline", "All"] == "1"
    assert values[received + "Refused by us: The information is not available", "All"] == "1"
    assert values[received + "Median answer time (hours)", "All"] == "48.0"
    median = received + "Median answer time (hours)"
    assert values[median, "Urgent, directly accessible (8 hours)"] == "2.33"
    assert values[median, "Urgent, indirectly accessible (3 days)"] == "120.0"
    assert values[sent + "Requests (one per recipient)", "Not urgent (7 days)"] == "1"
    assert values[sent + "Still open, deadline passed", "All"] == "1"
    assert values[sent + "Median answer time (hours)", "All"] == ""
    assert values[sent + "Refused by the partner: The information is not available", "All"] == "0"


def test_the_csv_speaks_the_user_language(year_of_exchanges, persona):
    italy = persona("it_duty")
    italy.language = "it"
    italy.save(update_fields=["language"])
    rows = _csv(testing.client_for(italy).get("/exchange/statistics.csv?year=2024"))
    assert rows[0][1] == "Urgenza"
    assert "Tutti" in {row[1] for row in rows[1:]}


def test_the_csv_neutralises_spreadsheet_formulas(year_of_exchanges, persona, monkeypatch):
    monkeypatch.setitem(stats.DIRECTION_LABELS, "received", '=HYPERLINK("http://x")')
    response = testing.client_for(persona("sl_duty")).get("/exchange/statistics.csv?year=2024")
    rows = _csv(response)
    labels = {row[0] for row in rows}
    assert '\'=HYPERLINK("http://x"): Requests' in labels
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_csv_refuses_a_bad_year(persona):
    client = testing.client_for(persona("sl_duty"))
    for year in ("abc", "1999", str(timezone.localtime().year + 2)):
        assert client.get(f"/exchange/statistics.csv?year={year}").status_code == 400
    today = client.get("/exchange/statistics.csv")
    name = f"exchange-statistics-SI-{timezone.localtime().year}.csv"
    assert name in today["Content-Disposition"]


def test_the_api_returns_the_same_figures(year_of_exchanges, persona):
    body = testing.client_for(persona("it_duty")).get("/api/v1/exchange/statistics?year=2024")
    assert body.status_code == 200
    data = body.json()
    assert data["country"] == "IT" and data["year"] == 2024
    assert data["time_zone"] == "Europe/Ljubljana"
    assert data["sent"]["total"] == {
        "requests": 4,
        "cases": 3,
        "answered": 1,
        "refused": 2,
        "within_deadline": 2,
        "after_deadline": 1,
        "open": 0,
        "overdue_open": 0,
        "closed_unanswered": 1,
        "median_answer_hours": 10.0,
    }
    assert data["sent"]["by_urgency"]["urgent_direct"]["median_answer_hours"] == 6.17
    assert data["sent"]["by_urgency"]["urgent_indirect"]["median_answer_hours"] is None
    assert data["sent"]["refusals_by_ground"]["harms_investigation"] == 1
    assert data["received"]["total"]["overdue_open"] == 1
    assert set(data["received"]["by_urgency"]) == {"urgent_direct", "urgent_indirect", "not_urgent"}


def test_the_api_refuses_anonymous_wrong_roles_and_bad_years(persona, client):
    assert client.get("/api/v1/exchange/statistics").status_code == 401
    border = testing.client_for(persona("sl_border"))
    assert border.get("/api/v1/exchange/statistics").status_code == 403
    duty = testing.client_for(persona("sl_duty"))
    for year in ("abc", "1999", str(timezone.localtime().year + 2)):
        bad = duty.get(f"/api/v1/exchange/statistics?year={year}")
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("year")
    assert duty.get("/api/v1/exchange/statistics").json()["year"] == timezone.localtime().year
    assert (
        testing.client_for(persona("hr_analyst")).get("/api/v1/exchange/statistics").status_code
        == 200
    )


def test_pages_refuse_anonymous_and_roles_without_exchange_or_situation(persona, client):
    for url in ("/exchange/statistics/", "/exchange/statistics.csv"):
        assert client.get(url).status_code == 302
        assert testing.client_for(persona("sl_border")).get(url).status_code == 403
        assert testing.client_for(persona("outsider")).get(url).status_code == 403
        assert testing.client_for(persona("hr_analyst")).get(url).status_code == 200
    assert testing.client_for(persona("sl_duty")).post("/exchange/statistics/").status_code == 405


def test_closing_after_the_year_does_not_move_the_request(year_of_exchanges):
    # C was received on the last evening of 2024 and answered in 2025.
    leg = _leg(year_of_exchanges["C"], "SI")
    assert leg.state == LegState.ANSWERED
    assert timezone.localtime(leg.closed_at, NODE).year == 2025
    assert stats.yearly(officer("SI"), 2025)["received"]["total"]["requests"] == 0
    assert (
        stats.yearly(officer("SI"), 2024)["received"]["by_urgency"]["urgent_indirect"]["requests"]
        == 1
    )
    assert leg.received_at + timedelta(hours=120) == leg.closed_at


def test_the_page_takes_as_many_queries_for_many_requests_as_for_few(persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    italy, client = persona("it_duty"), testing.client_for(persona("sl_duty"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/exchange/statistics/").status_code == 200
        return len(captured)

    _send(italy, "urgent_direct", ["SI", "HR"], "Prima")
    queries()  # the first page of a session also touches the session
    few = queries()
    for i in range(6):
        case = _send(italy, "not_urgent", ["SI"], f"Ancora {i}")
        services.reply(
            user=persona("sl_duty"),
            leg=_leg(case, "SI"),
            kind="refusal",
            refusal_ground="no_consent",
        )
    assert queries() == few
