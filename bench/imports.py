"""Import benchmark: a 100,000-row CSV of incident reports against a plain bulk
insert of the same reports, side by side in one run.

Goal: importing 100,000 rows takes at
most twice as long as writing the same reports with a plain bulk insert.

    .venv/bin/python bench/imports.py                  # SQLite, fresh file in a temp dir
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tromeja_bench_import \\
        .venv/bin/python bench/imports.py              # PostgreSQL (drops and recreates the db)
    .venv/bin/python bench/imports.py --rows 10000     # a short run

The import is the real one (`imports.run_import`, as the background worker
runs it): decoding and reading the file, checking every row with the same
service as the form and the API (choices, times, counts that add up, plates and
phones normalised, the place located on the border sections), then writing the
reports, their lists, the cross-match index and one audit entry per report
(collection) in one transaction.

The plain bulk insert writes the very same rows (reports, breakdowns, vehicles,
phones and index entries, already typed and located) with `bulk_create` in one
transaction, with no reading, no checks and no audit trail. Both runs start
from the same database state; the baseline's rows are removed before the
import runs. The script exits 1 when the goal is missed, 2 when the run fails.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from foundation import prepare_database, say  # noqa: E402

GOAL_RATIO = 2.0
HEADER = [
    "type",
    "occurred_at",
    "aware_at",
    "latitude",
    "longitude",
    "detection_method",
    "transport",
    "impact_level",
    "confidence",
    "persons_total",
    "counts",
    "vehicles",
    "phones",
    "place_name",
    "narrative",
]
NATIONALITIES = ["AF", "SY", "PK", "MA", "BD", "TR", "IQ", "IN", "NP", "EG"]
SECTIONS_SAMPLE = 400  # points along the real borders to place reports at


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000, help="rows in the file (default 100,000)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--profile", action="store_true", help="cProfile the import (slower)")
    p.add_argument(
        "--check-workers",
        type=int,
        default=0,
        help="processes that check rows (default: one per core; 1 checks in the job itself)",
    )
    return p.parse_args(argv)


def border_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Points near the Slovenia–Croatia border sections, jittered inland."""
    from tromeja.geography.locate import sections

    lines = [s for s in sections().values() if s.border == "SI-HR"]
    points = []
    for _ in range(count):
        section = rng.choice(lines)
        point = section.geometry.interpolate(rng.random(), normalized=True)
        points.append((point.y + rng.uniform(-0.01, 0.01), point.x + rng.uniform(-0.01, 0.01)))
    return points


def make_rows(n: int, rng: random.Random) -> list[dict]:
    from django.utils import timezone

    points = border_points(rng, SECTIONS_SAMPLE)
    now = timezone.localtime().replace(second=0, microsecond=0)
    rows = []
    for i in range(n):
        at = now - timedelta(days=2, minutes=7 * i + rng.randint(0, 6))
        lat, lon = points[i % len(points)]
        adults, minors = rng.randint(1, 12), rng.choice([0, 0, 0, 1, 2])
        nat = rng.choice(NATIONALITIES)
        counts = [f"{nat}|m|adult|{adults}"]
        if minors:
            counts.append(f"{nat}|m|minor|{minors}|{rng.randint(0, minors)}")
        vehicle = ""
        if i % 5 == 0:
            # Rings reuse a few hundred vehicles; most are seen once.
            plate = rng.randint(0, 400) if i % 3 == 0 else i
            vehicle = f"ZG {plate:05d}-AB|HR|Škoda|Octavia|grey"
        phone = f"+385 91 {rng.randint(1000000, 9999999)}" if i % 7 == 0 else ""
        rows.append(
            {
                "type": "irregular_crossing" if vehicle == "" else "vehicle",
                "occurred_at": at.strftime("%Y-%m-%d %H:%M"),
                "aware_at": (at + timedelta(minutes=40)).strftime("%d.%m.%Y %H:%M"),
                "latitude": f"{lat:.5f}",
                "longitude": f"{lon:.5f}",
                "detection_method": "surveillance",
                "transport": "car" if vehicle else "on_foot",
                "impact_level": rng.choice(["low", "low", "medium", "high"]),
                "confidence": "confirmed",
                "persons_total": str(adults + minors),
                "counts": ";".join(counts),
                "vehicles": vehicle,
                "phones": phone,
                "place_name": f"Kraj {i % 900}",
                "narrative": "Skupina zaznana ob mejni črti, prijeta 300 m od meje.",
            }
        )
    return rows


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow([r[c] for c in HEADER])
    return out.getvalue().encode("cp1250")  # what Slovenian Excel writes


