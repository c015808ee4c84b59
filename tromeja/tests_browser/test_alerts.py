"""Acceptance: an Italian duty officer (Italian UI) has the contact-point
inbox and the home page open; Croatia's duty officer sends an urgent request
to Italy. Without reloading, the navigation's badge counts it, the home
panel and the inbox list it with its time left, all in Italian, and the
browser notification the officer switched on fires once, with the request's
title, also after the page is loaded again."""

import re
import time

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.exchange import attention, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records what the page asks the browser to notify (the browser itself shows
# nothing headless).
STUB = """
window.__notified = [];
class RecordedNotification {
  constructor(title, options) {
    window.__notified.push({ title: title, body: (options || {}).body, tag: (options || {}).tag });
  }
  close() {}
}
RecordedNotification.permission = "granted";
RecordedNotification.requestPermission = () => Promise.resolve("granted");
window.Notification = RecordedNotification;
"""


def open_as(context, base, user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    client = testing.sign_in(Client(), user)
    context.clear_cookies()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _pattern(text: str) -> str:
    """A translated format string as a regular expression: each %(name)s or
    %(name)d placeholder matches anything."""
    parts = re.split(r"%\(\w+\)0?\d?[sd]", text)
    return "(.+)".join(re.escape(p) for p in parts)


def status_pattern(language: str) -> re.Pattern:
    """'urgent · 7 h 59 min left' in `language`'s catalogue."""
    with translation.override(language):
        duration = _pattern(_("%(h)d h %(m)02d min"))
        left = _pattern(_("%(time)s left")).replace("(.+)", duration)
        return re.compile(_pattern(_("urgent · %(status)s")).replace("(.+)", left))


@pytest.fixture
def context(browser, live_server, settings):
    settings.ATTENTION_POLL_SECONDS = 1
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(STUB)
    context.set_default_timeout(15000)
    yield context
    context.close()


def test_a_new_urgent_request_reaches_the_italian_duty_officer_without_reloading(
    context, live_server
):
    base = live_server.url
    italy, croatia = testing.make_persona("it_duty"), testing.make_persona("hr_duty")
    open_as(context, base, italy, "it")

    errors = []
    home = context.new_page()
    home.on("pageerror", lambda error: errors.append(str(error)))
    home.goto(base + "/")
    assert home.locator("html").get_attribute("lang") == "it"
    inbox = context.new_page()
    inbox.on("pageerror", lambda error: errors.append(str(error)))
    inbox.on("console", lambda m: m.type == "error" and errors.append(m.text))
    inbox.goto(base + "/exchange/")
    # Notifications on: the officer's choice, remembered by the browser.
    toggle = inbox.locator("[data-attention-toggle]")
    toggle.wait_for(state="visible")
    toggle.click()
    inbox.locator('[data-attention-toggle][aria-pressed="true"]').wait_for()
    with translation.override("it"):
        assert toggle.inner_text() == _("Notifications of urgent requests are on")
    badge = inbox.locator('[data-attention-badge="requests"]')
    inbox.wait_for_timeout(1500)  # a poll or two with nothing new
    assert badge.is_hidden()

    case = services.send_request(
        user=croatia,
        subject="Kombi HR 5T2 8841",
        body="Tko je vozač?",
        urgency="urgent_direct",
        recipients=["IT"],
    )
    leg = case.legs.get()

    # The badge, within a minute, without reloading: the number, and in
    # words for screen readers.
    badge.wait_for(state="visible", timeout=60000)
    assert badge.locator(".attention-count").inner_text() == "1"
    with translation.override("it"):
        words = attention.summary({"new": 1, "soon": 0, "overdue": 0, "clarify": 0})
        title = attention.notify_title("HR")
    assert badge.locator(".attention-text").text_content() == f" ({words})"
    assert badge.get_attribute("title") == words
    assert "attention-urgent" in badge.get_attribute("class")
    # The changed counts were announced once, politely.
    live = inbox.locator("[data-attention-live]")
    assert live.get_attribute("aria-live") == "polite"
    assert live.text_content() == words
    # ... and not again while they stay the same.
    inbox.evaluate("() => { document.querySelector('[data-attention-live]').textContent = ''; }")
    inbox.wait_for_timeout(2500)
    assert live.text_content() == ""

    # On a tablet held upright the navigation folds away: its button shows a dot.
    inbox.set_viewport_size({"width": 768, "height": 1024})
    assert badge.is_hidden()
    assert "attention-pending" in inbox.locator(".navbar-toggler").get_attribute("class")
    inbox.set_viewport_size({"width": 1024, "height": 768})

    # The inbox lists it with its time left, in Italian.
    pattern = status_pattern("it")
    row = inbox.locator(f'#inbox tr[data-leg="{leg.pk}"]')
    row.wait_for(timeout=60000)
    assert "tone-urgent" in row.get_attribute("class")
    assert pattern.fullmatch(row.locator(".attention-words").inner_text().strip())
    assert case.reference in row.inner_text()

    # The home page, open all along, shows it in its panel.
    entry = home.locator(f'#attention-panels li.attention-row[data-leg="{leg.pk}"]')
    entry.wait_for(timeout=60000)
    assert case.reference in entry.inner_text()
    assert pattern.fullmatch(entry.locator(".attention-words").inner_text().strip())
    home_badge = home.locator('[data-attention-badge="requests"] .attention-count')
    assert home_badge.inner_text() == "1"

    # The notification fired with the request's title, in Italian.
    # (A function, not an expression: the page's CSP forbids evaluating strings.)
    # Whichever open page polls first notifies (they share the browser's memory
    # of what was notified): wait for either.
    deadline = time.monotonic() + 60
    while not (
        inbox.evaluate("window.__notified.length") or home.evaluate("window.__notified.length")
    ):
        assert time.monotonic() < deadline, "no notification within a minute"
        inbox.wait_for_timeout(200)
    inbox.wait_for_timeout(2500)  # more polls: still once
    calls = inbox.evaluate("window.__notified") + home.evaluate("window.__notified")
    assert {c["title"] for c in calls} == {title}
    assert {c["tag"] for c in calls} == {f"leg-{leg.pk}"}
    assert len(calls) == 1  # one notification, by one of the pages
    assert calls[0]["body"].startswith(case.reference)

    # Not again after the page is loaded again.
    inbox.reload()
    badge.wait_for(state="visible")
    inbox.wait_for_timeout(2500)
    assert inbox.evaluate("window.__notified") == []
    assert errors == []
