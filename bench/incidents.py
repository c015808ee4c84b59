"""Incident reports at scale: list page, API list, map viewport, cross-match.

Goals, server time, median, with
1,000,000 incident reports and 10,000,000 cross-match keys (EntityRef) on
SQLite and on PostgreSQL:

  1. the incident list page GET /incidents/ (first page, default sort, and
     filtered by border section or by type) answers in under 150 ms,
  2. the API list GET /api/v1/incidents (a page) in under 150 ms,
  3. the map viewport GET /api/v1/incidents/map (the whole region, the whole
     Slovenia–Croatia border, a stretch of it, a zoomed-in view, street
     level; the page's 90 days, a year, every date) in under 200 ms,
  4. the cross-match sightings(user, keys) for a report's entities (five
     keys, three of them with hundreds or thousands of hits) in under 20 ms,
     through an index (the plans are printed).
The whole-region map (the map page's first view) and the home page are
measured for information.

    .venv/bin/python bench/incidents.py                  # SQLite, fresh file in a temp dir
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tromeja_bench_incidents \\
        .venv/bin/python bench/incidents.py              # PostgreSQL (drops and recreates the db)
    .venv/bin/python bench/incidents.py --quick          # 50,000 reports, 500,000 keys

The data is written with set-based SQL (INSERT ... SELECT over
generate_series on PostgreSQL, a recursive CTE on SQLite), not through the
ORM: reports along the real border sections, owned a third each by SI, IT and
HR, spread over three years, mostly validated, a good share shared with all
or named partners, recent drafts and submissions; cross-match keys normalised
as tromeja.incidents.normalize makes them, most unique, some recurring a few
times and the keys of smuggling rings hundreds of times. The secondary
indexes are dropped during the load and recreated from their own definitions
afterwards, so the schema is the one the migrations made; then ANALYZE.

Server time is the wall time around django.test.Client.get() signed in (full
middleware stack, view, template or JSON) in this process; queries are
counted on every measured request, without the once-a-minute session
renewal. sightings() is timed as a function call.

Map viewports are asked for as the map page asks for them (the last 90 days),
and also over every date (as an API client without dates asks), over a year
to date (partial months at both ends) and with a type filter: "any viewport
and period". Busy viewports are answered from the counted grids
(tromeja.incidents.mapcells), which the load fills by a recount, timed.

The script exits 1 when a goal is missed, 2 when the run itself went wrong.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from foundation import machine_facts, prepare_database, say  # noqa: E402

GOAL_LIST_MS = 150.0
GOAL_API_MS = 150.0
GOAL_MAP_MS = 200.0
GOAL_SIGHTINGS_MS = 20.0
YEARS = 3

# The measured URLs: (key, label, url, goal in ms or None for information only).
BORDER_SECTION = "si-hr-novo-mesto-karlovac"
URLS = [
    ("list", "list, first page", "/incidents/", GOAL_LIST_MS),
    (
        "list_section",
        "list, border section",
        f"/incidents/?border_section={BORDER_SECTION}",
        GOAL_LIST_MS,
    ),
    ("list_type", "list, type vehicle", "/incidents/?type=vehicle", GOAL_LIST_MS),
    ("api", "API list, a page", "/api/v1/incidents", GOAL_API_MS),
    (
        "api_section",
        "API list, border section",
        f"/api/v1/incidents?border_section={BORDER_SECTION}",
        GOAL_API_MS,
    ),
    (
        "map_si_hr",
        "map, SI-HR border",
        "/api/v1/incidents/map?bbox=13.50000,45.35000,16.65000,46.60000",
        GOAL_MAP_MS,
    ),
    (
        "map_zoom",
        "map, zoomed in (Obrezje)",
        "/api/v1/incidents/map?bbox=15.55000,45.78000,15.80000,45.92000",
        GOAL_MAP_MS,
    ),
    (
        "map_street",
        "map, street level",
        "/api/v1/incidents/map?bbox=15.66000,45.83000,15.69000,45.85000",
        GOAL_MAP_MS,
    ),
    ("map_region", "map, whole region (the page's first view)", "/api/v1/incidents/map", None),
    (
        "map_si_hr_all",
        "map, SI-HR border, every date",
        "/api/v1/incidents/map?bbox=13.50000,45.35000,16.65000,46.60000",
        GOAL_MAP_MS,
    ),
    (
        "map_region_all",
        "map, whole region, every date",
        "/api/v1/incidents/map?bbox=12.30000,42.30000,19.50000,47.00000",
        GOAL_MAP_MS,
    ),
    (
        "map_mid_all",
        "map, Novo mesto to Karlovac, every date",
        "/api/v1/incidents/map?bbox=15.00000,45.40000,16.00000,46.00000",
        GOAL_MAP_MS,
    ),
    (
        "map_zoom_all",
        "map, zoomed in (Obrezje), every date",
        "/api/v1/incidents/map?bbox=15.55000,45.78000,15.80000,45.92000",
        GOAL_MAP_MS,
    ),
    (
        "map_si_hr_year",
        "map, SI-HR border, a year to date (partial months at both ends)",
        "/api/v1/incidents/map?bbox=13.50000,45.35000,16.65000,46.60000&since=YEAR_AGO",
        GOAL_MAP_MS,
    ),
    (
        "map_si_hr_vehicle_all",
        "map, SI-HR border, every date, type vehicle",
        "/api/v1/incidents/map?bbox=13.50000,45.35000,16.65000,46.60000&type=vehicle",
        GOAL_MAP_MS,
    ),
    ("home", "home page", "/", None),
]


# --- Arguments and database ------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--incidents", type=int, help="incident reports (default 1,000,000)")
    p.add_argument(
        "--refs",
        type=int,
        help="cross-match keys, approximately (default ten per report: 10,000,000)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="50,000 reports (and 500,000 keys) unless given explicitly",
    )
    p.add_argument("--requests", type=int, default=100, help="measured requests per URL")
    p.add_argument("--warmup", type=int, default=10, help="warm-up requests per URL")
    p.add_argument(
        "--user",
        default="sl_border",
        choices=["sl_border", "sl_duty"],
        help="the measured user (a Slovenian border officer by default)",
    )
    p.add_argument("--only", metavar="KEYS", help="measure only these URLs (comma-separated keys)")
    p.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN (ANALYZE) the slowest statements of every measured URL",
    )
    p.add_argument("--profile", action="store_true", help="cProfile 20 requests per URL")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database that already holds the data (PostgreSQL, or SQLite named "
        "by DATABASE_URL) instead of recreating it; migrations still run",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        default=90.0,
        help="stop measuring a URL after this long (at least 10 requests; default 90 s)",
    )
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--keep", action="store_true", help="keep the SQLite temp directory")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    if args.incidents is None:
        args.incidents = 50_000 if args.quick else 1_000_000
    if args.incidents < 1000:
        p.error("need at least 1,000 reports")
    args.only = set(args.only.split(",")) if args.only else None
    if args.only and not args.only <= {key for key, *_ in URLS} | {"sightings"}:
        p.error(f"--only takes {', '.join(k for k, *_ in URLS)}, sightings")
    return args


# --- Users -------------------------------------------------------------------------

AUTHORS_PER_COUNTRY = 40
VALIDATORS_PER_COUNTRY = 6
# Personas that write reports, by country (the first is the measured user's
# colleague or the measured user himself).
PERSONA_AUTHORS = {
    "SI": ["sl_border", "sl_duty"],
    "IT": ["it_duty"],
    "HR": ["hr_border", "hr_duty"],
}
PERSONA_VALIDATORS = {"SI": ["sl_supervisor"], "IT": ["it_supervisor"], "HR": ["hr_supervisor"]}


def persona(name: str):
    """The persona as tromeja.testing makes it (or the one a kept database holds)."""
    from tromeja import testing
    from tromeja.accounts.models import User

    existing = User.objects.filter(username=name).first()
    return existing or testing.make_persona(name)


def bulk_officers(country: str, count: int, role: str, tag: str) -> list[int]:
    """`count` users of `country` at its stations and directorates with `role`."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tromeja.accounts.models import RoleGrant, User
    from tromeja.core.models import Unit

    units = list(
        Unit.objects.filter(
            agency__country_id=country, kind__in=["station", "regional", "border_directorate"]
        ).order_by("code")
    )
    prefix = f"bench-{tag}-{country.lower()}-"
    existing = list(
        User.objects.filter(username__startswith=prefix)
        .order_by("username")
        .values_list("pk", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    users = [
        User(
            username=f"{prefix}{i:03d}",
            # Unusable password: nobody signs in with these accounts.
            password=make_password(None),
            first_name=tag.title(),
            last_name=f"{country} {i}",
            email=f"{prefix}{i:03d}@example.invalid",
            unit=units[i % len(units)],
            language={"SI": "sl", "IT": "it", "HR": "hr"}[country],
        )
        for i in range(len(existing), count)
    ]
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=500)
        made = list(
            User.objects.filter(username__startswith=prefix)
            .order_by("username")
            .values_list("pk", flat=True)
        )
        RoleGrant.objects.bulk_create(
            [RoleGrant(user_id=pk, role=role) for pk in made if pk not in set(existing)]
        )
    return made


# --- Data: what it looks like --------------------------------------------------------

# Reports by section for each owner country: the demo's weights (where each
# country's reports come from), plus a little of every other section the
# country patrols, so every section has reports.
EXTRA_SECTIONS = {
    "SI": [
        ("si-it-udine-kranj", 1),
        ("si-it-udine-nova-gorica", 2),
        ("si-it-gorizia-nova-gorica", 2),
        ("si-it-trieste-koper-coast", 1),
        ("si-hr-koper-primorje-gorski-kotar", 2),
        ("si-hr-novo-mesto-krapina-zagorje", 2),
        ("si-hr-celje-krapina-zagorje", 3),
        ("si-hr-maribor-krapina-zagorje", 1),
        ("si-hr-maribor-medimurje", 1),
        ("si-hr-murska-sobota-medimurje", 1),
    ],
    "HR": [
        ("si-hr-novo-mesto-karlovac", 4),
        ("si-hr-novo-mesto-zagreb", 4),
        ("si-hr-koper-istria", 2),
        ("si-hr-celje-krapina-zagorje", 1),
        ("hr-ba-sibenik-knin", 2),
        ("hr-ba-dubrovnik-neretva", 2),
        ("hr-rs-osijek-baranja", 3),
        ("hr-me-dubrovnik-neretva", 1),
    ],
    "IT": [("si-it-udine-kranj", 2), ("si-it-trieste-koper-coast", 8)],
}
PARTNERS = {"SI": ("IT", "HR"), "IT": ("SI", "HR"), "HR": ("SI", "IT")}
# Relative number of cross-match keys per report, by type (a smuggler or an
# intercepted vehicle comes with persons, plates, phones and documents).
REFS_WEIGHT = {
    "irregular_crossing": 0.6,
    "group_inland": 0.8,
    "smuggler": 3.0,
    "vehicle": 3.0,
    "document_fraud": 2.0,
    "refusal": 0.5,
    "distress": 0.4,
    "death_injury": 0.4,
    "other_crime": 1.5,
}
PERSONS = {  # (minimum, spread) of persons_total by type
    "irregular_crossing": (2, 28),
    "group_inland": (3, 27),
    "smuggler": (4, 30),
    "vehicle": (3, 9),
    "document_fraud": (1, 2),
    "refusal": (1, 3),
    "distress": (2, 13),
    "death_injury": (1, 0),
    "other_crime": (0, 3),
}
NARRATIVES = [
    "Group observed by the thermal camera crossing the river at night; apprehended on the "
    "field path 400 m from the border line.",
    "Persons found walking along the regional road towards the motorway; they said they had "
    "crossed the green border two days earlier.",
    "Van stopped at a routine check; the driver fled on foot, the passengers were hidden in "
    "the cargo area behind boxes of tiles.",
    "Passenger presented a forged identity card at the checkpoint; the photograph had been "
    "replaced and the laminate was lifted at the corner.",
    "Tip-off by a local resident about a group resting in the forest near the village; "
    "patrol found fresh traces and abandoned clothing.",
    "Joint patrol with the neighbouring police; group of persons handed over at the crossing "
    "point under the readmission agreement after identification.",
]
# Cross-match keys: the kinds, their shares, and the tiers of recurrence.
KINDS = [("person", 0.40), ("phone", 0.25), ("vehicle", 0.20), ("document", 0.15)]
RING_SHARE = 0.015  # keys of smuggling rings, hundreds of hits each
RECURRING_SHARE = 0.085  # keys seen a few times
# Average hits of one ring key number over the four kinds (a plate of a ring
# then has about 400 hits, its busiest plate over a thousand), and of a
# recurring one (about three for a plate).
RING_HITS = 2000
RECURRING_HITS = 12
PLATE_COUNTRIES = ["UA", "CZ", "DE", "FR", "BG", "HR", "RO", "PL", "SI", "IT", "RS", "BA"]
PHONE_PREFIXES = ["380", "385", "386", "387", "381", "359", "40", "420", "49", "90"]
DOC_COUNTRIES = ["AF", "SY", "MA", "PK", "BD", "IN", "TR", "IQ", "EG", "UA", "RS"]
SYLLABLES = [
    "ko",
    "va",
    "len",
    "bon",
    "dar",
    "shev",
    "tka",
    "hor",
    "ba",
    "no",
    "vak",
    "kra",
    "po",
    "pes",
    "io",
    "nes",
    "be",
    "ri",
    "kap",
    "na",
    "yil",
    "ma",
    "de",
    "mir",
    "ho",
    "dzi",
    "jo",
    "van",
    "pet",
    "ro",
]
SUFFIXES = ["", "enko", "ic", "escu", "dze", "ov", "ovic", "oglu", "ski", "ak"]
GIVEN = [
    "oleh",
    "andrii",
    "ion",
    "mihai",
    "giorgi",
    "mehmet",
    "emir",
    "marko",
    "tomasz",
    "ivan",
    "ahmad",
    "omar",
    "ali",
    "hassan",
    "yusuf",
    "karim",
    "bilal",
    "tariq",
    "samir",
    "nabil",
    "fatima",
    "amina",
    "leila",
    "sara",
    "mariam",
    "zainab",
    "nadia",
    "hana",
    "dana",
    "elena",
    "dmytro",
    "serhii",
    "vasyl",
    "nikola",
    "stefan",
    "bogdan",
    "petar",
    "goran",
    "dario",
    "luka",
]


# --- Data: SQL for both databases ------------------------------------------------


class Dialect:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str, tz_offset_s: int):
        self.pg = vendor == "postgresql"
        self.tz_offset_s = tz_offset_s

    def rnd(self) -> str:
        # [0, 1); SQLite's random() is a 64-bit integer.
        if self.pg:
            return "random()"
        return "((random() & 9007199254740991) / 9007199254740992.0)"

    def int(self, x: str) -> str:
        # floor() of a non-negative number, as a 64-bit integer.
        return f"floor({x})::bigint" if self.pg else f"CAST({x} AS INTEGER)"

    def ts(self, epoch: str) -> str:
        # A timestamp from epoch seconds, to the second (Django's own formats).
        if self.pg:
            return f"to_timestamp(floor({epoch}))"
        return f"datetime(CAST({epoch} AS INTEGER), 'unixepoch')"

    def date(self, epoch: str) -> str:
        return f"to_timestamp({epoch})::date" if self.pg else f"date({epoch}, 'unixepoch')"

    def year(self, epoch: str) -> str:
        # The local year, as references are numbered (the zone's offset on 1 January).
        e = f"{epoch} + {self.tz_offset_s}"
        if self.pg:
            return f"extract(year FROM to_timestamp({e}) AT TIME ZONE 'UTC')::int"
        return f"CAST(strftime('%Y', {e}, 'unixepoch') AS INTEGER)"

    def pad(self, i: str, width: int) -> str:
        return f"lpad(({i})::text, {width}, '0')" if self.pg else f"printf('%0{width}d', {i})"

    def letter(self, i: str) -> str:
        return f"chr(65 + ({i})::int)" if self.pg else f"char(65 + ({i}))"

    def pick(self, values: list[str], i: str) -> str:
        """values[i] for an integer expression i: a slice of one padded literal."""
        width = max(len(v) for v in values) or 1
        packed = "".join(v.ljust(width) for v in values).replace("'", "''")
        start = f"(1 + {width} * ({i}))"
        if self.pg:
            start = f"{start}::int"
        return f"rtrim(substr('{packed}', {start}, {width}))"

    def power(self, x: str, y: float) -> str:
        return f"power({x}, {y})" if self.pg else f"pow({x}, {y})"

    def uuid7(self, epoch: str) -> str:
        """A version-7 UUID for a creation time: 48 bits of milliseconds, then random."""
        if self.pg:
            return (
                f"(lpad(to_hex(floor(({epoch}) * 1000)::bigint), 12, '0') || '7' || "
                f"overlay(substr(md5(random()::text), 1, 19) placing '8' from 4 for 1))::uuid"
            )
        # Django keeps UUIDs on SQLite as 32 hex digits.
        return (
            f"printf('%012x', CAST(({epoch}) * 1000 AS INTEGER)) || '7' || "
            f"substr(lower(hex(randomblob(2))), 1, 3) || '8' || "
            f"substr(lower(hex(randomblob(8))), 1, 15)"
        )

    def series(self, n: int) -> str:
        """A CTE body `s(n)` with 1..n."""
        if self.pg:
            return f"s(n) AS (SELECT g FROM generate_series(1, {n}) g)"
        return f"s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n})"

    def with_series(self) -> str:
        return "WITH" if self.pg else "WITH RECURSIVE"


