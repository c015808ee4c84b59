"""What needs the contact point's attention: the home panel and the badge of
the navigation, per persona, through the visibility rule; "since I last
looked"; the notifications of new urgent requests; urgency in words."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tromeja import testing
from tromeja.exchange import attention, duty, services
from tromeja.exchange.choices import LegState
from tromeja.exchange.models import CaseLooked, LastLooked, Leg


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def ask(requester, recipients=("IT",), urgency="urgent_direct", subject="Kombi"):
    return services.send_request(
        user=requester,
        subject=subject,
        body="Kdo je voznik?",
        urgency=urgency,
        recipients=list(recipients),
    )


def age(case, hours):
    """The leg of `case` as if received `hours` ago (its deadline with it)."""
    leg = case.legs.get()
    leg.received_at = timezone.now() - timedelta(hours=hours)
    leg.due_at = leg.clock.due()
    Leg.objects.filter(pk=leg.pk).update(received_at=leg.received_at, due_at=leg.due_at)
    return leg


def acknowledge(user, case):
    leg = case.legs.get(recipient_country_id=user.country_code)
    services.reply(user=user, leg=leg, kind="acknowledgement")
    return leg


def poll(user):
    response = testing.client_for(user).get("/attention/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    return response.json()


# --- The duty officer's panel -----------------------------------------------------


def test_a_new_urgent_request_is_in_the_recipients_panel_with_its_time_left(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = ask(croatia)
    panel = attention.panel(italy)
    assert panel["new"] == 1 and panel["pressing"] == 1
    [row] = panel["rows"]
    assert row["leg"].case == case
    assert row["status"]["tone"] == "urgent"
    assert row["status"]["text"].startswith("urgent · 7 h 5")
    assert row["status"]["text"].endswith(" left")
    page = testing.client_for(italy).get("/").content.decode()
    assert case.reference in page and "urgent · 7 h 5" in page


def test_third_countries_and_the_requester_see_nothing_of_a_request_to_another(persona):
    croatia, slovenia = persona("hr_duty"), persona("sl_duty")
    persona("it_duty")
    case = ask(croatia)
    assert attention.panel(slovenia) is None
    assert attention.panel(croatia) is None  # nothing pressing for the requester
    for user in (slovenia, croatia):
        data = poll(user)
        assert data["badges"]["requests"]["count"] == 0
        assert data["notify"] == []
        assert case.reference not in testing.client_for(slovenia).get("/").content.decode()


def test_under_two_hours_left_and_overdue_are_counted_and_said(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    soon, late, calm = ask(croatia), ask(croatia), ask(croatia, urgency="not_urgent")
    for case in (soon, late, calm):
        acknowledge(italy, case)
    age(soon, 7)  # 8 hours allowed: 1 h left
    age(late, 9)  # 1 h overdue
    found = attention.counts(italy)
    assert (found["new"], found["soon"], found["overdue"], found["pressing"]) == (0, 1, 1, 2)
    panel = attention.panel(italy)
    tones = {row["leg"].case_id: row["status"] for row in panel["rows"]}
    assert set(tones) == {soon.pk, late.pk}  # the calm one needs nothing
    assert tones[soon.pk]["tone"] == "soon"
    assert tones[late.pk]["tone"] == "overdue"
    assert re.fullmatch(r"urgent · overdue by (0 h 59|1 h 00) min", tones[late.pk]["text"])
    # The most pressing first.
    assert [row["leg"].case_id for row in panel["rows"]] == [late.pk, soon.pk]
    assert attention.summary(found) == "1 with under 2 hours left, 1 overdue"
    data = poll(italy)["badges"]["requests"]
    assert data == {"count": 2, "text": "1 with under 2 hours left, 1 overdue", "urgent": True}


def test_the_inbox_says_urgency_and_time_left_in_words_and_by_tone(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    late, paused = ask(croatia), ask(croatia)
    acknowledge(italy, late)
    age(late, 9)
    leg = paused.legs.get()
    services.reply(user=italy, leg=leg, kind="clarification_request", body="Which period?")
    page = testing.client_for(italy).get("/exchange/").content.decode()
    assert 'class="attention-row tone-overdue"' in page
    assert re.search(r"urgent · overdue by (0 h 59|1 h 00) min", page)
    assert 'class="attention-row tone-paused"' in page
    assert re.search(r"urgent · paused \(clarification\), (7 h 59|8 h 00) min left", page)
    # The requester sees it waits for its clarification.
    page = testing.client_for(croatia).get("/exchange/").content.decode()
    assert f'tone-clarify" data-leg="{leg.pk}"' in page
    assert "clarification asked of us" in page


def test_clarifications_asked_of_us_and_requests_assigned_to_me(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = ask(croatia)
    leg = case.legs.get()
    duty.assign(user=italy, leg=leg, officer=italy)
    assert attention.counts(italy)["mine"] == 1
    services.reply(user=italy, leg=leg, kind="clarification_request", body="Which period?")
    assert attention.counts(italy)["paused"] == 1
    found = attention.counts(croatia)
    assert found["clarify"] == 1
    panel = attention.panel(croatia)
    assert panel is not None and panel["clarify"] == 1
    page = testing.client_for(croatia).get("/").content.decode()
    assert "A partner asks us to clarify 1 request" in page
    assert poll(croatia)["badges"]["requests"]["text"] == "1 clarification asked of us"
    services.clarify(user=croatia, leg=leg, body="October")
    assert attention.counts(croatia)["clarify"] == 0


# --- Since I last looked ---------------------------------------------------------------


def test_answers_are_new_until_the_inbox_or_their_case_is_opened(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    first, second = ask(croatia), ask(croatia)
    for case in (first, second):
        services.reply(user=italy, leg=case.legs.get(), kind="answer", body="Mario Rossi")
    assert attention.new_answers(croatia).count() == 2
    assert attention.new_answers(italy).count() == 0  # the answerer's own
    assert attention.panel(croatia)["answers"] == 2
    client = testing.client_for(croatia)
    # A background refresh of the inbox is not a look.
    client.get("/exchange/", HTTP_HX_REQUEST="true")
    assert attention.new_answers(croatia).count() == 2
    client.get("/exchange/")
    assert LastLooked.objects.filter(user=croatia).exists()
    assert attention.new_answers(croatia).count() == 0
    # A later answer is new; opening its case makes it seen.
    third = ask(croatia)
    services.reply(user=italy, leg=third.legs.get(), kind="refusal", refusal_ground="not_available")
    assert list(attention.new_answers(croatia).values_list("case", flat=True)) == [third.pk]
    assert client.get(f"/exchange/cases/{third.pk}/").status_code == 200
    assert CaseLooked.objects.filter(user=croatia, case=third).exists()
    assert attention.new_answers(croatia).count() == 0
    # Another officer's look is theirs only.
    colleague = testing.make_persona("hr_supervisor")
    assert attention.new_answers(colleague).count() == 3


def test_opening_a_case_marks_only_what_was_answered_before(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = ask(croatia)
    attention.mark_case_seen(croatia, case.pk, now=timezone.now() - timedelta(minutes=5))
    services.reply(user=italy, leg=case.legs.get(), kind="partial_answer", body="Half")
    assert attention.new_answers(croatia).count() == 1
    attention.mark_case_seen(croatia, case.pk)
    assert attention.new_answers(croatia).count() == 0
    assert CaseLooked.objects.filter(user=croatia).count() == 1  # one row, updated


def test_a_case_the_reader_may_not_open_is_not_marked(persona):
    croatia, slovenia = persona("hr_duty"), persona("sl_duty")
    persona("it_duty")
    case = ask(croatia)
    assert testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/").status_code == 404
    assert not CaseLooked.objects.exists()


def test_answers_older_than_the_window_are_not_new(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = ask(croatia)
    answer = services.reply(user=italy, leg=case.legs.get(), kind="answer", body="Mario")
    type(answer).objects.filter(pk=answer.pk).update(
        created_at=timezone.now() - attention.ANSWERS_WINDOW - timedelta(hours=1)
    )
    assert attention.new_answers(croatia).count() == 0


# --- Notifications -----------------------------------------------------------------------


def test_new_urgent_requests_are_notified_in_the_users_language(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    urgent = ask(croatia)
    ask(croatia, urgency="not_urgent")
    italy.language = "it"
    italy.save(update_fields=["language"])
    data = poll(italy)
    [item] = data["notify"]
    leg = urgent.legs.get()
    assert item["key"] == f"leg-{leg.pk}"
    assert item["url"] == f"/exchange/cases/{urgent.pk}/"
    with translation.override("it"):
        assert item["title"] == attention.notify_title("HR")
        assert item["body"].startswith(f"{urgent.reference} · ")
        assert attention.status(leg, timezone.now())["text"][:12] in item["body"]
    # Once acknowledged it is no longer new.
    acknowledge(italy, urgent)
    assert poll(italy)["notify"] == []


def test_the_requester_and_third_countries_get_no_notification(persona):
    croatia, slovenia = persona("hr_duty"), persona("sl_duty")
    persona("it_duty")
    ask(croatia)
    assert poll(croatia)["notify"] == []
    assert poll(slovenia)["notify"] == []


# --- The badge endpoint: who may ask -----------------------------------------------------


def test_the_badge_endpoint_sends_anonymous_callers_to_sign_in(client):
    response = client.get("/attention/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_the_badge_endpoint_takes_only_get(persona):
    response = testing.client_for(persona("it_duty")).post("/attention/")
    assert response.status_code == 405


@pytest.mark.parametrize("name", ["hr_analyst", "sl_dpo", "sl_admin", "sl_border", "outsider"])
def test_roles_without_the_contact_point_get_no_counts(persona, name):
    croatia = persona("hr_duty")
    persona("it_duty")
    persona("sl_duty")
    services.send_request(
        user=persona("it_duty"), subject="x", body="y", urgency="urgent_direct", recipients=["HR"]
    )
    ask(croatia, recipients=("SI",))
    assert poll(persona(name)) == {"badges": {}, "notify": []}
    assert attention.panel(persona(name)) is None


def test_an_inactive_officer_gets_nothing(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    ask(croatia)
    italy.is_active = False
    assert attention.badge(italy) is None and attention.panel(italy) is None


# --- A constant number of queries ---------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url,ceiling", [("/attention/", 8), ("/", 20)])
def test_the_badge_and_the_home_do_not_query_per_request(persona, url, ceiling):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    client = testing.client_for(italy)
    ask(croatia)
    _queries(client, url)
    before = _queries(client, url)
    for i in range(6):
        case = ask(croatia, subject=f"Kombi {i}")
        if i % 2:
            services.reply(user=italy, leg=case.legs.get(), kind="answer", body="Mario")
        ask(italy, recipients=("HR",), subject=f"Auto {i}")
    after = _queries(client, url)
    assert after == before, (before, after)
    assert after <= ceiling, after


def test_the_badge_asks_two_questions(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    ask(croatia, urgency="not_urgent")
    attention.badge(italy)  # the user's roles are read once
    with CaptureQueriesContext(connection) as captured:
        attention.badge(italy)
    assert len(captured) == 2
    ask(croatia)  # a new urgent request: its notification is one more
    with CaptureQueriesContext(connection) as captured:
        attention.badge(italy)
    assert len(captured) == 3


def test_state_changes_reach_the_counts(persona):
    italy, croatia = persona("it_duty"), persona("hr_duty")
    case = ask(croatia)
    assert poll(italy)["badges"]["requests"]["count"] == 1
    services.reply(user=italy, leg=case.legs.get(), kind="answer", body="Mario")
    assert case.legs.get().state == LegState.ANSWERED
    assert poll(italy)["badges"]["requests"]["count"] == 0
    assert attention.panel(italy) is None


def test_a_supervisor_sees_the_overdue_requests_of_their_country(persona):
    supervisor, croatia = persona("sl_supervisor"), persona("hr_duty")
    slovenia = persona("sl_duty")
    persona("it_duty")
    late = ask(croatia, recipients=("SI",))
    acknowledge(slovenia, late)
    age(late, 9)
    ask(croatia)  # to Italy: not Slovenia's
    panel = attention.panel(supervisor)
    assert panel["overdue"] == 1
    assert [row["leg"].case_id for row in panel["rows"]] == [late.pk]
    page = testing.client_for(supervisor).get("/").content.decode()
    assert '<a href="/exchange/overdue/">1 request overdue</a>' in page
    # A duty officer's link goes to the inbox.
    page = testing.client_for(slovenia).get("/").content.decode()
    assert '<a href="/exchange/">1 request overdue</a>' in page
    assert attention.panel(persona("it_supervisor"))["overdue"] == 0
