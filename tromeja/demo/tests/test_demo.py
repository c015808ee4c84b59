"""The demo loads believable, deterministic data and can be loaded twice."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from tromeja.accounts.models import User
from tromeja.core import audit
from tromeja.incidents.models import EntityRef, Incident
from tromeja.notices.models import Notice


def test_the_demo_refuses_to_run_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo", no_serve=True, days=2)


def test_the_demo_loads_accounts_notices_and_incidents_once(db, settings, capsys):
    settings.DEMO_MODE = True
    call_command("demo", no_serve=True, days=45)
    out = capsys.readouterr().out
    assert "si.duty" in out and "tromeja-demo-2026" in out
    assert User.objects.filter(is_demo_account=True).count() == 25
    assert Notice.objects.exists()
    reports = Incident.objects.count()
    assert reports > 40
    assert set(Incident.objects.values_list("owner_country", flat=True)) == {"SI", "HR", "IT"}
    # Rings: some vehicle or phone is seen in more than one country.
    shared = (
        EntityRef.objects.values("kind", "key")
        .annotate(countries=Count("incident__owner_country", distinct=True))
        .filter(countries__gt=1)
    )
    assert shared.exists()
    # Nothing was submitted or validated in the future.
    from django.utils import timezone

    now = timezone.now()
    assert not Incident.objects.filter(submitted_at__gt=now).exists()
    assert not Incident.objects.filter(validated_at__gt=now).exists()
    call_command("demo", no_serve=True, days=45)
    assert Incident.objects.count() == reports
    assert audit.verify_chain().ok
