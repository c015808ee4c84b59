"""The demo loads believable, deterministic data and can be loaded twice."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from tromeja.accounts.models import User
from tromeja.core import audit, context
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


def test_yesterdays_reports_are_not_submitted_or_validated_after_now(db, settings):
    # Loaded just after midnight, yesterday evening's reports would otherwise
    # be submitted and validated hours from now.
    import random
    from datetime import datetime, timedelta
    from unittest import mock

    from django.utils import timezone

    from tromeja.demo import incidents as demo_incidents
    from tromeja.demo.management.commands.demo import load_accounts

    settings.DEMO_MODE = True
    with context.acting(context.ActionContext(purpose="demo data")):
        users = load_accounts()
    local = timezone.get_current_timezone()
    just_after_midnight = datetime.combine(timezone.localdate(), datetime.min.time()).replace(
        tzinfo=local
    ) + timedelta(minutes=30)
    authors = {c: users[f"{c.lower()}.border"] for c in ("SI", "HR", "IT")}
    supervisors = {c: users[f"{c.lower()}.supervisor"] for c in ("SI", "HR", "IT")}
    rng = random.Random(7)
    with (
        mock.patch("django.utils.timezone.now", return_value=just_after_midnight),
        context.acting(context.ActionContext(purpose="demo data")),
    ):
        yesterday = timezone.localdate() - timedelta(days=1)
        for _ in range(40):
            demo_incidents._one(rng, "SI", yesterday, authors, supervisors)
    assert Incident.objects.count() > 10
    assert not Incident.objects.filter(submitted_at__gt=just_after_midnight).exists()
    assert not Incident.objects.filter(validated_at__gt=just_after_midnight).exists()
