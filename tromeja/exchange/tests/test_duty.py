"""Who answers a request: assignment, hand-over at shift change, the duty
roster and its gaps, the supervisors' overdue list and escalation to whoever
is on duty; pages and API with their negative cases."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tromeja import testing
from tromeja.accounts.services import create_user
from tromeja.core.models import AuditEntry, Country, Unit
from tromeja.core.roles import Role
from tromeja.core.transitions import StaleState
from tromeja.exchange import alerts, duty, services
from tromeja.exchange.choices import Alert, DutyRole, LegState, MessageKind
from tromeja.exchange.models import DutyShift, Leg, Notification

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def colleague(name="sl_duty2", role=Role.DUTY_OFFICER, unit="si-smps"):
    """Another officer of the Slovenian contact point."""
    return create_user(
        username=name,
        password=testing.PASSWORD,
        unit=Unit.objects.get(code=unit),
        roles=[role],
        first_name="Ana",
        last_name=name.title(),
    )


def request_to(user, recipients=("SI",), urgency="not_urgent", subject="Furgone"):
    case = services.send_request(
        user=user, subject=subject, body="?", urgency=urgency, recipients=list(recipients)
    )
    return case.legs.get(recipient_country_id=recipients[0])


def at(day, hour, minute=0, zone=LJUBLJANA):
    return datetime.combine(day, time(hour, minute), zone)


def tomorrow():
    return timezone.localtime(timezone.now(), LJUBLJANA).date() + timedelta(days=1)


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# Assignment


def test_a_duty_officer_takes_a_request_and_a_supervisor_reassigns_it(persona):
    italy, slovenia, chief = persona("it_duty"), persona("sl_duty"), persona("sl_supervisor")
    other = colleague()
    leg = request_to(italy)
    duty.assign(user=slovenia, leg=leg, officer=slovenia)
    leg.refresh_from_db()
    assert leg.assigned_to == slovenia and leg.assigned_at is not None
    duty.assign(user=chief, leg=leg, officer=other)
    leg.refresh_from_db()
    assert leg.assigned_to == other
    entries = AuditEntry.objects.filter(
        object_type="exchange.leg", object_id=str(leg.pk), action="alteration"
    ).order_by("seq")
    assert [e.detail["assigned_to"] for e in entries] == ["sl_duty", "sl_duty2"]
    assert entries.last().detail["previous"] == "sl_duty"
    assert entries.last().actor_username == "sl_supervisor"


def test_assignment_is_refused_to_strangers_and_for_the_wrong_people(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    leg = request_to(italy)
    # Only an officer of the same contact point, holding the exchange right.
    for officer in (persona("hr_duty"), persona("sl_border"), persona("it_duty")):
        with pytest.raises(ValidationError, match="contact point"):
            duty.assign(user=slovenia, leg=leg, officer=officer)
    # The requester does not assign the recipient's work; a border officer none.
    with pytest.raises(PermissionDenied):
        duty.assign(user=italy, leg=leg, officer=italy)
    with pytest.raises(PermissionDenied):
        duty.assign(user=persona("sl_border"), leg=leg, officer=slovenia)
    leg.refresh_from_db()
    assert leg.assigned_to is None
    # A closed request is not assigned: whoever closed it first, the
    # assignment is a conflict (409), as every change of a closed request.
    services.reply(user=slovenia, leg=leg, kind=MessageKind.ANSWER, body="Nič.")
    with pytest.raises(StaleState, match="closed"):
        duty.assign(user=slovenia, leg=leg, officer=slovenia)


def test_hand_over_moves_exactly_my_open_requests(persona):
    italy, croatia, slovenia = persona("it_duty"), persona("hr_duty"), persona("sl_duty")
    other = colleague()
    mine = [request_to(italy, subject="A"), request_to(croatia, subject="B")]
    answered = request_to(italy, subject="C")
    theirs = request_to(italy, subject="D")
    unassigned = request_to(italy, subject="E")
    for leg in [*mine, answered]:
        duty.assign(user=slovenia, leg=leg, officer=slovenia)
    duty.assign(user=slovenia, leg=theirs, officer=other)
    services.reply(user=slovenia, leg=answered, kind=MessageKind.ANSWER, body="Nič.")
    third = colleague("sl_duty3")
    assert duty.hand_over(user=slovenia, to_officer=third, note="Two pending.") == 2
    holders = dict(Leg.objects.values_list("pk", "assigned_to"))
    assert [holders[leg.pk] for leg in mine] == [third.pk, third.pk]
    assert holders[answered.pk] == slovenia.pk
    assert holders[theirs.pk] == other.pk and holders[unassigned.pk] is None
    logged = AuditEntry.objects.filter(detail__hand_over=True)
    assert sorted(int(e.object_id) for e in logged) == sorted(leg.pk for leg in mine)
    # The contact point's inbox shows the note with those requests, until reassigned.
    inbox = testing.client_for(slovenia).get("/exchange/").content.decode()
    assert inbox.count("Two pending.") == 2
    duty.assign(user=third, leg=mine[0], officer=other)
    assert Leg.objects.get(pk=mine[0].pk).handover_note == ""
    # Nothing left to hand over; not to oneself; not to a stranger.
    assert duty.hand_over(user=slovenia, to_officer=third) == 0
    with pytest.raises(ValidationError):
        duty.hand_over(user=third, to_officer=third)
    with pytest.raises(ValidationError):
        duty.hand_over(user=third, to_officer=persona("hr_duty"))


# The roster


def test_a_day_covered_six_to_twenty_two_leaves_the_night_uncovered(persona):
    chief, slovenia, other = persona("sl_supervisor"), persona("sl_duty"), colleague()
    day = tomorrow()
    for d in (day, day + timedelta(days=1)):
        duty.add_shift(
            user=chief,
            officer=slovenia,
            role=DutyRole.DUTY_OFFICER,
            starts_at=at(d, 6),
            ends_at=at(d, 14),
        )
        duty.add_shift(
            user=chief,
            officer=other,
            role=DutyRole.DUTY_OFFICER,
            starts_at=at(d, 14),
            ends_at=at(d, 22),
        )
    # A supervisor at night is not a duty officer.
    duty.add_shift(
        user=chief,
        officer=chief,
        role=DutyRole.SUPERVISOR,
        starts_at=at(day, 22),
        ends_at=at(day + timedelta(days=1), 6),
    )
    found = duty.gaps("SI", at(day, 0), at(day + timedelta(days=2), 0))
    hours = [(g.start.strftime("%d %H:%M"), g.end.strftime("%d %H:%M")) for g in found]
    d0, d1, d2 = (f"{(day + timedelta(days=n)).day:02d}" for n in range(3))
    assert hours == [
        (f"{d0} 00:00", f"{d0} 06:00"),
        (f"{d0} 22:00", f"{d1} 06:00"),
        (f"{d1} 22:00", f"{d2} 00:00"),
    ]
    assert all(g.start.tzinfo.key == "Europe/Ljubljana" for g in found)
    assert list(duty.on_duty("SI", at(day, 14))) == [other]
    assert set(duty.on_duty("SI", at(day, 23))) == {chief}
    assert not duty.on_duty("SI", at(day, 23), DutyRole.DUTY_OFFICER).exists()


def test_gaps_are_counted_in_the_node_zone_when_the_country_has_none(persona, settings):
    chief = persona("sl_supervisor")
    Country.objects.filter(code="SI").update(time_zone="")
    settings.TIME_ZONE = "Europe/Lisbon"
    day = tomorrow()
    duty.add_shift(
        user=chief,
        officer=chief,
        role=DutyRole.DUTY_OFFICER,
        starts_at=at(day, 8),
        ends_at=at(day, 20),
    )
    found = duty.gaps("SI", at(day, 0), at(day, 23))
    assert [g.start.tzinfo.key for g in found] == ["Europe/Lisbon", "Europe/Lisbon"]
    assert found[1].start.hour == 19  # 20:00 in Ljubljana


def test_the_roster_refuses_bad_shifts(persona):
    chief, slovenia = persona("sl_supervisor"), persona("sl_duty")
    day = tomorrow()

    def add(officer=slovenia, start=None, end=None, user=chief):
        start, end = start or at(day, 6), end or at(day, 14)
        return duty.add_shift(
            user=user, officer=officer, role=DutyRole.DUTY_OFFICER, starts_at=start, ends_at=end
        )

    add()
    with pytest.raises(ValidationError, match="already on the roster"):
        add(start=at(day, 13), end=at(day, 20))
    with pytest.raises(ValidationError, match="end after it starts"):
        add(start=at(day, 20), end=at(day, 18))
    with pytest.raises(ValidationError, match="end after it starts"):
        add(start=at(day, 20), end=at(day, 20))
    with pytest.raises(ValidationError, match="24 hours"):
        add(start=at(day, 14), end=at(day + timedelta(days=1), 15))
    for stranger in (persona("hr_duty"), persona("sl_border")):
        with pytest.raises(ValidationError, match="contact point"):
            add(officer=stranger, start=at(day, 14), end=at(day, 22))
    # Only a supervisor, and of their own country.
    for user in (slovenia, persona("hr_supervisor")):
        with pytest.raises((PermissionDenied, ValidationError)):
            add(user=user, start=at(day, 14), end=at(day, 22))
    # Back to back is not an overlap.
    add(start=at(day, 14), end=at(day, 22))
    assert DutyShift.objects.count() == 2
    shift = DutyShift.objects.first()
    with pytest.raises(PermissionDenied):
        duty.delete_shift(user=slovenia, shift=shift)
    with pytest.raises(PermissionDenied):
        duty.delete_shift(user=persona("hr_supervisor"), shift=shift)
    duty.delete_shift(user=chief, shift=shift)
    assert DutyShift.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="exchange.dutyshift", action="erasure").exists()


# Overdue


def _late(leg, hours):
    Leg.objects.filter(pk=leg.pk).update(due_at=timezone.now() - timedelta(hours=hours))


def test_the_overdue_list_shows_my_countrys_late_requests_most_overdue_first(persona):
    italy, croatia, slovenia = persona("it_duty"), persona("hr_duty"), persona("sl_duty")
    a_little, very, on_time = request_to(italy), request_to(croatia), request_to(italy)
    answered, elsewhere = request_to(italy), request_to(italy, recipients=("HR",))
    _late(a_little, 1)
    _late(very, 48)
    _late(answered, 30)
    _late(elsewhere, 50)
    services.reply(user=slovenia, leg=answered, kind=MessageKind.ANSWER, body="Nič.")
    _late(answered, 30)
    assert list(duty.overdue(persona("sl_supervisor"))) == [very, a_little]
    assert list(duty.overdue(persona("hr_supervisor"))) == [elsewhere]
    assert on_time not in duty.overdue(persona("sl_supervisor"))
    with pytest.raises(PermissionDenied):
        duty.overdue(slovenia)


# Escalation to whoever is on duty


def test_escalation_goes_to_the_officers_on_duty_or_to_all_when_nobody_is(persona):
    italy, slovenia, chief = persona("it_duty"), persona("sl_duty"), persona("sl_supervisor")
    night, other_chief = colleague(), colleague("sl_chief2", Role.SUPERVISOR, "si-pu-novo-mesto")
    # Nobody on the roster: every duty officer, as before.
    first = request_to(italy, urgency="urgent_direct", subject="First")
    assert set(first.notifications.values_list("recipient", flat=True)) == {slovenia.pk, night.pk}
    now = timezone.now()
    shift = {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(hours=11)}
    duty.add_shift(user=chief, officer=night, role=DutyRole.DUTY_OFFICER, **shift)
    duty.add_shift(user=chief, officer=other_chief, role=DutyRole.SUPERVISOR, **shift)
    second = request_to(italy, urgency="urgent_direct", subject="Second")
    assert list(second.notifications.values_list("recipient", flat=True)) == [night.pk]
    # Half time: the assigned officer alone; expiry: assigned, on duty, supervisor on duty.
    duty.assign(user=slovenia, leg=second, officer=slovenia)
    start = second.received_at
    alerts.raise_due_alerts(start + timedelta(hours=4))
    half = Notification.objects.filter(leg=second, alert=Alert.HALF)
    assert list(half.values_list("recipient", flat=True)) == [slovenia.pk]
    alerts.raise_due_alerts(start + timedelta(hours=8, minutes=1))
    expired = Notification.objects.filter(leg=second, alert=Alert.EXPIRED)
    assert set(expired.values_list("recipient", flat=True)) == {
        slovenia.pk,
        night.pk,
        other_chief.pk,
    }
    # After the shift, the roster is empty again: everyone with the role.
    later = alerts.recipients_for(first, Alert.EXPIRED, now + timedelta(hours=12))
    assert {u.pk for u in later} == {slovenia.pk, night.pk, chief.pk, other_chief.pk}


# Pages


def test_pages_assign_and_hand_over_with_a_message(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    other = colleague()
    leg = request_to(italy)
    client = testing.client_for(slovenia)
    inbox = client.get("/exchange/").content.decode()
    assert f"/exchange/legs/{leg.pk}/assign/" in inbox and "/exchange/roster/" in inbox
    assert "/exchange/overdue/" not in inbox and "/exchange/hand-over/" in inbox
    response = client.post(
        f"/exchange/legs/{leg.pk}/assign/",
        {"officer": slovenia.pk, "next": "/exchange/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/exchange/"
    assert "You have taken request" in response.content.decode()
    leg.refresh_from_db()
    assert leg.assigned_to == slovenia
    # Without `next`, back to the case page; a stranger is refused with a message.
    response = client.post(f"/exchange/legs/{leg.pk}/assign/", {"officer": persona("hr_duty").pk})
    assert response["Location"] == f"/exchange/cases/{leg.case_id}/"
    leg.refresh_from_db()
    assert leg.assigned_to == slovenia
    response = client.post("/exchange/hand-over/", {"to": other.pk, "note": "x"}, follow=True)
    assert "1 request handed over to" in response.content.decode()
    leg.refresh_from_db()
    assert leg.assigned_to == other
    supervisor_inbox = testing.client_for(persona("sl_supervisor")).get("/exchange/")
    assert "/exchange/overdue/" in supervisor_inbox.content.decode()


def test_assign_and_hand_over_pages_refuse_the_wrong_people(persona, client):
    italy = persona("it_duty")
    leg = request_to(italy)
    url = f"/exchange/legs/{leg.pk}/assign/"
    body = {"officer": persona("sl_duty").pk}
    assert client.post(url, body).status_code == 302  # to sign-in
    assert client.post("/exchange/hand-over/", {"to": 1}).status_code == 302
    assert client.post(url, body)["Location"].startswith("/accounts/sign-in/")
    border = testing.client_for(persona("sl_border"))
    assert border.post(url, body).status_code == 403
    assert border.post("/exchange/hand-over/", {"to": 1}).status_code == 403
    # Croatia is not part of the case; Italy asked but does not assign Slovenia's work.
    assert testing.client_for(persona("hr_duty")).post(url, body).status_code == 404
    assert testing.client_for(italy).post(url, {"officer": italy.pk}).status_code == 403
    assert testing.client_for(persona("sl_duty")).get(url).status_code == 405
    leg.refresh_from_db()
    assert leg.assigned_to is None


def test_the_roster_page_shows_who_is_on_duty_and_the_uncovered_hours(persona):
    chief, slovenia = persona("sl_supervisor"), persona("sl_duty")
    now = timezone.now()
    duty.add_shift(
        user=chief,
        officer=slovenia,
        role=DutyRole.DUTY_OFFICER,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    page = testing.client_for(slovenia).get("/exchange/roster/").content.decode()
    assert "on duty now" in page and "Nobody on duty" in page and "alert-danger" in page
    assert "Add a shift" not in page and "/delete/" not in page
    page = testing.client_for(chief).get("/exchange/roster/").content.decode()
    assert (
        "Add a shift" in page and f"/exchange/roster/{DutyShift.objects.get().pk}/delete/" in page
    )


def test_a_supervisor_adds_a_shift_in_their_own_time_zone(persona):
    chief, slovenia = persona("sl_supervisor"), persona("sl_duty")
    chief.time_zone = "UTC"
    chief.save()
    day = tomorrow()
    client = testing.client_for(chief)
    response = client.post(
        "/exchange/roster/",
        {
            "officer": slovenia.pk,
            "role": "duty_officer",
            "starts_at": f"{day:%Y-%m-%d}T06:00",
            "ends_at": f"{day:%Y-%m-%d}T14:00",
        },
    )
    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert shift.starts_at == datetime.combine(day, time(6), ZoneInfo("UTC"))
    assert shift.country_id == "SI" and shift.created_by == chief
    # The same officer again: the form says why.
    again = client.post(
        "/exchange/roster/",
        {
            "officer": slovenia.pk,
            "role": "duty_officer",
            "starts_at": f"{day:%Y-%m-%d}T10:00",
            "ends_at": f"{day:%Y-%m-%d}T12:00",
        },
    )
    assert again.status_code == 200 and "already on the roster" in again.content.decode()
    assert DutyShift.objects.count() == 1


def test_roster_pages_refuse_the_wrong_people(persona, client):
    chief, slovenia = persona("sl_supervisor"), persona("sl_duty")
    day = tomorrow()
    shift = duty.add_shift(
        user=chief,
        officer=slovenia,
        role=DutyRole.DUTY_OFFICER,
        starts_at=at(day, 6),
        ends_at=at(day, 14),
    )
    delete = f"/exchange/roster/{shift.pk}/delete/"
    add = {
        "officer": slovenia.pk,
        "role": "duty_officer",
        "starts_at": f"{day:%Y-%m-%d}T14:00",
        "ends_at": f"{day:%Y-%m-%d}T22:00",
    }
    assert client.get("/exchange/roster/").status_code == 302
    assert client.post(delete).status_code == 302
    border = testing.client_for(persona("sl_border"))
    assert border.get("/exchange/roster/").status_code == 403
    assert border.post(delete).status_code == 403
    duty_client = testing.client_for(slovenia)
    assert duty_client.post("/exchange/roster/", add).status_code == 403
    assert duty_client.post(delete).status_code == 403
    croatia = testing.client_for(persona("hr_supervisor"))
    assert croatia.post(delete).status_code == 404
    assert slovenia.get_full_name() not in croatia.get("/exchange/roster/").content.decode()
    assert DutyShift.objects.count() == 1
    assert testing.client_for(chief).post(delete).status_code == 302
    assert not DutyShift.objects.exists()


def test_the_overdue_page_is_for_supervisors_of_the_country(persona, client):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    late, later = request_to(italy, subject="Late"), request_to(italy, subject="Later")
    _late(late, 3)
    _late(later, 30)
    duty.assign(user=slovenia, leg=late, officer=slovenia)
    page = testing.client_for(persona("sl_supervisor")).get("/exchange/overdue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index(later.case.reference) < text.index(late.case.reference)
    assert "overdue by 1 d 6 h" in text and "overdue by 3 h 00 min" in text
    assert f"/exchange/cases/{late.case_id}/" in text and slovenia.get_full_name() in text
    assert client.get("/exchange/overdue/").status_code == 302
    for name in ("sl_duty", "sl_border", "it_duty"):
        assert testing.client_for(persona(name)).get("/exchange/overdue/").status_code == 403
    croatia = testing.client_for(persona("hr_supervisor")).get("/exchange/overdue/")
    assert late.case.reference not in croatia.content.decode()


# API


def test_the_api_runs_the_roster_assignment_and_overdue_list(persona):
    italy, slovenia, chief = persona("it_duty"), persona("sl_duty"), persona("sl_supervisor")
    other = colleague()
    day = tomorrow()
    api = testing.client_for(chief)
    created = post_json(
        api,
        "/api/v1/exchange/roster",
        {
            "officer": "sl_duty",
            "role": "duty_officer",
            "starts_at": at(day, 6).isoformat(),
            "ends_at": at(day, 14).isoformat(),
        },
    )
    assert created.status_code == 201 and created.json()["officer"] == "sl_duty"
    overlap = post_json(
        api,
        "/api/v1/exchange/roster",
        {
            "officer": slovenia.pk,
            "starts_at": at(day, 10).isoformat(),
            "ends_at": at(day, 12).isoformat(),
        },
    )
    assert overlap.status_code == 422
    roster = (
        testing.client_for(slovenia)
        .get(
            "/api/v1/exchange/roster",
            {"since": at(day, 0).isoformat(), "until": at(day + timedelta(days=1), 0).isoformat()},
        )
        .json()
    )
    assert [s["officer"] for s in roster["shifts"]] == ["sl_duty"]
    assert [(g["starts_at"][11:16], g["ends_at"][11:16]) for g in roster["gaps"]] == [
        ("00:00", "06:00"),
        ("14:00", "00:00"),
    ]
    leg = request_to(italy)
    taken = post_json(
        testing.client_for(slovenia),
        f"/api/v1/exchange/legs/{leg.pk}/assign",
        {"officer": "sl_duty"},
    )
    assert taken.status_code == 200 and taken.json()["assigned_to"] == "sl_duty"
    moved = post_json(
        testing.client_for(slovenia), "/api/v1/exchange/hand-over", {"to": other.username}
    )
    assert moved.json() == {"handed_over": 1}
    _late(leg, 5)
    late = api.get("/api/v1/exchange/overdue").json()
    assert [(row["id"], row["assigned_to"]) for row in late] == [(leg.pk, "sl_duty2")]
    assert 5 * 3600 - 60 < late[0]["seconds_overdue"] < 5 * 3600 + 60
    shift_id = created.json()["id"]
    assert api.delete(f"/api/v1/exchange/roster/{shift_id}").status_code == 204
    assert not DutyShift.objects.exists()


def test_the_api_refuses_the_wrong_people(persona, client):
    italy, slovenia, chief = persona("it_duty"), persona("sl_duty"), persona("sl_supervisor")
    day = tomorrow()
    shift = duty.add_shift(
        user=chief,
        officer=slovenia,
        role=DutyRole.DUTY_OFFICER,
        starts_at=at(day, 6),
        ends_at=at(day, 14),
    )
    leg = request_to(italy)
    shift_body = {
        "officer": "sl_duty",
        "starts_at": at(day, 14).isoformat(),
        "ends_at": at(day, 22).isoformat(),
    }
    calls = [
        ("get", "/api/v1/exchange/roster", None),
        ("post", "/api/v1/exchange/roster", shift_body),
        ("delete", f"/api/v1/exchange/roster/{shift.pk}", None),
        ("post", f"/api/v1/exchange/legs/{leg.pk}/assign", {"officer": "sl_duty"}),
        ("post", "/api/v1/exchange/hand-over", {"to": "sl_duty"}),
        ("get", "/api/v1/exchange/overdue", None),
    ]

    def call(c, method, url, body):
        if body is None:
            return getattr(c, method)(url)
        return post_json(c, url, body)

    for method, url, body in calls:
        assert call(client, method, url, body).status_code == 401, url
        assert call(testing.client_for(persona("sl_border")), method, url, body).status_code == 403
    duty_client = testing.client_for(slovenia)
    assert call(duty_client, *calls[1]).status_code == 403
    assert call(duty_client, *calls[2]).status_code == 403
    assert call(duty_client, *calls[5]).status_code == 403
    croatia = testing.client_for(persona("hr_supervisor"))
    assert call(croatia, *calls[2]).status_code == 404
    assert call(croatia, "post", calls[3][1], {"officer": "hr_supervisor"}).status_code == 404
    assert croatia.get("/api/v1/exchange/roster").json()["shifts"] == []
    # Italy may see the case but not assign Slovenia's work; a stranger is no officer of ours.
    it_client = testing.client_for(italy)
    assert call(it_client, "post", calls[3][1], {"officer": "it_duty"}).status_code == 403
    assert call(duty_client, "post", calls[3][1], {"officer": "hr_duty"}).status_code == 422
    assert call(duty_client, "post", calls[3][1], {"officer": 999999}).status_code == 422
    assert DutyShift.objects.count() == 1
    assert Leg.objects.get(pk=leg.pk).assigned_to is None
    assert Leg.objects.get(pk=leg.pk).state == LegState.NEW
