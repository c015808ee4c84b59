"""The case page: a compact thread with who wrote what, the receiver's
"seen before" grouped by subject, what each action says it did, and the
print without what only a screen needs."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import get_text_list
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.countries import country_name
from tromeja.core.models import AuditEntry
from tromeja.exchange import services
from tromeja.exchange.choices import MessageKind
from tromeja.exchange.models import Case, Leg
from tromeja.exchange.tests.test_request_form import request_data
from tromeja.incidents.services import Entities

VAN = {"plate": "CZ 5T2 8841", "registration_country": "CZ"}
PHONE = "+386 40 123 456"


def _request(user, recipients=("SI",), **about):
    return services.send_request(
        user=user,
        subject="Furgone CZ 5T2 8841",
        body="Chi è il conducente?",
        urgency="not_urgent",
        recipients=list(recipients),
        **about,
    )


def _seen_in_report(user, supervisor, days_ago, **entities):
    return testing.incident(
        user,
        validate_by=supervisor,
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            **entities,
        ),
        occurred_at=timezone.now() - timedelta(days=days_ago, hours=3),
        aware_at=timezone.now() - timedelta(days=days_ago, hours=2),
        distribution="partners",
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_thread_names_authors_units_and_kinds(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    slovenia.time_zone = "America/New_York"
    slovenia.save(update_fields=["time_zone"])
    case = _request(italy)
    leg = case.legs.get()
    services.reply(user=slovenia, leg=leg, kind="acknowledgement")
    services.reply(user=slovenia, leg=leg, kind="clarification_request", body="Quale periodo?")
    services.clarify(user=italy, leg=leg, body="Ottobre")
    services.reply(user=slovenia, leg=leg, kind="answer", body="Voznik KOVAČ")
    response = testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    items = re.findall(r'<li class="thread-item.*?</li>\n', page, re.S)
    assert len(items) == 5
    kinds = ["request", "acknowledgement", "clarification_request", "clarification", "answer"]
    authors = [italy, slovenia, slovenia, italy, slovenia]
    for item, kind, author in zip(items, kinds, authors, strict=True):
        assert str(MessageKind(kind).label) in item
        assert author.get_full_name() and author.get_full_name() in item
        assert author.unit.name in item
    assert "Italy" in items[0] and "Slovenia" in items[1]
    # The time is the reader's: New York's, not the node's.
    message = case.messages.order_by("created_at").first()
    local = timezone.localtime(message.created_at, timezone=ZoneInfo("America/New_York"))
    assert date_format(local, "SHORT_DATETIME_FORMAT") in items[0]


def test_seen_before_is_grouped_by_subject_with_counts_newest_first(persona):
    italy, slovenia, croatia = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    older = _seen_in_report(croatia, persona("hr_supervisor"), 20, vehicles=[VAN])
    newer = _seen_in_report(slovenia, persona("sl_supervisor"), 2, vehicles=[VAN])
    phoned = _seen_in_report(slovenia, persona("sl_supervisor"), 1, phones=[PHONE])
    hidden = testing.incident(  # a draft of Croatia's: not Slovenia's to see
        croatia,
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[VAN],
        ),
    )
    earlier = services.send_request(
        user=croatia,
        subject="Kombi",
        body="?",
        urgency="not_urgent",
        recipients=["SI"],
        vehicles=[VAN],
    )
    case = _request(italy, vehicles=[VAN], phones=[PHONE])
    leg = case.legs.get()
    groups = services.seen_before(user=slovenia, leg=leg)
    assert [g["kind"] for g in groups] == ["vehicle", "phone"] or [g["kind"] for g in groups] == [
        "phone",
        "vehicle",
    ]
    by_kind = {g["kind"]: g for g in groups}
    van = by_kind["vehicle"]
    assert van["count"] == 3
    assert [h["reference"] for h in van["hits"]] == [
        earlier.reference,
        newer.reference,
        older.reference,
    ]
    assert by_kind["phone"]["count"] == 1
    assert by_kind["phone"]["hits"][0]["reference"] == phoned.reference
    response = testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/")
    text = _text(response)
    assert "CZ 5T2 8841 (CZ) — 3 hits, newest" in text
    assert "+38640123456 — 1 hit:" in text
    page = response.content.decode()
    assert page.index(earlier.reference) < page.index(newer.reference) < page.index(older.reference)
    assert hidden.reference not in page
    assert (
        f'href="/incidents/{older.pk}/"' in page and f'href="/exchange/cases/{earlier.pk}/"' in page
    )
    # Showing the hits combines records: written down, as before.
    combined = AuditEntry.objects.filter(action=AuditAction.COMBINATION, object_id=str(case.pk))
    details = [e.detail for e in combined]
    assert {"matched": sorted([str(older.pk), str(newer.pk), str(phoned.pk)])} in details
    assert {"cases": [str(earlier.pk)]} in details
    # The requester is never told; a third country does not see the case.
    italian = testing.client_for(italy).get(f"/exchange/cases/{case.pk}/").content.decode()
    assert "seen-before" not in italian and older.reference not in italian
    assert services.seen_before(user=italy, leg=leg) == []
    assert (
        testing.client_for(persona("hr_duty")).get(f"/exchange/cases/{case.pk}/").status_code == 404
    )


def test_an_earlier_case_the_reader_may_not_see_is_no_hit(persona):
    italy, slovenia, croatia = persona("it_duty"), persona("sl_duty"), persona("hr_duty")
    # Croatia asked Italy about the van: nothing Slovenia may read.
    _request(croatia, recipients=["IT"], vehicles=[VAN])
    case = _request(italy, vehicles=[VAN])
    assert services.seen_before(user=slovenia, leg=case.legs.get()) == []
    assert (
        "seen-before"
        not in testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/").content.decode()
    )


def test_the_case_page_refuses_anonymous_wrong_role_and_third_country(persona, client):
    case = _request(persona("it_duty"))
    url = f"/exchange/cases/{case.pk}/"
    assert client.get(url).status_code == 302
    assert testing.client_for(persona("sl_border")).get(url).status_code == 403
    assert testing.client_for(persona("hr_duty")).get(url).status_code == 404


def _follow(client, url, data):
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_each_confirmation_says_what_was_done(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    it, si = testing.client_for(italy), testing.client_for(slovenia)
    data = request_data(vehicles=[VAN])
    said = _follow(it, "/exchange/new/", data)
    case = Case.objects.get()
    legs = {leg.recipient_country_id: leg for leg in case.legs.all()}
    due = date_format(timezone.localtime(legs["SI"].due_at), "SHORT_DATETIME_FORMAT")
    assert said == [
        _("Request sent to the contact points of %(countries)s, answer due by %(due)s.")
        % {"countries": _both(), "due": due}
    ]
    leg = legs["SI"]
    prefix = f"leg{leg.pk}"
    reply = f"/exchange/legs/{leg.pk}/reply/"
    said = _follow(si, reply, {f"{prefix}-kind": "acknowledgement"})
    assert said == [
        _("Request acknowledged; the contact point of %(country)s is told.") % {"country": "Italy"}
    ]
    said = _follow(si, reply, {f"{prefix}-kind": "clarification_request", f"{prefix}-body": "?"})
    assert said == [
        _("Clarification requested from the contact point of %(country)s, deadline paused.")
        % {"country": "Italy"}
    ]
    said = _follow(it, f"/exchange/legs/{leg.pk}/clarify/", {f"{prefix}-body": "Ottobre"})
    leg.refresh_from_db()
    due = date_format(timezone.localtime(leg.due_at), "SHORT_DATETIME_FORMAT")
    assert said == [
        _(
            "Clarification sent to the contact point of %(country)s, deadline running again: "
            "answer due by %(due)s."
        )
        % {"country": "Slovenia", "due": due}
    ]
    said = _follow(si, reply, {f"{prefix}-kind": "partial_answer", f"{prefix}-body": "Prvi del"})
    assert said == [
        _("Partial answer sent to the contact point of %(country)s; the request stays open.")
        % {"country": "Italy"}
    ]
    said = _follow(si, reply, {f"{prefix}-kind": "answer", f"{prefix}-body": "Voznik KOVAČ"})
    assert said == [_("Answer sent to the contact point of %(country)s.") % {"country": "Italy"}]
    # Croatia refuses its leg.
    croatia = persona("hr_duty")
    hr_leg = legs["HR"]
    said = _follow(
        testing.client_for(croatia),
        f"/exchange/legs/{hr_leg.pk}/reply/",
        {f"leg{hr_leg.pk}-kind": "refusal", f"leg{hr_leg.pk}-refusal_ground": "not_available"},
    )
    assert said == [
        _("Request refused: %(reason)s. The contact point of %(country)s is told.")
        % {"reason": _("The information is not available"), "country": "Italy"}
    ]
    said = _follow(it, f"/exchange/cases/{case.pk}/close/", {"body": "Grazie."})
    assert said == [
        _("Case closed; the contact points of %(countries)s are told.") % {"countries": _both()}
    ]
    assert set(Leg.objects.values_list("state", flat=True)) == {"closed"}


def _both() -> str:
    """'Croatia and Slovenia' in the active language."""
    return get_text_list(
        [country_name("HR", get_language()), country_name("SI", get_language())], _("and")
    )


def test_confirmations_are_in_the_readers_language(persona):
    italy = persona("it_duty")
    italy.language = "it"
    italy.save(update_fields=["language"])
    said = _follow(testing.client_for(italy), "/exchange/new/", request_data())
    leg = Leg.objects.get(recipient_country="SI")
    with translation.override("it"):
        expected = _(
            "Request sent to the contact points of %(countries)s, answer due by %(due)s."
        ) % {
            "countries": _both(),
            "due": date_format(timezone.localtime(leg.due_at), "SHORT_DATETIME_FORMAT"),
        }
    assert said == [expected]
    assert "Croazia" in said[0]


def test_information_sent_and_passed_on_say_to_whom(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    data = request_data()
    del data["urgency"]
    data["recipients"] = ["SI"]
    said = _follow(testing.client_for(italy), "/exchange/inform/", data)
    assert said == [
        _("Information sent to the contact points of %(countries)s; no answer is due.")
        % {"countries": "Slovenia"}
    ]
    message = Case.objects.get().messages.get()
    services.record_consent(user=italy, message=message, countries=["HR"])
    said = _follow(
        testing.client_for(slovenia),
        f"/exchange/messages/{message.pk}/forward/",
        {f"m{message.pk.hex[:8]}-recipients": ["HR"]},
    )
    assert said == [
        _("Information passed on to the contact points of %(countries)s.")
        % {"countries": "Croatia"}
    ]


@pytest.mark.parametrize("demo", [True, False])
def test_the_print_has_no_screen_furniture_and_is_stamped(persona, settings, demo):
    settings.DEMO_MODE = demo
    italy = persona("it_duty")
    case = services.send_request(
        user=italy,
        subject="Furgone",
        body="Chi è il conducente?",
        urgency="not_urgent",
        recipients=["SI"],
        handling_code="H1",
    )
    client = testing.client_for(italy)
    # A notification waits to be shown: the print does not show it.
    client.post(f"/exchange/cases/{case.pk}/close/", {"body": "Fine."})
    response = client.get(f"/exchange/cases/{case.pk}/print/")
    assert response.status_code == 200
    page = response.content.decode()
    for absent in ("<nav", "app-header", "app-footer", "demo-banner", "<form", 'class="messages"'):
        assert absent not in page, absent
    assert (
        str(
            _("Case closed; the contact points of %(countries)s are told.")
            % {"countries": "Slovenia"}
        )
        not in page
    )
    # What is there for the screen only (the print button) is marked so.
    for button in re.findall(r"<button[^>]*>", page):
        assert "data-print" in button
    assert page.count('class="no-print') == 1
    assert re.search(r'<div class="no-print[^"]*"[^>]*>\s*<button', page)
    # The stamp and the H1 restriction, on the case and on each message.
    h1 = escape(_("H1 – not to be used as evidence without the provider's consent"))
    assert page.count(f'<div class="print-stamp d-block">{h1}') == 3  # case, request, note
    assert italy.get_full_name() in page and "Chi è il conducente?" in page
    # Anonymous, a third country and a role that may not print are refused.
    assert (
        testing.client_for(persona("hr_duty")).get(f"/exchange/cases/{case.pk}/print/").status_code
        == 404
    )