def plain_bulk_insert(user, rows: list[dict]) -> float:
    """The same reports written with bulk_create: no reading, no checks, no
    audit. Returns seconds (building the objects included)."""
    from datetime import datetime

    from django.db import transaction
    from django.utils import timezone

    from tromeja.geography.locate import locate, sections
    from tromeja.incidents.models import EntityRef, Incident, PersonCount, PhoneEntry, VehicleEntry

    zone = timezone.get_current_timezone()
    # Places are looked up before the clock starts: the baseline gets them free.
    located = {}
    for r in rows:
        key = (float(r["latitude"]), float(r["longitude"]))
        if key not in located:
            found = locate(*key)
            located[key] = found.section if found else ""
    units = {}
    from tromeja.core.models import Unit

    for code, section in sections().items():
        unit_code = section.units_by_country.get("HR") or section.units[0]
        units[code] = Unit.objects.filter(code=unit_code).values_list("pk", flat=True).first()
    started = time.perf_counter()
    incidents, counts, vehicles, phones, refs = [], [], [], [], []
    for n, r in enumerate(rows, start=1):
        lat, lon = float(r["latitude"]), float(r["longitude"])
        occurred = datetime.strptime(r["occurred_at"], "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        section = located[(lat, lon)]
        incident = Incident(
            reference=f"HR-BASE-{n:07d}",
            owner_agency_id=user.unit.agency_id,
            owner_country_id="HR",
            created_by=user,
            updated_by=user,
            type=r["type"],
            occurred_at=occurred,
            aware_at=occurred + timedelta(minutes=40),
            latitude=lat,
            longitude=lon,
            border_section=section,
            border="SI-HR",
            responsible_unit_id=units.get(section),
            place_name=r["place_name"],
            detection_method=r["detection_method"],
            transport=r["transport"],
            impact_level=r["impact_level"],
            confidence=r["confidence"],
            persons_total=int(r["persons_total"]),
            narrative=r["narrative"],
        )
        incidents.append(incident)
        for item in r["counts"].split(";"):
            parts = item.split("|")
            unaccompanied = int(parts[4]) if len(parts) > 4 else 0
            counts.append(
                PersonCount(
                    incident=incident,
                    nationality=parts[0],
                    sex=parts[1],
                    age_group=parts[2],
                    count=int(parts[3]),
                    unaccompanied=unaccompanied,
                )
            )
        if r["vehicles"]:
            plate = r["vehicles"].split("|")[0]
            vehicles.append(VehicleEntry(incident=incident, plate=plate, registration_country="HR"))
            key = "HR:" + plate.replace(" ", "").replace("-", "")
            refs.append(
                EntityRef(
                    incident=incident, kind="vehicle", key=key, label=plate, occurred_at=occurred
                )
            )
        if r["phones"]:
            number = "+" + "".join(ch for ch in r["phones"] if ch.isdigit())
            phones.append(PhoneEntry(incident=incident, number=number))
            refs.append(
                EntityRef(
                    incident=incident, kind="phone", key=number, label=number, occurred_at=occurred
                )
            )
    with transaction.atomic():
        Incident.objects.bulk_create(incidents, batch_size=1000)
        PersonCount.objects.bulk_create(counts, batch_size=2000)
        VehicleEntry.objects.bulk_create(vehicles, batch_size=2000)
        PhoneEntry.objects.bulk_create(phones, batch_size=2000)
        EntityRef.objects.bulk_create(refs, batch_size=2000)
    return time.perf_counter() - started


def main(argv=None) -> int:
    args = parse_args(argv)
    info = prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tromeja import testing
    from tromeja.core.models import Job
    from tromeja.incidents import imports
    from tromeja.incidents.models import Incident

    say(f"database: {info['engine']} {info['where']}")
    call_command("migrate", verbosity=0)
    user = testing.make_persona("hr_border")
    timezone.activate(user.time_zone)
    rng = random.Random(args.seed)
    rows = make_rows(args.rows, rng)
    data = csv_bytes(rows)
    say(f"{len(rows):,} rows, {len(data) / 1024 / 1024:.1f} MB of Windows-1250 CSV")

    say("plain bulk insert …")
    baseline = plain_bulk_insert(user, rows)
    say(f"plain bulk insert: {baseline:.2f} s")
    Incident.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    if args.check_workers == 1:
        imports.PARALLEL_MIN_ROWS = args.rows + 1
    imports.CHECK_WORKERS = args.check_workers
    job = imports.request_import(
        user=user, data=data, file_name="bench.csv", mode="all", submit=False
    )
    say("import …")
    # Time the writing apart from the reading and checking.
    from tromeja.incidents import services

    # The import writes in blocks (stage) and then shows them (publish).
    saving = {"stage": 0.0, "publish": 0.0}

    def timed(name, function):
        def run(**kwargs):
            begun = time.perf_counter()
            try:
                return function(**kwargs)
            finally:
                saving[name] += time.perf_counter() - begun

        return run

    services.stage_new_incidents = timed("stage", services.stage_new_incidents)
    services.publish_staged = timed("publish", services.publish_staged)
    started = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        imports.run_import(job.pk)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            40
        )
    else:
        imports.run_import(job.pk)
    elapsed = time.perf_counter() - started
    job = Job.objects.get(pk=job.pk)
    imported = job.result.get("imported")
    if imported != args.rows:
        say(f"the import did not import every row: {job.result}")
        return 2
    ratio = elapsed / baseline
    say(f"import: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s), ratio {ratio:.2f}")
    saving["s"] = saving["stage"] + saving["publish"]
    checking = elapsed - saving["s"]
    say(
        f"  of which reading and checking {checking:.2f} s, writing {saving['s']:.2f} s "
        f"(blocks {saving['stage']:.2f} s, publishing {saving['publish']:.2f} s)"
    )
    print()
    print(f"| measure | {info['engine']} |")
    print("|---|---|")
    print(f"| plain bulk insert of {args.rows:,} reports | {baseline:.1f} s |")
    print(f"| import of the same {args.rows:,} rows (CSV, Windows-1250) | {elapsed:.1f} s |")
    print(f"| – reading and checking the rows | {elapsed - saving['s']:.1f} s |")
    print(f"| – writing reports, lists, index and audit entries | {saving['s']:.1f} s |")
    print(f"| ratio (goal ≤ {GOAL_RATIO:g}) | {ratio:.2f} |")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(2)
