"""Each user sees times in their own country's zone unless they chose another."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tromeja import testing
from tromeja.accounts import services
from tromeja.accounts.models import User
from tromeja.core.models import Country, Unit


@pytest.mark.parametrize(
    ("name", "zone"),
    [("sl_duty", "Europe/Ljubljana"), ("it_duty", "Europe/Rome"), ("hr_duty", "Europe/Zagreb")],
)
def test_a_new_user_gets_their_country_zone(persona, name, zone):
    user = persona(name)
    assert user.time_zone == zone
    assert user.zone_name == zone


@pytest.mark.parametrize(
    ("name", "zone"), [("it_duty", "Europe/Rome"), ("hr_duty", "Europe/Zagreb")]
)
def test_pages_show_the_time_of_the_users_country(persona, name, zone):
    page = testing.client_for(persona(name)).get("/accounts/preferences/")
    assert page.status_code == 200
    assert f"({zone})" in page.content.decode()  # the footer's local time


def test_a_user_without_a_zone_sees_their_country_time(persona):
    user = persona("it_duty")
    User.objects.filter(pk=user.pk).update(time_zone="")
    Country.objects.filter(code="IT").update(time_zone="Atlantic/Azores")  # UTC-1 in winter
    page = testing.client_for(User.objects.get(pk=user.pk)).get("/accounts/preferences/")
    text = page.content.decode()
    assert "(Atlantic/Azores)" in text
    now = timezone.now().astimezone(ZoneInfo("Atlantic/Azores"))
    shown = re.search(r"(\d\d):(\d\d) \(Atlantic/Azores\)", text)
    assert shown and int(shown[1]) == now.hour or (now.minute == 0 and shown), text[-400:]


def test_a_chosen_zone_wins_over_the_country(persona):
    user = persona("it_duty")
    services.set_preferences(user=user, time_zone="Europe/Lisbon")
    page = testing.client_for(User.objects.get(pk=user.pk)).get("/accounts/preferences/")
    assert "(Europe/Lisbon)" in page.content.decode()


def test_without_a_country_zone_the_node_zone_applies(persona, settings):
    Country.objects.filter(code="HR").update(time_zone="")
    user = services.create_user(
        username="nova", password=None, unit=Unit.objects.get(code="hr-uzg")
    )
    assert user.time_zone == settings.TIME_ZONE


def test_a_user_who_moves_country_follows_its_zone_unless_they_chose_one(persona):
    admin = None  # the node's operator at the command line
    user = persona("outsider")
    services.update_user(user=user, by=admin, unit=Unit.objects.get(code="it-scip"))
    assert User.objects.get(pk=user.pk).time_zone == "Europe/Rome"
    services.set_preferences(user=user, time_zone="Europe/Lisbon")
    services.update_user(user=user, by=admin, unit=Unit.objects.get(code="hr-uzg"))
    assert User.objects.get(pk=user.pk).time_zone == "Europe/Lisbon"


def test_an_italian_officer_sees_rome_time_and_a_croatian_zagreb_time_by_default(persona):
    from tromeja.notices.models import Notice

    # 23:30 UTC on 15 January is 00:30 on the 16th in Rome and Zagreb.
    moment = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    Country.objects.filter(code="HR").update(time_zone="Asia/Tokyo")  # +9: 08:30 on the 16th
    it_duty, hr_duty = persona("it_duty"), persona("hr_duty")
    hr_duty = User.objects.get(pk=hr_duty.pk)
    services.update_user(user=hr_duty, by=None, time_zone="")
    shared = testing.notice(it_duty, distribution="partners")
    Notice.objects.filter(pk=shared.pk).update(created_at=moment, updated_at=moment)
    rome = testing.client_for(it_duty).get("/notices/").content.decode()
    assert "16 Jan 2026, 00:30" in rome and "(Europe/Rome)" in rome
    zagreb = testing.client_for(User.objects.get(pk=hr_duty.pk)).get("/notices/").content.decode()
    assert "16 Jan 2026, 08:30" in zagreb and "(Asia/Tokyo)" in zagreb


def test_the_api_names_the_zone_the_user_sees(persona):
    user = persona("it_duty")
    User.objects.filter(pk=user.pk).update(time_zone="")
    me = testing.client_for(User.objects.get(pk=user.pk)).get("/api/v1/me").json()
    assert me["time_zone"] == "Europe/Rome"


def test_existing_users_left_with_the_node_zone_get_their_country_zone(persona, settings):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tromeja.accounts.migrations.0002_users_see_their_country_time")
    it_duty, hr_duty, sl_duty = persona("it_duty"), persona("hr_duty"), persona("sl_duty")
    User.objects.filter(pk__in=[it_duty.pk, sl_duty.pk]).update(time_zone=settings.TIME_ZONE)
    User.objects.filter(pk=hr_duty.pk).update(time_zone="Europe/Lisbon")  # chosen
    migration.to_country_zone(apps, None)
    zones = dict(User.objects.values_list("username", "time_zone"))
    assert zones["it_duty"] == "Europe/Rome"
    assert zones["sl_duty"] == settings.TIME_ZONE == "Europe/Ljubljana"
    assert zones["hr_duty"] == "Europe/Lisbon"


def test_the_preferences_offer_the_country_time_and_other_zones(persona):
    user = persona("it_duty")
    client = testing.client_for(user)
    page = client.get("/accounts/preferences/").content.decode()
    # The country's zone is the choice made, not a zone picked by hand.
    assert re.search(r'<option value="" selected>[^<]*Europe/Rome</option>', page), page
    client.post("/accounts/preferences/", {"language": "en", "time_zone": "Europe/Lisbon"})
    assert User.objects.get(pk=user.pk).time_zone == "Europe/Lisbon"
    assert (
        '<option value="Europe/Lisbon" selected>'
        in client.get("/accounts/preferences/").content.decode()
    )
    client.post("/accounts/preferences/", {"language": "en", "time_zone": ""})
    assert User.objects.get(pk=user.pk).time_zone == ""
    assert "(Europe/Rome)" in client.get("/accounts/preferences/").content.decode()
    refused = client.post("/accounts/preferences/", {"language": "en", "time_zone": "Mars/Base"})
    assert refused.status_code == 200 and User.objects.get(pk=user.pk).time_zone == ""
