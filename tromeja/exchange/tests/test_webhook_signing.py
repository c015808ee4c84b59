"""The webhook is posted with no transaction open and no row locked, and its
signature covers the timestamp, so a captured post cannot be replayed later
or re-dated: receivers refuse it outside the replay window."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from tromeja.exchange import alerts, services
from tromeja.exchange.models import Leg

SECRET = "s3cret-shared-with-the-receiver"  # noqa: S105 (test value)


@pytest.mark.django_db(transaction=True)
def test_the_post_is_made_outside_any_transaction_and_then_marked(
    reference_data, persona, settings
):
    settings.TROMEJA_WEBHOOK_URL = "https://hooks.example.test/tromeja"
    settings.TROMEJA_WEBHOOK_SECRET = SECRET
    persona("sl_duty")
    case = services.send_request(
        user=persona("it_duty"),
        subject="Furgone",
        body="?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    during = []

    def urlopen(request, timeout):
        during.append(connection.in_atomic_block)
        answer = mock.MagicMock()
        answer.__enter__.return_value.status = 200
        return answer

    with mock.patch("tromeja.exchange.alerts.urllib.request.urlopen", urlopen):
        alerts.deliver()
        alerts.deliver()
    assert during == [False]  # before: posted inside the leg's locked transaction
    assert Leg.objects.get(pk=case.legs.get().pk).webhooks == ["new_urgent"]


def test_the_signature_covers_the_timestamp_and_old_posts_are_refused():
    body = b'{"alert":"half","event":"7:half"}'
    now = timezone.now()
    stamp = str(int(now.timestamp()))
    signature = alerts.sign(body, SECRET, stamp)
    assert alerts.verify(body, secret=SECRET, timestamp=stamp, signature=signature, now=now)
    # Another time with the same signature: refused.
    later = str(int(now.timestamp()) + 60)
    assert not alerts.verify(body, secret=SECRET, timestamp=later, signature=signature, now=now)
    # Replayed after the window: refused, even unchanged.
    replay = now + alerts.WEBHOOK_REPLAY_WINDOW + timedelta(seconds=1)
    assert not alerts.verify(body, secret=SECRET, timestamp=stamp, signature=signature, now=replay)
    assert not alerts.verify(
        body + b" ", secret=SECRET, timestamp=stamp, signature=signature, now=now
    )
    assert not alerts.verify(body, secret="other", timestamp=stamp, signature=signature, now=now)