def weighted(r: str, pairs) -> str:
    """CASE choosing a value by the uniform expression r and weights."""
    total = float(sum(w for _, w in pairs))
    acc, parts = 0.0, []
    for value, w in pairs[:-1]:
        acc += w / total
        parts.append(f"WHEN {r} < {acc:.6f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{pairs[-1][0]}' END"


def type_weights() -> dict[str, list]:
    from tromeja.demo.incidents import TYPES

    out = {}
    for cc, pairs in TYPES.items():
        pairs = list(pairs)
        have = {t for t, _ in pairs}
        # Every type occurs now and then in every country.
        for t in ("other_crime", "distress", "death_injury", "refusal", "document_fraud"):
            if t not in have:
                pairs.append((t, 1))
        out[cc] = pairs
    return out


def section_weights() -> dict[str, list]:
    from tromeja.demo.incidents import SECTIONS

    return {cc: list(SECTIONS[cc]) + EXTRA_SECTIONS[cc] for cc in ("SI", "IT", "HR")}


def make_points(rng: random.Random, per_country: int) -> list[tuple]:
    """Places of reports for each owner country: a point along a section
    (chosen by the country's weights), jittered by up to 3 km, then placed
    by the geography as the service places a new report."""
    from tromeja.core.models import Unit
    from tromeja.geography.locate import crossings, in_region, locate, sections

    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    secs = sections()
    cross = crossings()
    rows = []
    for cc, pairs in section_weights().items():
        codes, weights = zip(*pairs, strict=True)
        k = 0
        while k < per_country:
            line = secs[rng.choices(codes, weights)[0]].geometry
            p = line.interpolate(rng.random(), normalized=True)
            lat, lon = p.y + rng.uniform(-0.03, 0.03), p.x + rng.uniform(-0.03, 0.03)
            loc = locate(lat, lon) if in_region(lat, lon) else None
            if loc is None:
                continue
            section = secs[loc.section]
            unit = section.units_by_country.get(cc) or section.units[0]
            crossing = cross[loc.crossing]
            place = crossing.names.get(cc) or crossing.name
            rows.append(
                (
                    cc,
                    k,
                    round(lat, 5),
                    round(lon, 5),
                    loc.section,
                    loc.border,
                    unit_ids[unit],
                    round(loc.distance_km, 2),
                    loc.crossing,
                    round(loc.crossing_distance_km, 2),
                    f"near {place}"[:200],
                )
            )
            k += 1
    return rows


class Loader:
    """Writes the reports, their sharing and their cross-match keys."""

    def __init__(self, connection, n: int, refs: int, rng: random.Random, now: float):
        from django.utils import timezone

        self.connection = connection
        self.n = n
        self.refs = refs
        self.rng = rng
        self.now = now
        jan = timezone.datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())
        self.d = Dialect(connection.vendor, int(jan.utcoffset().total_seconds()))
        self.timings: dict[str, float] = {}

    def sql(self, label: str, statement: str, params=None):
        t0 = time.perf_counter()
        with self.connection.cursor() as c:
            c.execute(statement, params)
            rows = c.rowcount
        el = time.perf_counter() - t0
        self.timings[label] = self.timings.get(label, 0.0) + el
        say(f"  {label}: {el:.1f} s" + (f", {rows:,} rows" if rows and rows > 0 else ""))

    # -- staging tables

    def stage_small_tables(self, points, authors, validators):
        d = self.d
        with self.connection.cursor() as c:
            c.execute(
                "CREATE TEMP TABLE bench_point (cc text, k integer, lat double precision, "
                "lon double precision, section text, border text, unit_id bigint, "
                "sdist double precision, crossing text, cdist double precision, place text, "
                "PRIMARY KEY (cc, k))"
            )
            c.executemany(
                "INSERT INTO bench_point VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                points,
            )
            for table, users in (("bench_author", authors), ("bench_validator", validators)):
                c.execute(
                    f"CREATE TEMP TABLE {table} (cc text, k integer, user_id bigint, "
                    f"agency_id bigint, PRIMARY KEY (cc, k))"
                )
                c.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s)", users)
            c.execute("CREATE TEMP TABLE bench_num (j integer PRIMARY KEY)")
            c.execute(f"{d.with_series()} {d.series(400)} INSERT INTO bench_num SELECT n FROM s")
        self.points_per_country = max(k for _, k, *_ in points) + 1
        self.authors_per_country = {
            cc: sum(1 for a in authors if a[0] == cc) for cc in ("SI", "IT", "HR")
        }
        self.validators_per_country = min(
            sum(1 for v in validators if v[0] == cc) for cc in ("SI", "IT", "HR")
        )

    def stage_incidents(self, me):
        """bench_inc: one row per report with every choice made (types,
        status, times, place, author, number of keys); random numbers are
        drawn once, in a materialised CTE."""
        d, n = self.d, self.n
        span = YEARS * 365.25 * 86400
        t0 = self.now - span
        rnd = d.rnd()
        raw_cols = [
            "rt",
            "rp",
            "ra",
            "rv",
            "rs",
            "rd",
            "rx",
            "rty",
            "rn",
            "rf",
            "raw",
            "rsb",
            "rvl",
            "j1",
            "j2",
            "r1",
            "r2",
            "r3",
            "r4",
            "r5",
            "r6",
            "r7",
            "r8",
            "r9",
        ]
        types = type_weights()
        type_case = (
            "CASE cc "
            + " ".join(f"WHEN '{cc}' THEN {weighted('rty', types[cc])}" for cc in types)
            + " END"
        )
        # Mean keys per report of each type, scaled so that the total is about --refs.
        share = dict.fromkeys(REFS_WEIGHT, 0.0)
        for pairs in types.values():
            tot = sum(w for _, w in pairs)
            for t, w in pairs:
                share[t] += w / tot / 3
        mean_w = sum(share[t] * REFS_WEIGHT[t] for t in share)
        per_report = self.refs / n
        # floor() of an exponential with mean m + 0.5 has the mean m.
        mean_case = (
            "CASE type "
            + " ".join(
                f"WHEN '{t}' THEN {per_report * w / mean_w + 0.5:.4f}"
                for t, w in REFS_WEIGHT.items()
            )
            + " END"
        )
        persons_case = (
            "CASE type "
            + " ".join(
                f"WHEN '{t}' THEN {lo} + {d.int(f'rn * {spread + 1}')}"
                for t, (lo, spread) in PERSONS.items()
            )
            + " END"
        )
        authors = self.authors_per_country
        author_case = (
            "CASE cc "
            + " ".join(f"WHEN '{cc}' THEN {d.int(f'ra * {authors[cc]}')}" for cc in authors)
            + " END"
        )
        day = 86400
        # Recent reports are still drafts or submitted; older ones are
        # validated, a few returned or left as drafts.
        status_case = (
            f"CASE WHEN t_occ > {self.now - 3 * day} THEN "
            f"(CASE WHEN rs < 0.25 THEN 'draft' WHEN rs < 0.5 THEN 'submitted' "
            f"ELSE 'validated' END) "
            f"ELSE (CASE WHEN rs < 0.008 THEN 'draft' WHEN rs < 0.016 THEN 'submitted' "
            f"WHEN rs < 0.024 THEN 'returned' ELSE 'validated' END) END"
        )
        # Awareness 5 minutes to 2 hours after the event, now and then days later.
        aware = (
            "(CASE WHEN raw < 0.95 THEN 300 + raw * 7000 ELSE 7200 + (raw - 0.95) * 3456000 END)"
        )
        submit = weighted("rsb", [(h * 3600, 1) for h in (1, 2, 3, 5, 8, 12, 20, 30)]).replace(
            "'", ""
        )
        sql = f"""
        CREATE TEMP TABLE bench_inc AS
        {d.with_series()} {d.series(n)},
        raw AS MATERIALIZED (
            SELECT n, {", ".join(f"{rnd} AS {c}" for c in raw_cols)} FROM s
        ),
        a AS (
            SELECT raw.*,
                CASE n % 3 WHEN 0 THEN 'SI' WHEN 1 THEN 'IT' ELSE 'HR' END AS cc,
                {t0} + ((n - 1) + rt) * {span / n} AS t_occ
            FROM raw
        ),
        b AS (
            SELECT a.*, {type_case} AS type, {status_case} AS status,
                {aware} AS d_aware, {submit} AS d_submit, 3600 + rvl * 18000 AS d_valid
            FROM a
        )
        SELECT n, cc, t_occ, d_aware, d_submit, d_valid, type, status,
            {d.uuid7("t_occ + d_aware")} AS id,
            {d.year("t_occ")} AS yr,
            {d.int(f"rp * {self.points_per_country}")} AS pt,
            CASE WHEN cc = 'SI' AND status = 'draft' AND r9 < 0.05 THEN -1
                 ELSE {author_case} END AS au,
            {d.int(f"rv * {self.validators_per_country}")} AS va,
            CASE WHEN rd < 0.50 THEN 'partners' WHEN rd < 0.65 THEN 'named'
                 ELSE 'national' END AS dist,
            {d.int("rx * 3")} AS share,
            {persons_case} AS persons,
            CASE WHEN {d.int(f"-ln(1.0 - rf) * ({mean_case})")} > 400 THEN 400
                 ELSE {d.int(f"-ln(1.0 - rf) * ({mean_case})")} END AS nrefs,
            j1, j2, r1, r2, r3, r4, r5, r6, r7, r8
        FROM b
        """
        self.sql("stage reports (random draws)", sql)
        with self.connection.cursor() as c:
            # Drafts of the measured user: the few his colleagues' rows lent him above.
            c.execute(
                "INSERT INTO bench_author VALUES (%s, -1, %s, %s)",
                [me.country_code, me.pk, me.unit.agency_id],
            )
            if d.pg:
                c.execute("ANALYZE bench_inc")

    def allocate_references(self):
        """References as the service numbers them: per owner country and
        local year, from the node's sequences (block allocation)."""
        from tromeja.core.models import Sequence

        with self.connection.cursor() as c:
            c.execute("SELECT cc, yr, count(*) FROM bench_inc GROUP BY cc, yr")
            groups = c.fetchall()
            c.execute("CREATE TEMP TABLE bench_seq (cc text, yr integer, first bigint)")
            for cc, yr, count in groups:
                first = Sequence.allocate(f"incident:{cc}:{yr}", count)
                c.execute("INSERT INTO bench_seq VALUES (%s, %s, %s)", [cc, yr, first])

    def insert_incidents(self):
        d = self.d
        from tromeja.incidents.models import Incident

        narrative = d.pick(NARRATIVES, d.int(f"i.r8 * {len(NARRATIVES)}"))
        occ = "i.t_occ"
        exprs = {
            "id": "i.id",
            "owner_agency_id": "a.agency_id",
            "owner_country_id": "i.cc",
            "import_job_id": "NULL",
            "created_by_id": "a.user_id",
            "created_at": d.ts(f"{occ} + i.d_aware"),
            "updated_by_id": "a.user_id",
            "updated_at": d.ts(
                f"{occ} + i.d_aware + CASE i.status WHEN 'validated' THEN i.d_submit + i.d_valid "
                f"WHEN 'draft' THEN 0 ELSE i.d_submit END"
            ),
            "version": "1",
            "distribution": "i.dist",
            "handling_code": weighted("i.r1", [("H0", 90), ("H1", 5), ("H2", 4), ("H3", 1)]),
            "handling_note": "CASE WHEN i.r1 >= 0.99 THEN "
            "'Not to be used in court proceedings without written consent.' ELSE '' END",
            "source_reliability": weighted("i.r2", [("A", 70), ("B", 20), ("C", 7), ("X", 3)]),
            "information_accuracy": weighted("i.r3", [("1", 70), ("2", 20), ("3", 7), ("4", 3)]),
            "has_personal_data": "i.nrefs > 0",
            "data_subject_category": "CASE WHEN i.nrefs = 0 THEN '' "
            "WHEN i.type IN ('smuggler', 'vehicle', 'document_fraud', 'other_crime') "
            "THEN 'suspect' WHEN i.type IN ('distress', 'death_injury') THEN 'victim' "
            "ELSE 'other' END",
            "review_by": "CASE WHEN i.nrefs > 0 THEN "
            + d.date(f"{occ} + {YEARS * 366 * 86400}")
            + " END",
            "reference": f"i.cc || '-' || i.yr || '-' || {d.pad('s.first + i.rn - 1', 6)}",
            "type": "i.type",
            "status": "i.status",
            "occurred_at": d.ts(occ),
            "aware_at": d.ts(f"{occ} + i.d_aware"),
            "submitted_at": f"CASE WHEN i.status <> 'draft' THEN "
            f"{d.ts(f'{occ} + i.d_aware + i.d_submit')} END",
            "validated_at": f"CASE WHEN i.status = 'validated' THEN "
            f"{d.ts(f'{occ} + i.d_aware + i.d_submit + i.d_valid')} END",
            "validated_by_id": "CASE WHEN i.status = 'validated' THEN v.user_id END",
            "return_comment": "CASE WHEN i.status = 'returned' THEN "
            "'Give the breakdown by nationality and the exact place.' ELSE '' END",
            "late_report": "(i.status <> 'draft' AND i.d_submit > 86400)",
            "latitude": "p.lat + (i.j1 - 0.5) * 0.004",
            "longitude": "p.lon + (i.j2 - 0.5) * 0.004",
            "place_name": "p.place",
            "border_section": "p.section",
            "border": "p.border",
            "responsible_unit_id": "p.unit_id",
            "section_distance_km": "p.sdist",
            "nearest_crossing": "p.crossing",
            "crossing_distance_km": "p.cdist",
            "location_override_reason": "''",
            "detection_method": "CASE WHEN i.type = 'group_inland' THEN 'inland' ELSE "
            + weighted("i.r4", [("surveillance", 60), ("check", 25), ("tip_off", 15)])
            + " END",
            "transport": "CASE WHEN i.type IN ('smuggler', 'vehicle') THEN "
            + weighted("i.r5", [("van", 60), ("car", 25), ("truck", 15)])
            + " WHEN i.type = 'refusal' THEN "
            + weighted("i.r5", [("bus", 40), ("car", 40), ("train", 20)])
            + " ELSE "
            + weighted("i.r5", [("on_foot", 80), ("car", 8), ("train", 6), ("taxi", 6)])
            + " END",
            "stage": "CASE WHEN i.r6 < 0.85 THEN 'actual' ELSE 'attempted' END",
            "crossing_mode": "CASE WHEN i.type = 'refusal' THEN 'open' ELSE 'clandestine' END",
            "direction": "CASE WHEN i.r7 < 0.95 THEN 'entry' ELSE 'exit' END",
            "evasion": "(i.r7 > 0.97)",
            "embarkation_country": "''",
            "destination_country": d.pick(
                ["DE", "FR", "IT", "AT", "CH", "", ""], d.int("i.r6 * 7")
            ),
            "persons_total": "i.persons",
            "narrative": narrative,
            "impact_level": "CASE WHEN i.type = 'death_injury' THEN 'very_high' "
            "WHEN i.persons >= 25 THEN 'high' WHEN i.persons >= 10 THEN 'medium' ELSE 'low' END",
            "confidence": weighted("i.r8", [("confirmed", 85), ("probable", 10), ("possible", 5)]),
            "follows_id": "NULL",
        }
        columns = [f.column for f in Incident._meta.concrete_fields]
        missing = set(columns) ^ set(exprs)
        if missing:
            raise RuntimeError(f"incident columns not covered: {sorted(missing)}")
        table = Incident._meta.db_table
        sql = f"""
        INSERT INTO {table} ({", ".join(columns)})
        SELECT {", ".join(exprs[c] for c in columns)}
        FROM (SELECT b.*, row_number() OVER (PARTITION BY cc, yr ORDER BY n) AS rn
              FROM bench_inc b) i
        JOIN bench_point p ON p.cc = i.cc AND p.k = i.pt
        JOIN bench_author a ON a.cc = i.cc AND a.k = i.au
        JOIN bench_validator v ON v.cc = i.cc AND v.k = i.va
        JOIN bench_seq s ON s.cc = i.cc AND s.yr = i.yr
        ORDER BY i.n
        """
        self.sql("insert reports", sql)

    def insert_sharing(self):
        from tromeja.incidents.models import Incident

        through = Incident.shared_with.through._meta.db_table
        first = (
            "CASE cc "
            + " ".join(
                f"WHEN '{cc}' THEN (CASE WHEN share = 1 THEN '{b}' ELSE '{a}' END)"
                for cc, (a, b) in PARTNERS.items()
            )
            + " END"
        )
        second = (
            "CASE cc "
            + " ".join(f"WHEN '{cc}' THEN '{b}'" for cc, (a, b) in PARTNERS.items())
            + " END"
        )
        self.sql(
            "insert named sharing",
            f"INSERT INTO {through} (incident_id, country_id) "
            f"SELECT id, {first} FROM bench_inc WHERE dist = 'named' "
            f"UNION ALL SELECT id, {second} FROM bench_inc WHERE dist = 'named' AND share = 2",
        )

    def key_sql(self, kind: str, kid: str) -> tuple[str, str]:
        """(key, label) SQL for an integer key id, normalised as
        tromeja.incidents.normalize does it."""
        d = self.d
        v = f"(({kid}) * 7919 % 100000000)"  # a permutation of 0..10^8-1
        if kind == "vehicle":
            country = d.pick(PLATE_COUNTRIES, f"({kid}) % {len(PLATE_COUNTRIES)}")
            a, b = d.letter(f"{v} % 26"), d.letter(f"{v} / 26 % 26")
            digits = d.pad(f"{v} / 676 % 10000", 4)
            c = d.letter(f"{v} / 6760000 % 26")
            return (
                f"{country} || ':' || {a} || {b} || {digits} || {c}",
                f"{a} || {b} || ' ' || {digits} || ' ' || {c} || ' (' || {country} || ')'",
            )
        if kind == "phone":
            prefix = d.pick(PHONE_PREFIXES, f"({kid}) % {len(PHONE_PREFIXES)}")
            number = f"'+' || {prefix} || '9' || {d.pad(v, 8)}"
            return number, number
        if kind == "document":
            country = d.pick(DOC_COUNTRIES, f"({kid}) % {len(DOC_COUNTRIES)}")
            number = f"{d.letter(f'{v} % 26')} || {d.letter(f'{v} / 26 % 26')} || " + d.pad(
                f"{v} / 676", 6
            )
            return f"{country} || ':' || {number}", f"{number} || ' (' || {country} || ')'"
        # person: surname|given names, folded to lower case as person_key() does
        s1 = d.pick(SYLLABLES, f"{v} % 30")
        s1_cap = d.pick([s.title() for s in SYLLABLES], f"{v} % 30")
        rest = (
            f"{d.pick(SYLLABLES, f'{v} / 30 % 30')} || {d.pick(SYLLABLES, f'{v} / 900 % 30')} || "
            f"{d.pick(SUFFIXES, f'{v} / 27000 % {len(SUFFIXES)}')}"
        )
        given = d.pick(GIVEN, f"{v} / 270000 % {len(GIVEN)}")
        given_cap = d.pick([g.title() for g in GIVEN], f"{v} / 270000 % {len(GIVEN)}")
        return f"{s1} || {rest} || '|' || {given}", f"{s1_cap} || {rest} || ', ' || {given_cap}"

    def ring_pool(self) -> int:
        return max(20, round(self.refs * RING_SHARE / RING_HITS))

    def recurring_pool(self) -> int:
        return max(100, round(self.refs * RECURRING_SHARE / RECURRING_HITS))

    def kid_sql(self) -> str:
        d = self.d
        ring, rec = self.ring_pool(), self.recurring_pool()
        skewed = d.int(f"{ring} * " + d.power("rp", 1.5))
        # Ring keys: a few very busy ones, most with a couple of hundred hits.
        return (
            f"CASE WHEN rt < {RING_SHARE} THEN {skewed} "
            f"WHEN rt < {RING_SHARE + RECURRING_SHARE} THEN 1000000 + {d.int(f'rp * {rec}')} "
            f"ELSE 50000000 + g END"
        )

    def insert_refs(self):
        from tromeja.incidents.models import EntityRef

        d = self.d
        rnd = d.rnd()
        kind_case = weighted("rk", KINDS)
        key_case = (
            "CASE kind "
            + " ".join(f"WHEN '{k}' THEN {self.key_sql(k, 'kid')[0]}" for k, _ in KINDS)
            + " END"
        )
        label_case = (
            "CASE kind "
            + " ".join(f"WHEN '{k}' THEN {self.key_sql(k, 'kid')[1]}" for k, _ in KINDS)
            + " END"
        )
        expand = (
            "CROSS JOIN LATERAL generate_series(1, i.nrefs) AS e(j)"
            if d.pg
            else "JOIN bench_num e ON e.j <= i.nrefs"
        )
        table = EntityRef._meta.db_table
        sql = f"""
        WITH i AS MATERIALIZED (
            SELECT id, t_occ, nrefs, CAST(sum(nrefs) OVER (ORDER BY n) - nrefs AS bigint) AS start
            FROM bench_inc WHERE nrefs > 0
        ),
        r AS MATERIALIZED (
            SELECT i.id AS incident_id, i.t_occ, i.start + e.j AS g,
                {rnd} AS rk, {rnd} AS rt, {rnd} AS rp
            FROM i {expand}
        )
        INSERT INTO {table} (kind, key, incident_id, occurred_at, label)
        SELECT kind, {key_case}, incident_id, {d.ts("t_occ")}, substr({label_case}, 1, 150)
        FROM (SELECT incident_id, t_occ, {kind_case} AS kind, {self.kid_sql()} AS kid FROM r) x
        """
        self.sql("insert cross-match keys", sql)

    def sample_keys(self) -> list[tuple[str, str, str]]:
        """Keys to look up, as a report's entities: the busiest ring plate and
        phone, a middling ring member, a recurring document and a plate most
        likely seen once."""
        from tromeja.incidents.models import EntityRef

        ring, rec = self.ring_pool(), self.recurring_pool()
        picks = [
            ("vehicle", [0], "busiest ring plate"),
            ("phone", [0], "busiest ring phone"),
            ("person", range(ring // 3, ring), "a ring member"),
            ("document", range(1000000 + rec // 2, 1000000 + rec), "a recurring document"),
        ]
        out = []
        t = EntityRef._meta.db_table
        with self.connection.cursor() as c:
            for kind, kids, what in picks:
                # The first of these key numbers that was drawn more than once.
                for kid in kids[:50]:
                    c.execute(f"SELECT {self.key_sql(kind, f'CAST({kid} AS bigint)')[0]}")
                    key = c.fetchone()[0]
                    c.execute(f"SELECT count(*) FROM {t} WHERE kind = %s AND key = %s", [kind, key])
                    if c.fetchone()[0] > 1 or len(kids) == 1:
                        break
                out.append((kind, key, what))
            c.execute(f"SELECT max(id) FROM {t}")
            middle = (c.fetchone()[0] or 0) // 2
            c.execute(
                f"SELECT key FROM {t} WHERE id > %s AND kind = 'vehicle' ORDER BY id LIMIT 1",
                [middle],
            )
            row = c.fetchone()
            if row:
                out.append(("vehicle", row[0], "a plate"))
        return out


# --- Data: loading ---------------------------------------------------------------


def secondary_indexes(connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes that no constraint needs."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)
                ORDER BY i.relname
                """,
                [tables],
            )
        else:
            c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('%s' for _ in tables)}) ORDER BY name",
                tables,
            )
        return [tuple(r) for r in c.fetchall()]


def load_data(args, rng, me, authors, validators) -> dict:
    """The reports and keys, written set-based; returns facts for the report."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tromeja.incidents.models import EntityRef, Incident

    pg = connection.vendor == "postgresql"
    tables = [
        Incident._meta.db_table,
        EntityRef._meta.db_table,
        Incident.shared_with.through._meta.db_table,
    ]
    t_start = time.perf_counter()
    points = make_points(rng, min(5000, max(500, args.incidents // 60)))
    say(f"  {len(points):,} places located along the sections")
    loader = Loader(connection, args.incidents, args.refs, rng, timezone.now().timestamp())
    indexes = secondary_indexes(connection, tables)
    with connection.cursor() as c:
        if pg:
            # Session settings for the bulk load only.
            c.execute("SET temp_buffers = '256MB'")
            c.execute("SET work_mem = '256MB'")
            c.execute("SET maintenance_work_mem = '1GB'")
            c.execute("SET synchronous_commit = off")
            # Foreign keys are checked once after the load instead of per row.
            c.execute("SET session_replication_role = replica")
            c.execute("SELECT setseed(%s)", [(args.seed % 1000) / 1000])
        else:
            c.execute("PRAGMA cache_size = -1000000")
            c.execute("PRAGMA synchronous = OFF")
    if not pg:
        connection.disable_constraint_checking()
    try:
        with transaction.atomic():
            for name, _ in indexes:
                with connection.cursor() as c:
                    c.execute(f'DROP INDEX "{name}"')
            say(f"  dropped {len(indexes)} secondary indexes for the load")
            loader.stage_small_tables(points, authors, validators)
            loader.stage_incidents(me)
            loader.allocate_references()
            loader.insert_incidents()
            loader.insert_sharing()
            loader.insert_refs()
        with transaction.atomic():
            for name, ddl in indexes:
                t0 = time.perf_counter()
                with connection.cursor() as c:
                    c.execute(ddl)
                loader.timings["indexes"] = loader.timings.get("indexes", 0) + (
                    time.perf_counter() - t0
                )
                say(f"  index {name}: {time.perf_counter() - t0:.1f} s")
    finally:
        with connection.cursor() as c:
            if pg:
                c.execute("RESET session_replication_role")
                for name in ("temp_buffers", "work_mem", "maintenance_work_mem"):
                    c.execute(f"RESET {name}")
                c.execute("RESET synchronous_commit")
            else:
                c.execute("PRAGMA synchronous = NORMAL")
        if not pg:
            connection.enable_constraint_checking()
    if secondary_indexes(connection, tables) != indexes:
        raise RuntimeError("the indexes after the load differ from those the migrations made")
    keys = loader.sample_keys()
    with connection.cursor() as c:
        for table in (
            "bench_inc",
            "bench_point",
            "bench_author",
            "bench_validator",
            "bench_seq",
            "bench_num",
        ):
            c.execute(f"DROP TABLE {table}")
    # Every key points at a report (the foreign keys were not checked row by row).
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            f"SELECT count(*) FROM {tables[1]} r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {tables[0]} i WHERE i.id = r.incident_id)"
        )
        orphans = c.fetchone()[0]
        c.execute(
            f"SELECT count(*) FROM {tables[2]} r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {tables[0]} i WHERE i.id = r.incident_id)"
        )
        orphans += c.fetchone()[0]
    if orphans:
        raise RuntimeError(f"{orphans} rows point at no report")
    say(f"  foreign keys checked: {time.perf_counter() - t0:.1f} s")
    # The reports were written around the services: count them for the map
    # as the services would have.
    from tromeja.incidents import mapcells

    t0 = time.perf_counter()
    rows = mapcells.rebuild()
    loader.timings["map counts"] = time.perf_counter() - t0
    say(f"  map counts: {rows:,} rows, {loader.timings['map counts']:.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as c:
        if pg:
            # What autovacuum does on a live node: statistics and the visibility map.
            for table in tables:
                c.execute(f"VACUUM ANALYZE {table}")
        else:
            c.execute("ANALYZE")
    loader.timings["analyze"] = time.perf_counter() - t0
    say(f"  {'VACUUM ANALYZE' if pg else 'ANALYZE'}: {loader.timings['analyze']:.1f} s")
    return {
        "seconds": time.perf_counter() - t_start,
        "timings": loader.timings,
        "keys": keys,
        "ring_pool": loader.ring_pool(),
        "recurring_pool": loader.recurring_pool(),
    }


def make_small(me, rng) -> None:
    """A few reports through the service, as officers make them: the query
    counts on this small set are compared with the full one."""
    from tromeja import testing
    from tromeja.core import context
    from tromeja.incidents import services

    by_country = {
        "SI": (persona("sl_border"), persona("sl_supervisor")),
        "IT": (persona("it_duty"), persona("it_supervisor")),
        "HR": (persona("hr_border"), persona("hr_supervisor")),
    }
    # SI reports near Obrežje and Metlika (the list's border-section filter has hits).
    coords = {"SI": (45.852, 15.690), "IT": (45.70, 13.80), "HR": (45.155, 15.735)}
    vehicles = [{"plate": "KA 555 XX", "registration_country": "UA"}]
    for i in range(30):
        cc = ("SI", "IT", "HR")[i % 3]
        author, supervisor = by_country[cc]
        lat, lon = (45.55, 15.28) if cc == "SI" and i % 2 else coords[cc]
        report = testing.incident(
            author,
            latitude=lat + rng.uniform(-0.01, 0.01),
            longitude=lon + rng.uniform(-0.01, 0.01),
            type="vehicle" if i % 2 else "irregular_crossing",
            transport="van",
            persons_total=2,
            entities=services.Entities(
                counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 2}],
                vehicles=vehicles,
                phones=[{"number": f"+385 91 555 {i:04d}"}],
            ),
        )
        if i % 5 == 4:
            continue  # left as a draft
        with context.acting(context.ActionContext(purpose="bench fixture")):
            services.submit_incident(user=author, incident=report)
            services.validate_incident(
                user=supervisor,
                incident=report,
                distribution=["partners", "named", "national"][i % 3],
                shared_with=[PARTNERS[cc][0]] if i % 3 == 1 else [],
            )


# --- Measuring ---------------------------------------------------------------------


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


_TX = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def split_session_refresh(sqls: list[str]) -> tuple[int, int]:
    """(queries without the session refresh, statements of the refresh); the
    session is written at most once a minute, which depends on the clock."""
    if not any(
        q.startswith(('UPDATE "django_session"', 'INSERT INTO "django_session"')) for q in sqls
    ):
        return len(sqls), 0
    refresh = [
        q
        for q in sqls
        if q.startswith(('UPDATE "django_session"', 'INSERT INTO "django_session"', *_TX))
    ]
    return len(sqls) - len(refresh), len(refresh)


def check_response(key, url, response, strict=True) -> dict:
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    if not strict:
        return {}
    if key.startswith("list"):
        text = response.content.decode()
        if "<tbody>" not in text or "No reports match" in text:
            raise RuntimeError(f"GET {url} shows no reports; the data set is wrong")
        return {"bytes": len(response.content)}
    if key == "home":
        return {"bytes": len(response.content)}
    body = response.json()
    if key.startswith("api"):
        if not body.get("items"):
            raise RuntimeError(f"GET {url} returned no items")
        return {"items": len(body["items"]), "count": body["count"]}
    if not body.get("features"):
        raise RuntimeError(f"GET {url} returned no features")
    return {
        "features": len(body["features"]),
        "total": body["total"],
        "aggregated": body["aggregated"],
    }


def measure(client, key: str, url: str, n: int, warmup: int, budget_s: float = 1e9) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        check_response(key, url, client.get(url))
    load = os.getloadavg()[0]
    times, queries, db_ms, refreshed = [], [], [], 0
    calls = []  # (sql, params, seconds) of each execute() in the current request
    per_query = []

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            calls.append((sql, params, time.perf_counter() - t))

    started = time.perf_counter()
    for i in range(n):
        if i >= 10 and time.perf_counter() - started > budget_s:
            break
        calls.clear()
        # The log keeps at most 9,000 queries; a full log would count none.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as cq, connection.execute_wrapper(timed):
            t0 = time.perf_counter()
            response = client.get(url)
            t1 = time.perf_counter()
        extra = check_response(key, url, response)
        times.append((t1 - t0) * 1000)
        steady, extra_q = split_session_refresh([q["sql"] for q in cq.captured_queries])
        queries.append(steady)
        refreshed += bool(extra_q)
        db_ms.append(sum(d for *_, d in calls) * 1000)
        if not extra_q:
            per_query.append(list(calls))
    statements = []
    if per_query:
        width = min(len(q) for q in per_query)
        last = per_query[-1]
        statements = [
            (last[i][0], last[i][1], statistics.median(q[i][2] for q in per_query) * 1000)
            for i in range(width)
        ]
    return {
        "url": url,
        "n": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": pct(times, 95),
        "max_ms": max(times),
        "min_ms": min(times),
        "db_median_ms": statistics.median(db_ms),
        "queries_first": queries[0],
        "queries_last": queries[-1],
        "queries_min": min(queries),
        "queries_max": max(queries),
        "session_refreshes": refreshed,
        "load_1min": load,
        "statements": statements,
        **extra,
    }


def query_count(client, key, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    check_response(key, url, client.get(url), strict=False)  # takes a pending session refresh
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as cq:
        check_response(key, url, client.get(url), strict=False)
    return split_session_refresh([q["sql"] for q in cq.captured_queries])[0]


def measure_sightings(user, keys, n: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tromeja.incidents.queries import sightings

    pairs = [(k, key) for k, key, _ in keys]
    for _ in range(warmup):
        sightings(user, pairs)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        hits = sightings(user, pairs)
        times.append((time.perf_counter() - t0) * 1000)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as cq:
        sightings(user, pairs)
    return {
        "n": n,
        "median_ms": statistics.median(times),
        "p95_ms": pct(times, 95),
        "max_ms": max(times),
        "min_ms": min(times),
        "queries": len(cq.captured_queries),
        "hits": len(hits),
        "sql": [(q["sql"]) for q in cq.captured_queries],
    }


def explain(sql: str, params, analyze: bool = True) -> str:
    from django.db import connection

    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            opts = "ANALYZE, BUFFERS" if analyze else "COSTS"
            c.execute(f"EXPLAIN ({opts}) {sql}", params)
            return "\n".join(r[0] for r in c.fetchall())
        c.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(f"{r[1]:>3} {r[3]}" for r in c.fetchall())


def explain_sightings(user, keys) -> tuple[str, bool]:
    """The plan of every statement sightings() runs; True when the keys are
    found through an index on (kind, key), not by scanning the table."""
    from django.db import connection

    from tromeja.incidents.models import EntityRef
    from tromeja.incidents.queries import sightings

    run = []

    def grab(execute, sql, params, many, context):
        run.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(grab):
        sightings(user, [(k, key) for k, key, _ in keys])
    table = EntityRef._meta.db_table
    texts, indexed = [], True
    for sql, params in run:
        plan = explain(sql, params)
        texts.append(plan)
        if connection.vendor == "postgresql":
            scanned = f"Seq Scan on {table}" in plan
            uses_index = "incidents_e_kind_" in plan or "Index" in plan
        else:
            scanned = any(
                line.strip().endswith(f"SCAN {table}") or f"SCAN {table} " in line
                for line in plan.splitlines()
            )
            uses_index = f"SEARCH {table} USING" in plan
        indexed = indexed and uses_index and not scanned
    return "\n\n".join(texts), indexed


def profile(fn, top=25) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    s = io.StringIO()
    stats = pstats.Stats(prof, stream=s)
    stats.sort_stats("cumulative").print_stats(top)
    return s.getvalue()


# --- The map page's window -----------------------------------------------------------

# The map page asks for the last 90 days unless the user chose dates
# (tromeja/incidents/views.py, MAP_DEFAULT_DAYS).
MAP_WINDOW_DAYS = 90


def page_url(key: str, url: str) -> str:
    """The URL as the page asks for it: map viewports with the page's window."""
    if "YEAR_AGO" in url:
        from django.utils import timezone

        return url.replace("YEAR_AGO", (timezone.localdate() - timedelta(days=365)).isoformat())
    if key.startswith("map") and not key.endswith("_all"):
        from django.utils import timezone

        today = timezone.localdate()
        since = today - timedelta(days=MAP_WINDOW_DAYS)
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}since={since.isoformat()}&until={today.isoformat()}"
    return url


# --- Main -------------------------------------------------------------------------


def data_facts(me) -> dict:
    from django.db import connection
    from django.db.models import Count

    from tromeja.incidents.models import EntityRef, Incident

    t = Incident._meta.db_table
    facts = {
        "incidents": Incident.objects.count(),
        "refs": EntityRef.objects.count(),
        "visible": Incident.objects.restrict(me).count(),
        "shared_named": Incident.shared_with.through.objects.count(),
        "by_country": dict(
            Incident.objects.values_list("owner_country_id").annotate(n=Count("id")).order_by()
        ),
        "by_status": dict(
            Incident.objects.values_list("status").annotate(n=Count("id")).order_by()
        ),
        "by_distribution": dict(
            Incident.objects.values_list("distribution").annotate(n=Count("id")).order_by()
        ),
        "my_drafts": Incident.objects.filter(created_by=me, status="draft").count(),
    }
    with connection.cursor() as c:
        c.execute(f"SELECT min(occurred_at), max(occurred_at) FROM {t}")
        lo, hi = c.fetchone()
        facts["occurred"] = (str(lo)[:10], str(hi)[:10])
        if connection.vendor == "postgresql":
            c.execute("SELECT pg_database_size(current_database())")
            facts["db_bytes"] = c.fetchone()[0]
        else:
            c.execute("PRAGMA page_count")
            pages = c.fetchone()[0]
            c.execute("PRAGMA page_size")
            facts["db_bytes"] = pages * c.fetchone()[0]
    return facts


def run(args) -> int:
    rng = random.Random(args.seed)
    dbinfo = prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tromeja import testing
    from tromeja.accounts.models import User
    from tromeja.incidents.models import EntityRef, Incident

    pg = dbinfo["engine"] == "postgresql"
    if args.refs is None:
        args.refs = args.incidents * 10
    facts = machine_facts(dbinfo["engine"])
    say(f"database: {facts['database']} at {dbinfo['where']}")
    t_setup = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say("migrated")

    me = persona(args.user)
    client = testing.sign_in(Client(), me)
    urls = [u for u in URLS if not args.only or u[0] in args.only]
    load = None
    small = {}
    if args.reuse and Incident.objects.count() > 1000:
        say(f"reusing {Incident.objects.count():,} reports and {EntityRef.objects.count():,} keys")
    else:
        make_small(me, rng)
        client.get("/")  # renews the fresh session once
        # Lists and API pages: the same queries for 30 reports as for a million.
        small = {
            key: query_count(client, key, url)
            for key, _, url, _ in urls
            if key.startswith(("list", "api"))
        }
        say("small data set (30 reports): " + ", ".join(f"{k} {q}" for k, q in small.items()))
        authors, validators = [], []
        for cc in ("SI", "IT", "HR"):
            ids = [persona(name).pk for name in PERSONA_AUTHORS[cc]]
            ids += bulk_officers(cc, AUTHORS_PER_COUNTRY - len(ids), "border_officer", "author")
            sups = [persona(name).pk for name in PERSONA_VALIDATORS[cc]]
            sups += bulk_officers(cc, VALIDATORS_PER_COUNTRY, "supervisor", "supervisor")
            # A report is owned by its author's agency.
            agency = dict(
                User.objects.filter(pk__in=ids + sups).values_list("pk", "unit__agency_id")
            )
            authors += [(cc, k, pk, agency[pk]) for k, pk in enumerate(ids)]
            validators += [(cc, k, pk, agency[pk]) for k, pk in enumerate(sups)]
        say(
            f"generating {args.incidents:,} reports and about {args.refs:,} cross-match keys "
            f"({'INSERT ... SELECT from generate_series' if pg else 'recursive CTE'})"
        )
        load = load_data(args, rng, me, authors, validators)
        say(f"data written in {load['seconds']:.0f} s")
    if load is None:
        loader = Loader(connection, args.incidents, EntityRef.objects.count(), rng, 0.0)
        load = {"keys": loader.sample_keys(), "seconds": None, "timings": {}}
    data = data_facts(me)
    say(
        f"{data['incidents']:,} reports ({data['visible']:,} visible to {me.username}), "
        f"{data['refs']:,} keys, {data['db_bytes'] / 2**30:.2f} GiB; "
        f"set-up took {time.perf_counter() - t_setup:.0f} s"
    )
    keys = load["keys"]
    with connection.cursor() as c:
        t = EntityRef._meta.db_table
        for i, (kind, key, what) in enumerate(keys):
            c.execute(f"SELECT count(*) FROM {t} WHERE kind = %s AND key = %s", [kind, key])
            keys[i] = (kind, key, f"{what}, {c.fetchone()[0]:,} hits")

    variants = [("as is", [])]
    measured = {}
    for vname, names in variants:
        # Sign in afresh: the session is the one a real sign-in leaves.
        client = testing.sign_in(Client(), me)
        results = {}
        for key, _label, url, _goal in urls:
            url = page_url(key, url)
            say(f"{vname}: GET {url}: {args.warmup} warm-up + up to {args.requests}")
            r = measure(client, key, url, args.requests, args.warmup, args.max_seconds)
            r["queries_small"] = small.get(key) if not names else None
            results[key] = r
            say(
                f"  median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
                f"SQL {r['db_median_ms']:.1f} ms, {r['queries_first']} queries, n={r['n']}"
            )
        sight = None
        if not args.only or "sightings" in args.only:
            say(f"{vname}: sightings() for {len(keys)} keys")
            sight = measure_sightings(me, keys, args.requests, args.warmup)
            sight["plan"], sight["indexed"] = explain_sightings(me, keys)
            say(
                f"  median {sight['median_ms']:.2f} ms, {sight['hits']} hits, "
                f"{sight['queries']} queries"
            )
        plans = {}
        if args.explain:
            for key, r in results.items():
                slow = sorted(r["statements"], key=lambda s: -s[2])[:2]
                plans[key] = [(sql, ms, explain(sql, params)) for sql, params, ms in slow if ms > 2]
        prof_text = {}
        if args.profile:
            for key, _label, url, _goal in urls:
                url = page_url(key, url)
                prof_text[key] = profile(
                    lambda url=url, client=client: [client.get(url) for _ in range(20)]
                )
        measured[vname] = {
            "names": names,
            "results": results,
            "sight": sight,
            "plans": plans,
            "profiles": prof_text,
            "goals": judge(urls, results, sight, keys),
        }

    report(args, facts, data, load, me, urls, keys, measured)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "facts": facts,
                    "database": dbinfo,
                    "data": data,
                    "load": load,
                    "variants": {
                        vname: {
                            "pages": {
                                k: {kk: vv for kk, vv in r.items() if kk != "statements"}
                                for k, r in v["results"].items()
                            },
                            "sightings": v["sight"],
                            "goals": [
                                {"goal": n, "ok": ok, "measured": m} for n, ok, m in v["goals"]
                            ],
                        }
                        for vname, v in measured.items()
                    },
                },
                indent=2,
                default=str,
            )
        )

    connection.close()
    if args.keep and dbinfo["engine"] == "sqlite":
        print(f"\nkept {dbinfo['where']}")
    else:
        shutil.rmtree(dbinfo["tmp_dir"], ignore_errors=True)
    goals = measured["as is"]["goals"]
    return 0 if all(ok for _, ok, _ in goals) else 1


def judge(urls, results, sight, keys) -> list[tuple[str, bool, str]]:
    goals = []
    for key, label, _url, goal_ms in urls:
        r = results[key]
        if goal_ms is not None:
            goals.append(
                (
                    f"{label} median < {goal_ms:.0f} ms",
                    r["median_ms"] < goal_ms,
                    f"{r['median_ms']:.1f} ms",
                )
            )
        goals.append(
            (
                f"{label}: queries constant",
                r["queries_min"] == r["queries_max"]
                and (r["queries_small"] is None or r["queries_small"] == r["queries_first"]),
                f"{r['queries_first']}"
                + (f" (30 reports: {r['queries_small']})" if r["queries_small"] else ""),
            )
        )
    if sight:
        goals.append(
            (
                f"sightings() {len(keys)} keys median < {GOAL_SIGHTINGS_MS:.0f} ms",
                sight["median_ms"] < GOAL_SIGHTINGS_MS,
                f"{sight['median_ms']:.2f} ms",
            )
        )
        goals.append(("sightings() finds the keys through an index", sight["indexed"], ""))
    return goals


def report(args, facts, data, load, me, urls, keys, measured) -> None:
    w = 100
    print()
    print("=" * w)
    print(f"Tromeja incident benchmark — {facts['database']}")
    print(
        f"{facts['nproc']} CPU ({facts['cpu']}), Python {facts['python']}, Django {facts['django']}"
    )
    print(
        f"data: {data['incidents']:,} reports from {data['occurred'][0]} to {data['occurred'][1]}, "
        f"{data['refs']:,} cross-match keys, {data['db_bytes'] / 2**30:.2f} GiB"
    )
    print(
        "  owners "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(data["by_country"].items()))
        + "; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(data["by_status"].items()))
    )
    print(
        "  distribution "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(data["by_distribution"].items()))
        + f" ({data['shared_named']:,} named-country rows)"
    )
    print(
        f"  measured user {me.username} ({me.country_code}) sees {data['visible']:,} reports "
        f"({data['visible'] / data['incidents']:.0%}), {data['my_drafts']:,} of them his drafts"
    )
    if load and load.get("seconds"):
        t = load["timings"]
        print(
            f"  generated in {load['seconds']:.0f} s: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in t.items())
        )
    for vname, v in measured.items():
        results, sight = v["results"], v["sight"]
        print("-" * w)
        title = vname if not v["names"] else f"{vname}: {', '.join(v['names'])}"
        print(
            f"{'server time (ms), ' + title:<44}{'median':>8}{'p95':>8}{'max':>8}{'SQL':>8}"
            f"{'queries':>8}{'n':>5}  answer"
        )
        for key, label, _url, _goal in urls:
            r = results[key]
            q = (
                str(r["queries_first"])
                if r["queries_min"] == r["queries_max"]
                else f"{r['queries_min']}-{r['queries_max']}"
            )
            if "count" in r:
                answer = f"{r['count']:,} counted"
            elif "total" in r:
                kind = "cells" if r["aggregated"] else "points"
                answer = f"{r['total']:,} in view, {r['features']} {kind}"
            else:
                answer = f"{r['bytes'] / 1024:.0f} KiB"
            print(
                f"{label:<44}{r['median_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['max_ms']:>8.1f}"
                f"{r['db_median_ms']:>8.1f}{q:>8}{r['n']:>5}  {answer}"
            )
        if sight:
            print(
                f"{'sightings(), ' + str(len(keys)) + ' keys (a call)':<44}"
                f"{sight['median_ms']:>8.2f}{sight['p95_ms']:>8.2f}{sight['max_ms']:>8.2f}"
                f"{'':>8}{sight['queries']:>8}{sight['n']:>5}  {sight['hits']} hits"
            )
        any_r = next(iter(results.values()), None)
        if any_r:
            print(
                f"(after {args.warmup} warm-up requests per URL; SQL = median time in queries; "
                f"queries without the once-a-minute session renewal; load average before the "
                f"first URL: {any_r['load_1min']:.2f})"
            )
    if keys:
        print("-" * w)
        print("keys looked up by sightings():")
        for kind, key, what in keys:
            print(f"    {kind:<9}{key:<30}{what}")
    for vname, v in measured.items():
        print("-" * w)
        print(f"goals, {vname}" + (f" ({', '.join(v['names'])})" if v["names"] else ""))
        for name, ok, value in v["goals"]:
            print(f"{'PASS' if ok else 'MISS'}  {name:<64} {value}")
    print("=" * w)

    for vname, v in measured.items():
        for r in v["results"].values():
            print(f"\n{vname}: median time per statement of GET {r['url']} (ms):")
            for sql, _params, ms in r["statements"]:
                print(f"  {ms:7.2f}  {' '.join(sql.split())[:150]}")
        if v["sight"]:
            print(f"\n{vname}: sightings() statements and their plans:")
            for s in v["sight"]["sql"]:
                print(f"  {' '.join(s.split())[:400]}")
            print(v["sight"]["plan"])
        for key, items in v["plans"].items():
            for sql, ms, plan in items:
                print(
                    f"\n--- {vname}: plan of {key}, {ms:.1f} ms: "
                    f"{' '.join(sql.split())[:300]}\n{plan}"
                )
        for name, text in v["profiles"].items():
            print(f"\n--- {vname}: cProfile of {name} ---\n{text}")


def main() -> int:
    args = parse_args()
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception:
        import traceback

        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main())
