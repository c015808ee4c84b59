"""The optional webhook: each delivered alert of a request is posted once,
signed with the shared secret, without personal data; a failed post is tried
again on the next run."""

import hashlib
import hmac
import json
import logging
import urllib.error
from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tromeja.accounts.services import create_user
from tromeja.core.models import Unit
from tromeja.core.roles import Role
from tromeja.exchange import alerts, services
from tromeja.exchange.models import Leg

SECRET = "s3cret-shared-with-the-receiver"  # noqa: S105 (test value)


@pytest.fixture
def webhook(settings):
    settings.TROMEJA_WEBHOOK_URL = "https://hooks.example.test/tromeja"
    settings.TROMEJA_WEBHOOK_SECRET = SECRET
    with mock.patch("tromeja.exchange.alerts.urllib.request.urlopen") as urlopen:
        urlopen.return_value.__enter__.return_value.status = 200
        yield urlopen


def urgent_request(persona, subject="Furgone CZ 5T2 8841"):
    case = services.send_request(
        user=persona("it_duty"),
        subject=subject,
        body="Conducente?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    return case.legs.get()


def posted(urlopen):
    return [c.args[0] for c in urlopen.call_args_list]


def test_a_delivered_alert_is_posted_once_signed_and_without_personal_data(persona, webhook):
    persona("sl_duty")
    create_user(
        username="sl_duty2",
        password=None,
        unit=Unit.objects.get(code="si-smps"),
        roles=[Role.DUTY_OFFICER],
    )
    leg = urgent_request(persona)
    assert alerts.deliver() == 2  # two duty officers, one alert
    assert alerts.deliver() == 0
    requests = posted(webhook)
    assert len(requests) == 1
    request = requests[0]
    assert request.full_url == "https://hooks.example.test/tromeja"
    assert request.get_method() == "POST"
    assert webhook.call_args.kwargs["timeout"] <= 10
    body = request.data
    stamp = request.get_header("X-tromeja-timestamp")
    assert abs(int(stamp) - timezone.now().timestamp()) < 60
    # The signature covers the timestamp and the body.
    signed = stamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert request.get_header("X-tromeja-signature") == expected
    wrong = "sha256=" + hmac.new(b"another secret", signed, hashlib.sha256).hexdigest()
    assert request.get_header("X-tromeja-signature") != wrong
    payload = json.loads(body)
    assert payload == {
        "event": f"{leg.pk}:new_urgent",
        "alert": "new_urgent",
        "case_reference": leg.case.reference,
        "recipient_country": "SI",
        "due_at": leg.due_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "leg_id": leg.pk,
    }
    for personal in (b"Furgone", b"Conducente", b"sl_duty", b"it_duty"):
        assert personal not in body
    # The next alert of the same request is a new post.
    alerts.raise_due_alerts(leg.received_at + timedelta(hours=4))
    alerts.deliver()
    alerts.deliver()
    assert [json.loads(r.data)["alert"] for r in posted(webhook)] == ["new_urgent", "half"]


def test_a_failed_post_is_logged_and_tried_again_on_the_next_run(persona, webhook, caplog):
    persona("sl_duty")
    leg = urgent_request(persona)
    webhook.side_effect = urllib.error.URLError("connection refused")
    with caplog.at_level(logging.WARNING, logger="tromeja.exchange.alerts"):
        assert alerts.deliver() == 1
    assert "retried on the next run" in caplog.text
    assert Leg.objects.get(pk=leg.pk).webhooks == []
    webhook.side_effect = None
    alerts.deliver()  # the e-mail went already; the post now goes
    alerts.deliver()
    assert len(posted(webhook)) == 2  # failed once, then sent once, not again
    assert "new_urgent" in Leg.objects.get(pk=leg.pk).webhooks


def test_without_a_url_nothing_is_posted(persona, settings):
    settings.TROMEJA_WEBHOOK_URL = ""
    persona("sl_duty")
    urgent_request(persona)
    with mock.patch("tromeja.exchange.alerts.urllib.request.urlopen") as urlopen:
        assert alerts.deliver() == 1
    urlopen.assert_not_called()


def test_without_a_secret_nothing_is_posted_unsigned(persona, webhook, settings, caplog):
    settings.TROMEJA_WEBHOOK_SECRET = ""
    persona("sl_duty")
    urgent_request(persona)
    with caplog.at_level(logging.ERROR, logger="tromeja.exchange.alerts"):
        alerts.deliver()
    webhook.assert_not_called()
    assert "TROMEJA_WEBHOOK_SECRET" in caplog.text
