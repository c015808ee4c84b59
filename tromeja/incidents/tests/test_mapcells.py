"""The map's counted grids: the counts answer exactly what the visibility
rule and the filters answer from the reports, and stay true as reports
change."""

import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tromeja import testing
from tromeja.core.choices import Partnership
from tromeja.core.models import Country
from tromeja.incidents import mapcells, services
from tromeja.incidents.filters import apply_filters
from tromeja.incidents.models import Incident, MapCell

LAT, LON = testing.NEAR_OBREZJE
# A viewport around Obrežje that the counts answer at 8 cells per degree.
BBOX = (LON - 2.0, LAT - 1.0, LON + 2.0, LAT + 1.0)


def _stored() -> dict:
    """The count table as {key: [count per type]}, empty rows left out."""
    columns = ["level", "x", "y", "month", "owner_country_id", "status", "border_section"]
    columns += ["audience", *(f"n_{t}" for t in mapcells.TYPES)]
    out = {}
    for row in MapCell.objects.values_list(*columns):
        if any(row[8:]):
            out[row[:8]] = list(row[8:])
    return out


def _expected(user, data, level) -> dict:
    """Reports per cell, one by one from what the user may see (the reference)."""
    x0, y0 = math.floor(data["bbox"][0] * level), math.floor(data["bbox"][1] * level)
    x1, y1 = math.floor(data["bbox"][2] * level), math.floor(data["bbox"][3] * level)
    rest = {k: v for k, v in data.items() if k != "bbox"}
    found = {}
    for lon, lat in apply_filters(Incident.objects.restrict(user), rest).values_list(
        "longitude", "latitude"
    ):
        x, y = math.floor(lon * level), math.floor(lat * level)
        if x0 <= x <= x1 and y0 <= y <= y1:
            found[(x, y)] = found.get((x, y), 0) + 1
    return found


@pytest.fixture
def reports(persona):
    """Reports of the three countries over four months, in every state and
    with every kind of distribution, in several cells."""
    rng = random.Random(7)
    now = timezone.now()
    authors = {"SI": persona("sl_duty"), "HR": persona("hr_duty")}
    supervisors = {"SI": persona("sl_supervisor"), "HR": persona("hr_supervisor")}
    made = []
    shares = [("national", []), ("partners", []), ("named", ["IT"]), ("named", ["IT", "HR"])]
    for i in range(36):
        country = "SI" if i % 3 else "HR"
        author = authors[country]
        distribution, named = shares[i % 4]
        named = [c for c in named if c != country] or (["SI"] if distribution == "named" else [])
        occurred = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(4, 20))
        report = testing.incident(
            author,
            type=rng.choice(["irregular_crossing", "vehicle", "smuggler"]),
            occurred_at=occurred,
            aware_at=occurred + timedelta(hours=1),
            latitude=(LAT if country == "SI" else 45.155) + rng.uniform(-0.2, 0.2),
            longitude=(LON if country == "SI" else 15.735) + rng.uniform(-0.25, 0.25),
            distribution=distribution,
            shared_with=named,
        )
        state = i % 6
        if state >= 1:
            services.submit_incident(user=author, incident=report)
        if state >= 3:
            services.validate_incident(user=supervisors[country], incident=report)
        if state == 2:
            services.return_incident(
                user=supervisors[country], incident=report, comment="Check the count."
            )
        made.append(report)
    return made


def test_changes_are_counted_as_a_recount_would_count_them(reports, persona):
    assert MapCell.objects.exists()
    kept = _stored()
    # Changes of every kind: moved in place and time, shared otherwise.
    author = persona("sl_duty")
    moved = next(r for r in reports if r.owner_country_id == "SI" and r.status == "validated")
    moved.refresh_from_db()
    services.update_incident(
        user=author,
        incident=moved,
        latitude=LAT + 0.3,
        longitude=LON - 0.4,
        occurred_at=moved.occurred_at - timedelta(days=40),
        aware_at=moved.occurred_at - timedelta(days=40) + timedelta(hours=1),
        distribution="named",
        shared_with=["HR"],
    )
    kept_after = _stored()
    assert kept_after != kept
    mapcells.rebuild()
    assert _stored() == kept_after


def test_counts_give_each_user_exactly_what_the_reports_give(
    reports, persona, django_assert_max_num_queries
):
    today = timezone.localdate()
    periods = [
        {},
        {"since": today - timedelta(days=75)},
        {"until": today - timedelta(days=20)},
        {"since": today - timedelta(days=100), "until": today - timedelta(days=10)},
        {"since": today - timedelta(days=9), "until": today - timedelta(days=2)},
    ]
    filters = [{}, {"type": "vehicle"}, {"status": "validated"}, {"country": "HR"}]
    filters.append({"border_section": reports[1].border_section})
    names = ["sl_border", "sl_supervisor", "sl_duty", "it_duty", "hr_analyst", "hr_border"]
    for name in names:
        user = persona(name)
        visible = Incident.objects.restrict(user)
        for level in (8, 32):
            for span in periods:
                for extra in filters:
                    data = {"bbox": BBOX, **span, **extra}
                    with django_assert_max_num_queries(4):
                        got = mapcells.cells(user, visible, data, level)
                    assert {k: v for k, v in got.items() if v} == _expected(user, data, level), (
                        name,
                        level,
                        data,
                    )


def test_an_associated_partner_counts_only_what_names_it(reports, persona):
    Country.objects.filter(code="HR").update(partnership=Partnership.ASSOCIATED)
    user = persona("hr_analyst")
    user = type(user).objects.get(pk=user.pk)
    assert user.country_partnership == Partnership.ASSOCIATED
    data = {"bbox": BBOX}
    got = mapcells.cells(user, Incident.objects.restrict(user), data, 8)
    assert got and dict(got) == _expected(user, data, 8)


def test_the_map_uses_the_counts_for_busy_viewports(reports, persona, monkeypatch):
    from tromeja.incidents import queries

    monkeypatch.setattr(queries, "MAP_POINT_LIMIT", 3)
    user = persona("it_duty")
    client = testing.client_for(user)
    bbox = ",".join(f"{v:.5f}" for v in BBOX)
    data = client.get(f"/api/v1/incidents/map?bbox={bbox}").json()
    assert data["aggregated"] and data["cell_degrees"] == 0.125
    assert data["total"] == Incident.objects.restrict(user).count() > 3
    # A cell's point is its centre on the fixed grid.
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon * 8 - 0.5) == int(lon * 8 - 0.5) and (lat * 8 - 0.5) == int(lat * 8 - 0.5)


def test_the_recount_command_restores_lost_counts(reports, capsys):
    kept = _stored()
    MapCell.objects.all().delete()
    call_command("rebuild_map_cells")
    assert _stored() == kept
    assert "rows" in capsys.readouterr().out


def test_levels_and_months():
    assert mapcells.level_for((13.5, 45.35, 16.65, 46.6)) == 8
    assert mapcells.level_for((12.3, 42.3, 19.5, 47.0)) == 4
    assert mapcells.level_for((15.66, 45.83, 15.69, 45.85)) == 1024
    assert mapcells.month_of(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
