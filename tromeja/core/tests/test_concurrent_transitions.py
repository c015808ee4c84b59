"""Two people change the state of the same record at the same moment: exactly
one of them succeeds, the other gets 409 (a page that says so, or the API's
error shape) and nothing of theirs is written, not even an audit entry.

The racers are real requests in two threads, each with its own database
connection. Both are held at the door of the service's transaction until
both have read the record and passed every check outside it, then let in
together: on PostgreSQL the row lock makes the second wait and then find the
new state; on SQLite the IMMEDIATE transaction does the same."""

import json
import threading

import pytest
from django.db import connection

from tromeja import testing
from tromeja.accounts.services import create_user
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry, Unit
from tromeja.core.transitions import StaleState
from tromeja.exchange import services as exchange
from tromeja.exchange.choices import LegState, MessageKind
from tromeja.exchange.models import Message
from tromeja.incidents import services as incidents
from tromeja.incidents.choices import Status
from tromeja.incidents.models import Incident
from tromeja.notices import services as notices
from tromeja.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

CHANNELS = ["page", "api"]


def colleague(persona, name: str, username: str):
    """A second officer of the same unit and roles as persona `name`."""
    unit_code, roles, _language = testing.PERSONAS[name]
    persona(name)  # loads the reference data if a transactional test emptied it
    user = create_user(
        username=username,
        password=testing.PASSWORD,
        unit=Unit.objects.get(code=unit_code),
        roles=roles,
        first_name="Second",
        last_name=name,
        language="en",
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def hold_at_the_door(monkeypatch, module, parties=2):
    """Each racer waits before its first transaction in `module` until all
    racers are there."""
    real = module.transaction
    barrier = threading.Barrier(parties, timeout=20)
    local = threading.local()

    class Door:
        def __getattr__(self, name):
            return getattr(real, name)

        def atomic(self, *args, **kwargs):
            if not getattr(local, "waited", False):
                local.waited = True
                barrier.wait()
            return real.atomic(*args, **kwargs)

    monkeypatch.setattr(module, "transaction", Door())


def race(*calls):
    """Runs the calls at once, one thread each; their answers (or errors)."""
    results = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 (the error is the answer)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def post(client, channel, page_url, api_url, form=None, body=None):
    if channel == "page":
        return lambda: client.post(page_url, form or {})
    return lambda: client.post(
        api_url,
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_X_PURPOSE="case 2026/117",
    )


def one_won(responses, channel):
    """Exactly one succeeded; the other got 409 with a message."""
    ok = 302 if channel == "page" else 200
    codes = sorted(r.status_code for r in responses)
    assert codes == sorted([ok, 409]), [getattr(r, "content", r)[:300] for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == ok)
    loser = responses[1 - winner]
    if channel == "page":
        page = loser.content.decode()
        assert "Changed in the meantime" in page and "Nothing was changed" in page
    else:
        assert set(loser.json()) == {"detail"} and loser.json()["detail"]
    return winner


def entries_since(seq, **filters):
    return AuditEntry.objects.filter(seq__gt=seq, **filters)


def last_seq():
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def submitted(persona):
    author = persona("sl_border")
    report = testing.incident(author)
    incidents.submit_incident(user=author, incident=report)
    return report


@pytest.fixture
def supervisors(persona):
    return persona("sl_supervisor"), colleague(persona, "sl_supervisor", "sl_supervisor_2")


@pytest.mark.parametrize("channel", CHANNELS)
def test_two_supervisors_validating_one_report_validate_it_once(
    channel, submitted, supervisors, monkeypatch
):
    hold_at_the_door(monkeypatch, incidents)
    pk, mark = submitted.pk, last_seq()
    calls = [
        post(
            testing.client_for(s),
            channel,
            f"/incidents/{pk}/validate/",
            f"/api/v1/incidents/{pk}/validate",
            form={"distribution": "national"},
            body={"distribution": "national"},
        )
        for s in supervisors
    ]
    winner = one_won(race(*calls), channel)
    report = Incident.objects.get(pk=pk)
    assert report.status == Status.VALIDATED
    assert report.validated_by_id == supervisors[winner].pk
    assert entries_since(mark, action=AuditAction.ALTERATION, object_id=str(pk)).count() == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_validate_and_return_at_once_leave_one_decision(
    channel, submitted, supervisors, monkeypatch
):
    hold_at_the_door(monkeypatch, incidents)
    pk, mark = submitted.pk, last_seq()
    first, second = (testing.client_for(s) for s in supervisors)
    comment = "Add the nationality"
    responses = race(
        post(
            first,
            channel,
            f"/incidents/{pk}/validate/",
            f"/api/v1/incidents/{pk}/validate",
            form={"distribution": "national"},
            body={"distribution": "national"},
        ),
        post(
            second,
            channel,
            f"/incidents/{pk}/return/",
            f"/api/v1/incidents/{pk}/return",
            form={"comment": comment},
            body={"comment": comment},
        ),
    )
    winner = one_won(responses, channel)
    report = Incident.objects.get(pk=pk)
    assert report.status == [Status.VALIDATED, Status.RETURNED][winner]
    decided = entries_since(mark, action=AuditAction.ALTERATION, object_id=str(pk))
    assert [e.detail["status"] for e in decided] == [["validated", "returned"][winner]]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_report_submitted_twice_at_once_is_submitted_once(channel, persona, monkeypatch):
    author = persona("sl_border")
    report = testing.incident(author)
    hold_at_the_door(monkeypatch, incidents)
    pk, mark = report.pk, last_seq()
    calls = [
        post(
            testing.client_for(author),
            channel,
            f"/incidents/{pk}/submit/",
            f"/api/v1/incidents/{pk}/submit",
        )
        for _ in range(2)
    ]
    one_won(race(*calls), channel)
    assert Incident.objects.get(pk=pk).status == Status.SUBMITTED
    assert entries_since(mark, action=AuditAction.ALTERATION, object_id=str(pk)).count() == 1


# Contact-point requests ----------------------------------------------------


@pytest.fixture
def request_leg(persona):
    italy = persona("it_duty")
    case = exchange.send_request(
        user=italy,
        subject="Furgone CZ 5T2 8841",
        body="Conducente?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    return case.legs.get()


@pytest.fixture
def duty_officers(persona):
    return persona("sl_duty"), colleague(persona, "sl_duty", "sl_duty_2")


def reply(client, channel, leg, kind, body="", ground=""):
    prefix = f"leg{leg.pk}"
    form = {f"{prefix}-kind": kind, f"{prefix}-body": body, f"{prefix}-refusal_ground": ground}
    return post(
        client,
        channel,
        f"/exchange/legs/{leg.pk}/reply/",
        f"/api/v1/exchange/legs/{leg.pk}/reply",
        form=form,
        body={"kind": kind, "body": body, "refusal_ground": ground},
    )


def replies(leg):
    return Message.objects.filter(leg=leg).exclude(kind=MessageKind.REQUEST)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("first", "second", "state"),
    [
        (("acknowledgement", ""), ("acknowledgement", ""), LegState.ACKNOWLEDGED),
        (("answer", ""), ("answer", ""), LegState.ANSWERED),
        (("answer", ""), ("refusal", "harms_investigation"), None),
    ],
    ids=["acknowledge/acknowledge", "answer/answer", "answer/refuse"],
)
def test_two_duty_officers_replying_at_once_send_one_reply(
    channel, first, second, state, request_leg, duty_officers, monkeypatch
):
    hold_at_the_door(monkeypatch, exchange)
    leg, mark = request_leg, last_seq()
    clients = [testing.client_for(d) for d in duty_officers]
    responses = race(
        reply(clients[0], channel, leg, first[0], "Voznik KOVAČ", first[1]),
        reply(clients[1], channel, leg, second[0], "Voznik KOVAČ", second[1]),
    )
    winner = one_won(responses, channel)
    leg.refresh_from_db()
    expected = state or [LegState.ANSWERED, LegState.REFUSED][winner]
    assert leg.state == expected
    sent = list(replies(leg))
    assert len(sent) == 1 and sent[0].created_by_id == duty_officers[winner].pk
    assert entries_since(mark, action=AuditAction.COLLECTION).count() == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_clarification_given_twice_at_once_is_given_once(
    channel, persona, request_leg, monkeypatch
):
    leg = request_leg
    exchange.reply(
        user=persona("sl_duty"),
        leg=leg,
        kind=MessageKind.CLARIFICATION_REQUEST,
        body="Katero obdobje?",
    )
    requesters = persona("it_duty"), colleague(persona, "it_duty", "it_duty_2")
    hold_at_the_door(monkeypatch, exchange)
    mark = last_seq()
    calls = [
        post(
            testing.client_for(r),
            channel,
            f"/exchange/legs/{leg.pk}/clarify/",
            f"/api/v1/exchange/legs/{leg.pk}/clarify",
            form={f"leg{leg.pk}-body": "Ottobre"},
            body={"body": "Ottobre"},
        )
        for r in requesters
    ]
    one_won(race(*calls), channel)
    leg.refresh_from_db()
    assert leg.state == LegState.IN_PROGRESS and len(leg.suspensions) == 1
    assert replies(leg).filter(kind=MessageKind.CLARIFICATION).count() == 1
    assert entries_since(mark, action=AuditAction.COLLECTION).count() == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_case_closed_twice_at_once_is_closed_once(channel, persona, request_leg, monkeypatch):
    case = request_leg.case
    requesters = persona("it_duty"), colleague(persona, "it_duty", "it_duty_2")
    hold_at_the_door(monkeypatch, exchange)
    mark = last_seq()
    calls = [
        post(
            testing.client_for(r),
            channel,
            f"/exchange/cases/{case.pk}/close/",
            f"/api/v1/exchange/cases/{case.pk}/close",
            form={"body": "Grazie"},
            body={"body": "Grazie"},
        )
        for r in requesters
    ]
    one_won(race(*calls), channel)
    assert Message.objects.filter(case=case, kind=MessageKind.CLOSING_NOTE).count() == 1
    assert entries_since(mark, action=AuditAction.COLLECTION).count() == 1


# Notices: erasure is their one change of state -----------------------------


def test_a_notice_erased_twice_at_once_is_erased_once(persona, monkeypatch):
    officer = persona("sl_duty")
    notice = testing.notice(officer)
    hold_at_the_door(monkeypatch, notices)
    mark = last_seq()
    calls = [
        lambda: testing.client_for(officer).delete(f"/api/v1/notices/{notice.pk}") for _ in range(2)
    ]
    codes = sorted(r.status_code for r in race(*calls))
    assert codes == [204, 409]
    assert not Notice.objects.filter(pk=notice.pk).exists()
    assert entries_since(mark, action=AuditAction.ERASURE).count() == 1


# Without threads: a copy read before someone else's change -----------------


def test_a_supervisor_acting_on_a_stale_copy_gets_stale_state(submitted, supervisors):
    first, second = supervisors
    stale = Incident.objects.get(pk=submitted.pk)
    incidents.validate_incident(user=first, incident=Incident.objects.get(pk=submitted.pk))
    mark = last_seq()
    with pytest.raises(StaleState, match="validated"):
        incidents.return_incident(user=second, incident=stale, comment="Too late")
    with pytest.raises(StaleState):
        incidents.validate_incident(user=second, incident=stale)
    assert not entries_since(mark).exists()
    assert Incident.objects.get(pk=submitted.pk).validated_by_id == first.pk


def test_a_duty_officer_answering_a_stale_copy_of_a_leg_gets_stale_state(
    request_leg, duty_officers
):
    stale = type(request_leg).objects.get(pk=request_leg.pk)
    exchange.reply(user=duty_officers[0], leg=request_leg, kind=MessageKind.ANSWER, body="Ni.")
    with pytest.raises(StaleState, match="Answered"):
        exchange.reply(
            user=duty_officers[1],
            leg=stale,
            kind=MessageKind.REFUSAL,
            refusal_ground="harms_investigation",
        )
    assert replies(request_leg).count() == 1


def test_the_409_page_and_error_are_in_the_users_language(submitted, supervisors):
    from django.utils import translation

    first, second = supervisors
    second.language = "sl"
    second.save(update_fields=["language"])
    incidents.validate_incident(user=first, incident=Incident.objects.get(pk=submitted.pk))
    page = testing.client_for(second).post(f"/incidents/{submitted.pk}/validate/")
    assert page.status_code == 409
    with translation.override("sl"):
        expected = translation.gettext("Changed in the meantime")
    assert expected in page.content.decode()
    api = testing.client_for(second).post(
        f"/api/v1/incidents/{submitted.pk}/validate", "{}", content_type="application/json"
    )
    assert api.status_code == 409 and "detail" in api.json(), api.content


def test_two_officers_correcting_a_validated_report_at_once_make_one_version(
    persona, supervisors, monkeypatch
):
    from tromeja.incidents.models import IncidentVersion

    officers = persona("sl_duty"), colleague(persona, "sl_duty", "sl_duty_2")
    report = testing.incident(officers[0], validate_by=supervisors[0])
    hold_at_the_door(monkeypatch, incidents)
    mark = last_seq()

    def correct(officer, place):
        def call():
            copy = Incident.objects.get(pk=report.pk)
            return incidents.update_incident(user=officer, incident=copy, place_name=place)

        return call

    results = race(correct(officers[0], "Obrežje"), correct(officers[1], "Jesenovec"))
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], StaleState), results
    saved = Incident.objects.get(pk=report.pk)
    assert saved.version == 2 and saved.place_name in {"Obrežje", "Jesenovec"}
    assert IncidentVersion.objects.filter(incident=report).count() == 1
    assert entries_since(mark, action=AuditAction.ALTERATION, object_id=str(report.pk)).count() == 1
