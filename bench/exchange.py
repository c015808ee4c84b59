"""The contact-point exchange at scale: inbox, case page, API, delivery, sustained load.

Goals, on PostgreSQL with
1,000,000 messages in 200,000 cases:

  1. the duty officer's inbox GET /exchange/ and the case page
     GET /exchange/cases/<id>/ answer in under 150 ms server time (median)
     with a constant number of queries (the same as on a handful of cases),
     and so do the API's GET /api/v1/exchange/legs and
     GET /api/v1/exchange/cases/{id};
  2. a sent request is in the recipient's inbox within 1 s, its cross-check
     included: from the start of POST /exchange/new/ (a plate and two phone
     numbers, as the sending duty officer) until GET /exchange/ as the
     receiving duty officer lists it and GET of its case page as the
     receiver has run the cross-check (median, p95 and max over --sends);
  3. 50 messages a second (requests, replies, clarifications through the
     API) sustained for 10 minutes by two server processes with zero errors.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tromeja_bench_exchange \\
        .venv/bin/python bench/exchange.py          # drops and recreates the database
    ... bench/exchange.py --quick                   # 20,000 cases, 60 s sustained
    ... bench/exchange.py --reuse --sustain-seconds 0   # the data kept, pages only

PostgreSQL only: the data is written with set-based SQL (INSERT ... SELECT
over generate_series), and two server processes share the database.

The data: cases over two years between the contact points of SI, IT and HR,
owned by the requester, each a request to one or two partners (a leg per
recipient, its deadline by urgency: 8 hours, 3 or 7 days, counted as
tromeja.exchange.deadlines counts them, suspended while a clarification is
pending), a few spontaneous ones; on each leg the acknowledgement, requests
for clarification and clarifications, partial answers, and the answer,
refusal (with its ground) or closing note; about five messages a case. Most
legs are closed; recent ones are open, some overdue, some waiting for a
clarification for weeks. Requests name vehicles, phones, persons and
documents keyed as tromeja.incidents.normalize keys them, some of them seen
in the incident reports (loaded as bench/incidents.py loads them, a smaller
set) so that cross-checks find hits. Each message is shared by name with its
addressees, as services._message does; alerts already raised are recorded
on the legs. The secondary indexes are dropped for the load and recreated
from their own definitions; then VACUUM ANALYZE.

Server time is the wall time around django.test.Client (full middleware
stack) in this process, signed in as the Slovenian duty officer (pages) or
with his personal API token (API). The sustained run starts two real
servers (`tromeja serve`, waitress, each with its background worker and
deadline clock, as production runs) on two ports, and a load generator in
this process that sends on an open-loop schedule through both ports.

The script exits 1 when a goal is missed, 2 when the run itself went wrong.
"""

import argparse
import contextlib
import http.client
import json
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

import incidents as incident_bench  # noqa: E402
from foundation import machine_facts, prepare_database, say  # noqa: E402

GOAL_PAGE_MS = 150.0
GOAL_DELIVERY_S = 1.0
GOAL_RATE = 50.0
# After the sustained schedule, queued messages have this long to be sent.
GRACE_SECONDS = 60
YEARS = 2
DAY = 86400
COUNTRIES = ("SI", "IT", "HR")
PARTNERS = {"SI": ("IT", "HR"), "IT": ("SI", "HR"), "HR": ("SI", "IT")}
LANGUAGE = {"SI": "sl", "IT": "it", "HR": "hr"}
SPOC_UNIT = {"SI": "si-smps", "IT": "it-scip", "HR": "hr-smps"}
PERSONAS = {"SI": "sl_duty", "IT": "it_duty", "HR": "hr_duty"}
OFFICERS_PER_COUNTRY = 12
PURPOSE = "case 2026/117"

URGENCIES = [("urgent_direct", 15), ("urgent_indirect", 25), ("not_urgent", 60)]
# Hours, or calendar days after the day of receipt (exchange.deadlines).
HOURS = {"urgent_direct": 8}
CALENDAR_DAYS = {"urgent_indirect": 3, "not_urgent": 7}
REFUSAL_GROUNDS = [
    ("not_available", 45),
    ("harms_investigation", 15),
    ("disproportionate", 15),
    ("minor_offence", 10),
    ("no_consent", 10),
    ("harms_safety", 3),
    ("not_authorised", 2),
]
SUBJECTS = [
    "Van intercepted with 14 persons near Obrežje, driver fled",
    "Owner and previous use of a vehicle seen at the border",
    "Subscriber of a phone number used by a smuggling group",
    "Identity of a person apprehended without documents",
    "Forged passport presented at the crossing point",
    "Criminal records of a suspected facilitator",
    "Movements of a truck reported in three countries",
    "Group of 30 persons expected at the green border tonight",
    "Whereabouts of a missing minor last seen in Trieste",
    "Payments to a phone top-up account used by smugglers",
]
BODIES = {
    "request": [
        "Please provide the registered owner, previous controls and any police information "
        "on the vehicle and the phone numbers below.",
        "We ask for the identity, criminal records and known addresses of the persons below; "
        "the information is needed for an ongoing investigation of migrant smuggling.",
        "Please check the listed subjects in your national databases and tell us whether "
        "they are known in connection with facilitation of illegal immigration.",
    ],
    "spontaneous": [
        "For your information: the vehicle below was used by a group that crossed into your "
        "territory last night.",
    ],
    "acknowledgement": ["Received; being processed.", "Request received and assigned."],
    "clarification_request": [
        "Please state the offence and the maximum penalty, and the date of the event.",
        "Please give the full registration including the country code.",
    ],
    "clarification": [
        "Facilitation of illegal immigration, up to 8 years; the event took place on the date "
        "given in the request.",
    ],
    "partial_answer": [
        "The vehicle is registered to a leasing company; the phone checks are still running.",
    ],
    "answer": [
        "The vehicle was checked twice at the border this year; the owner has records for "
        "smuggling of persons (2021). Details in the attachment of the national report.",
        "No records found for the persons or numbers in our databases.",
        "The phone number is a prepaid card registered to a foreign national; two hits in "
        "our case files, see below.",
    ],
    "refusal": ["The request cannot be answered on the ground given."],
    "closing_note": ["The case is closed on our side; thank you for your cooperation."],
}


# --- Arguments ---------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, help="cases (default 200,000; --quick 20,000)")
    p.add_argument(
        "--incident-reports",
        type=int,
        help="incident reports for the cross-check (ten keys each; default 100,000; "
        "--quick 20,000)",
    )
    p.add_argument("--quick", action="store_true", help="20,000 cases, 60 s sustained")
    p.add_argument("--requests", type=int, default=50, help="measured requests per URL")
    p.add_argument("--warmup", type=int, default=5, help="warm-up requests per URL")
    p.add_argument("--sends", type=int, default=50, help="sends timed until seen (goal 2)")
    p.add_argument("--rate", type=float, default=GOAL_RATE, help="messages a second (goal 3)")
    p.add_argument("--sustain-seconds", type=int, help="sustained run (default 600; --quick 60)")
    p.add_argument("--servers", type=int, default=2, help="server processes (default 2)")
    p.add_argument("--threads", type=int, default=8, help="waitress threads per server")
    p.add_argument("--port", type=int, default=8731, help="first server port")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements")
    p.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds the data"
    )
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    if args.cases is None:
        args.cases = 20_000 if args.quick else 200_000
    if args.incident_reports is None:
        args.incident_reports = 20_000 if args.quick else 100_000
    if args.sustain_seconds is None:
        args.sustain_seconds = 60 if args.quick else 600
    if args.cases < 1000:
        p.error("need at least 1,000 cases")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        p.error("set DATABASE_URL to a PostgreSQL bench database")
    return args


# --- Users -------------------------------------------------------------------------


def persona(name: str):
    return incident_bench.persona(name)


def spoc_officers(country: str, count: int) -> list[int]:
    """The country's contact-point duty officers: its persona first, then
    colleagues at the same unit."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tromeja.accounts.models import RoleGrant, User
    from tromeja.core.models import Unit

    unit = Unit.objects.get(code=SPOC_UNIT[country])
    prefix = f"bench-spoc-{country.lower()}-"
    first = persona(PERSONAS[country]).pk
    made = list(
        User.objects.filter(username__startswith=prefix)
        .order_by("username")
        .values_list("pk", flat=True)
    )
    if len(made) < count - 1:
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    username=f"{prefix}{i:02d}",
                    password=make_password(None),
                    first_name="Officer",
                    last_name=f"{country} {i}",
                    email=f"{prefix}{i:02d}@example.invalid",
                    unit=unit,
                    language=LANGUAGE[country],
                )
                for i in range(len(made), count - 1)
            )
            RoleGrant.objects.bulk_create(
                RoleGrant(user_id=u.pk, role="duty_officer") for u in users
            )
        made += [u.pk for u in users]
    return [first, *made[: count - 1]]


def roster(officers: dict[str, list[int]]) -> int:
    """Two duty officers on duty now at each contact point (the roster the
    alerts go to), for the next hours of the run."""
    from django.utils import timezone

    from tromeja.exchange.models import DutyShift

    now = timezone.now()
    shifts = [
        DutyShift(
            country_id=cc,
            officer_id=pk,
            role="duty_officer",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=23),
            created_by_id=ids[0],
        )
        for cc, ids in officers.items()
        for pk in ids[:2]
    ]
    DutyShift.objects.bulk_create(shifts)
    return len(shifts)


def api_token(user) -> str:
    from tromeja.accounts.services import create_api_token

    _token, secret = create_api_token(user=user, name="exchange benchmark", scope="write", days=2)
    return secret


# --- Data: the small set, through the services --------------------------------------


def plate_of(line: str) -> dict:
    """A plate as the form takes it ("AB 1234 C UA") as the service takes it."""
    plate, country = line.rsplit(" ", 1)
    return {"plate": plate, "registration_country": country}


def make_small(keys) -> list:
    """A few cases through the services, as officers make them, about plates
    and phones seen in the incident reports (as the measured case's are);
    the query counts on them are compared with those on the full set."""
    from tromeja.core import context
    from tromeja.exchange import services

    sl, it, hr = (persona(PERSONAS[c]) for c in COUNTRIES)
    made = []
    with context.acting(context.ActionContext(purpose="bench fixture")):
        for i, (sender, to) in enumerate(
            [(it, ["SI"]), (hr, ["SI", "IT"]), (it, ["SI", "HR"]), (sl, ["IT"]), (hr, ["SI"])]
        ):
            made.append(
                services.send_request(
                    user=sender,
                    subject=SUBJECTS[i],
                    body=BODIES["request"][i % 3],
                    urgency=["urgent_direct", "urgent_indirect", "not_urgent"][i % 3],
                    recipients=to,
                    # The first two share a plate: the case page also lists the
                    # other cases about the same subjects.
                    vehicles=[plate_of(keys[max(i, 1) - 1 if i < 2 else i][0])],
                    phones=[keys[i][1], keys[i][2]],
                )
            )
        legs = {(leg.case_id, leg.recipient_country_id): leg for c in made for leg in c.legs.all()}
        first = legs[(made[0].pk, "SI")]
        services.reply(user=sl, leg=first, kind="acknowledgement", body="Received.")
        services.reply(user=sl, leg=first, kind="clarification_request", body="Which date?")
        services.clarify(user=it, leg=first, body="Last night.")
        services.reply(user=sl, leg=first, kind="partial_answer", body="Owner found.")
        second = legs[(made[1].pk, "SI")]
        services.reply(user=sl, leg=second, kind="acknowledgement", body="Received.")
        services.reply(user=sl, leg=legs[(made[4].pk, "SI")], kind="answer", body="No records.")
        services.reply(user=it, leg=legs[(made[3].pk, "IT")], kind="acknowledgement", body="Ok.")
    return made


# --- Data: set-based SQL -------------------------------------------------------------


def weighted(r: str, pairs) -> str:
    return incident_bench.weighted(r, pairs)


class ExchangeLoader:
    """Writes the cases, legs, messages, their sharing and subjects."""

    def __init__(self, connection, n: int, keys_loader, now: float):
        from django.utils import timezone

        self.connection = connection
        self.n = n
        self.keys = keys_loader  # incident_bench.Loader: the incidents' key scheme
        self.now = now
        jan = timezone.datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())
        self.d = incident_bench.Dialect("postgresql", int(jan.utcoffset().total_seconds()))
        self.timings: dict[str, float] = {}

    def sql(self, label: str, statement: str, params=None):
        t0 = time.perf_counter()
        with self.connection.cursor() as c:
            c.execute(statement, params)
            rows = c.rowcount
        el = time.perf_counter() - t0
        self.timings[label] = self.timings.get(label, 0.0) + el
        say(f"  {label}: {el:.1f} s" + (f", {rows:,} rows" if rows and rows > 0 else ""))

    def stage_officers(self, officers: dict[str, list[int]]):
        from tromeja.accounts.models import User
        from tromeja.core.models import Country

        agency = dict(
            User.objects.filter(pk__in=[pk for ids in officers.values() for pk in ids]).values_list(
                "pk", "unit__agency_id"
            )
        )
        zones = dict(Country.objects.filter(code__in=COUNTRIES).values_list("code", "time_zone"))
        with self.connection.cursor() as c:
            c.execute(
                "CREATE TEMP TABLE bench_officer (cc text, k integer, user_id bigint, "
                "agency_id bigint, PRIMARY KEY (cc, k))"
            )
            c.executemany(
                "INSERT INTO bench_officer VALUES (%s, %s, %s, %s)",
                [
                    (cc, k, pk, agency[pk])
                    for cc, ids in officers.items()
                    for k, pk in enumerate(ids)
                ],
            )
            c.execute("CREATE TEMP TABLE bench_zone (cc text PRIMARY KEY, zone text)")
            c.executemany(
                "INSERT INTO bench_zone VALUES (%s, %s)",
                [(cc, zones.get(cc) or "Europe/Ljubljana") for cc in COUNTRIES],
            )
        self.officers = min(len(ids) for ids in officers.values())

    def stage_cases(self):
        """bench_case: one row per case with every choice made."""
        d, n, now = self.d, self.n, self.now
        span = YEARS * 365.25 * DAY
        t0 = now - span - 60
        first = (
            "CASE cc "
            + " ".join(
                f"WHEN '{cc}' THEN (CASE WHEN rr < 0.5 THEN '{a}' ELSE '{b}' END)"
                for cc, (a, b) in PARTNERS.items()
            )
            + " END"
        )
        other = (
            "CASE cc "
            + " ".join(
                f"WHEN '{cc}' THEN (CASE WHEN rr < 0.5 THEN '{b}' ELSE '{a}' END)"
                for cc, (a, b) in PARTNERS.items()
            )
            + " END"
        )
        cols = ["rt", "ru", "rl", "rr", "rh", "ro", "rs", "rv", "rp", "rm", "rd", "rc", "rb"]
        self.sql(
            "stage cases",
            f"""
            CREATE TEMP TABLE bench_case AS
            WITH raw AS MATERIALIZED (
                SELECT g AS n, {", ".join(f"random() AS {c}" for c in cols)}
                FROM generate_series(1, {n}) g
            ),
            a AS (
                SELECT raw.*, CASE n % 3 WHEN 0 THEN 'SI' WHEN 1 THEN 'IT' ELSE 'HR' END AS cc,
                    {t0} + ((n - 1) + rt) * {span / n} AS t
                FROM raw
            )
            SELECT n, cc, t, {d.uuid7("t")} AS id, {d.year("t")} AS yr,
                {weighted("ru", URGENCIES)} AS urgency,
                (rs < 0.02) AS spontaneous,
                CASE WHEN rs < 0.02 THEN 0 WHEN rl < 0.35 THEN 2 ELSE 1 END AS nlegs,
                {first} AS r1, {other} AS r2,
                {d.int(f"ro * {self.officers}")} AS officer,
                {weighted("rh", [("H0", 85), ("H1", 8), ("H2", 5), ("H3", 2)])} AS handling,
                {d.pick(SUBJECTS, d.int(f"rb * {len(SUBJECTS)}"))} AS subject,
                CASE WHEN rv < 0.45 THEN 1 ELSE 0 END AS nveh,
                CASE WHEN rp < 0.35 THEN 0 WHEN rp < 0.75 THEN 1 ELSE 2 END AS nphone,
                CASE WHEN rm < 0.45 THEN 0 WHEN rm < 0.75 THEN 1 WHEN rm < 0.92 THEN 2
                     ELSE 3 END AS npers,
                CASE WHEN rd < 0.2 THEN 1 ELSE 0 END AS ndoc,
                {weighted("rc", [("suspect", 70), ("victim", 10), ("other", 20)])} AS category
            FROM a
            """,
        )
        with self.connection.cursor() as c:
            c.execute("ALTER TABLE bench_case ADD PRIMARY KEY (n)")
            c.execute("ANALYZE bench_case")

    def stage_legs(self, first_leg_id: int):
        """bench_leg: one row per recipient of a request, with its state and
        the times of what happened on it."""
        now = self.now
        ends = []
        for u, days in CALENDAR_DAYS.items():
            ends.append(
                f"WHEN '{u}' THEN extract(epoch FROM (date_trunc('day', to_timestamp(c.t) "
                f"AT TIME ZONE z.zone) + interval '{days + 1} days') AT TIME ZONE z.zone)"
            )
        due_base = (
            f"CASE c.urgency WHEN 'urgent_direct' THEN c.t + {HOURS['urgent_direct'] * 3600} "
            + " ".join(ends)
            + " END"
        )
        cols = ["ro", "rs", "rf", "rk", "rq", "rpause", "rpart", "rfin", "rlate", "ra", "rg"]
        self.sql(
            "stage legs",
            f"""
            CREATE TEMP TABLE bench_leg AS
            WITH l AS MATERIALIZED (
                SELECT c.n, c.id AS case_id, c.cc AS owner, c.t, c.urgency, c.nlegs, j,
                    CASE WHEN j = 1 THEN c.r1 ELSE c.r2 END AS rc
                FROM bench_case c CROSS JOIN LATERAL generate_series(1, c.nlegs) j
            ),
            r AS MATERIALIZED (
                SELECT c.*, z.zone, {due_base} AS due_base,
                    {", ".join(f"random() AS {c}" for c in cols)}
                FROM l c JOIN bench_zone z ON z.cc = c.rc
            ),
            s AS (
                SELECT r.*, due_base - t AS allowed, {now} - t AS age,
                    CASE
                        WHEN {now} < due_base THEN
                            (CASE WHEN ro < 0.20 AND {now} - t < {DAY} THEN 'new'
                                  WHEN ro < 0.45 THEN 'acknowledged'
                                  WHEN ro < 0.62 THEN 'in_progress'
                                  WHEN ro < 0.72 THEN 'awaiting_clarification'
                                  ELSE 'done' END)
                        WHEN {now} - t < {60 * DAY} THEN
                            (CASE WHEN ro < 0.006 THEN 'acknowledged'
                                  WHEN ro < 0.012 THEN 'in_progress'
                                  WHEN ro < 0.06 THEN 'awaiting_clarification'
                                  ELSE 'done' END)
                        WHEN {now} - t < {180 * DAY} THEN
                            (CASE WHEN ro < 0.05 THEN 'awaiting_clarification' ELSE 'done' END)
                        ELSE (CASE WHEN ro < 0.004 THEN 'awaiting_clarification'
                                   ELSE 'done' END)
                    END AS st
                FROM r
            ),
            u AS (
                SELECT s.*,
                    CASE WHEN st <> 'done' THEN st
                         WHEN rfin < 0.82 OR nlegs > 1 AND rfin >= 0.94 THEN 'answered'
                         WHEN rfin < 0.94 THEN 'refused' ELSE 'closed' END AS state,
                    -- The time things take: a share of the time allowed (or of the
                    -- time so far, for a request still within its deadline).
                    CASE WHEN {now} < due_base THEN ({now} - t) / 1.3 ELSE allowed END AS span
                FROM s
            ),
            v AS (
                SELECT u.*,
                    (state = 'awaiting_clarification'
                     OR state IN ('in_progress', 'answered', 'closed') AND rq < 0.35) AS clar,
                    CASE WHEN state = 'new' OR state IN ('answered', 'refused') AND rk < 0.08
                         THEN NULL ELSE t + span * (0.01 + 0.04 * rk) END AS ack_t,
                    t + span * (0.08 + 0.12 * rs) AS clar_t,
                    span * 0.2 * rpause AS pause
                FROM u
            )
            SELECT {first_leg_id} + row_number() OVER (ORDER BY n, j) - 1 AS id,
                case_id, n, j, owner, rc, t, urgency, zone, state, allowed, due_base,
                ack_t,
                CASE WHEN clar THEN clar_t END AS clar_t,
                CASE WHEN clar AND state <> 'awaiting_clarification' THEN clar_t + pause END
                    AS clar_ans_t,
                CASE WHEN clar AND state <> 'awaiting_clarification' THEN pause ELSE 0 END
                    AS paused,
                CASE WHEN state IN ('in_progress', 'answered', 'closed') AND rpart < 0.6
                    THEN t + span * (0.5 + 0.1 * rpart / 0.6) + CASE WHEN clar THEN pause ELSE 0 END
                    END AS part_t,
                CASE state WHEN 'answered' THEN 'answer' WHEN 'refused' THEN 'refusal'
                    WHEN 'closed' THEN 'closing_note' END AS final_kind,
                CASE WHEN state IN ('answered', 'refused', 'closed') THEN LEAST({now - 60},
                    t + CASE WHEN {now} >= due_base AND rlate < 0.1
                             THEN allowed * (1.0 + 0.5 * rf)
                             ELSE span * (0.7 + 0.28 * rf) END
                      + CASE WHEN clar THEN pause ELSE 0 END)
                    END AS final_t,
                {weighted("rg", REFUSAL_GROUNDS)} AS ground,
                CASE WHEN state IN ('new') OR ra < 0.3 THEN NULL
                     ELSE {self.d.int(f"ra * {self.officers}")} END AS assignee
            FROM v
            """,
        )
        with self.connection.cursor() as c:
            c.execute("ALTER TABLE bench_leg ADD PRIMARY KEY (id)")
            c.execute("ANALYZE bench_leg")

    def stage_messages(self):
        """bench_msg: one row per message, its sender and addressees."""
        d = self.d
        kinds = ["acknowledgement", "clarification_request", "clarification", "partial_answer"]
        self.sql(
            "stage messages",
            f"""
            CREATE TEMP TABLE bench_msg AS
            WITH m AS (
                SELECT c.id AS case_id, NULL::bigint AS leg_id,
                    CASE WHEN c.spontaneous THEN 'spontaneous' ELSE 'request' END AS kind,
                    c.cc AS sender, c.t, c.r1 AS to1,
                    CASE WHEN c.nlegs = 2 THEN c.r2 END AS to2, c.officer, c.n, ''::text AS ground
                FROM bench_case c
                UNION ALL
                SELECT l.case_id, CASE WHEN v.kind = 'closing_note' THEN NULL ELSE l.id END,
                    v.kind, CASE WHEN v.from_owner THEN l.owner ELSE l.rc END, v.t,
                    CASE WHEN v.from_owner THEN l.rc ELSE l.owner END, NULL,
                    COALESCE(CASE WHEN NOT v.from_owner THEN l.assignee END,
                             {d.int(f"random() * {self.officers}")}),
                    l.n, CASE WHEN v.kind = 'refusal' THEN l.ground ELSE '' END
                FROM bench_leg l CROSS JOIN LATERAL (VALUES
                    ('{kinds[0]}', l.ack_t, false), ('{kinds[1]}', l.clar_t, false),
                    ('{kinds[2]}', l.clar_ans_t, true), ('{kinds[3]}', l.part_t, false),
                    (l.final_kind, l.final_t, l.final_kind = 'closing_note')
                ) v(kind, t, from_owner)
                WHERE v.t IS NOT NULL
            )
            SELECT m.*, {d.uuid7("m.t")} AS id, random() AS rb, random() AS rh FROM m
            """,
        )
        with self.connection.cursor() as c:
            c.execute("ANALYZE bench_msg")

    def allocate_references(self):
        from tromeja.core.models import Sequence

        with self.connection.cursor() as c:
            c.execute("SELECT cc, yr, count(*) FROM bench_case GROUP BY cc, yr")
            groups = c.fetchall()
            c.execute("CREATE TEMP TABLE bench_seq (cc text, yr integer, first bigint)")
            for cc, yr, count in groups:
                first = Sequence.allocate(f"case:{cc}:{yr}", count)
                c.execute("INSERT INTO bench_seq VALUES (%s, %s, %s)", [cc, yr, first])

    def insert_cases(self):
        from tromeja.exchange.models import Case

        d = self.d
        exprs = {
            "id": "c.id",
            "owner_agency_id": "o.agency_id",
            "owner_country_id": "c.cc",
            "created_by_id": "o.user_id",
            "created_at": d.ts("c.t"),
            "updated_by_id": "o.user_id",
            "updated_at": d.ts("c.t"),
            "version": "1",
            "distribution": "'named'",
            "handling_code": "c.handling",
            "handling_note": "CASE WHEN c.handling = 'H3' THEN "
            "'Not to be used in court proceedings without written consent.' ELSE '' END",
            "source_reliability": "''",
            "information_accuracy": "''",
            "has_personal_data": "false",
            "data_subject_category": "''",
            "review_by": "NULL",
            "reference": f"c.cc || '-C-' || c.yr || '-' || {d.pad('s.first + c.rn - 1', 6)}",
            "subject": "c.subject",
            "urgency": "c.urgency",
        }
        self._insert(
            Case,
            exprs,
            "FROM (SELECT b.*, row_number() OVER (PARTITION BY cc, yr ORDER BY n) AS rn "
            "FROM bench_case b) c "
            "JOIN bench_officer o ON o.cc = c.cc AND o.k = c.officer "
            "JOIN bench_seq s ON s.cc = c.cc AND s.yr = c.yr ORDER BY c.n",
            "insert cases",
        )
        through = Case.shared_with.through._meta.db_table
        self.sql(
            "insert case sharing",
            f"INSERT INTO {through} (case_id, country_id) "
            f"SELECT id, r1 FROM bench_case UNION ALL SELECT id, r2 FROM bench_case "
            f"WHERE nlegs = 2",
        )

    def insert_legs(self):
        from tromeja.exchange.models import Leg

        d = self.d

        def iso(x):
            return (
                f"to_char(to_timestamp(floor({x})) AT TIME ZONE 'UTC', "
                f'\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\')'
            )

        # Alerts already raised: by the share of the time used when the leg
        # closed (or now), as exchange.alerts raises them.
        used = (
            f"((COALESCE(l.final_t, CASE WHEN l.state = 'awaiting_clarification' THEN l.clar_t "
            f"END, {self.now}) - l.t - l.paused) / l.allowed)"
        )
        alerts = (
            "to_jsonb(array_remove(ARRAY["
            "CASE WHEN l.urgency <> 'not_urgent' THEN 'new_urgent' END, "
            f"CASE WHEN {used} >= 0.5 THEN 'half' END, "
            f"CASE WHEN {used} >= 0.9 THEN 'ninety' END, "
            f"CASE WHEN {used} >= 1.0 THEN 'expired' END]::text[], NULL))"
        )
        exprs = {
            "id": "l.id",
            "case_id": "l.case_id",
            "recipient_country_id": "l.rc",
            "state": "l.state",
            "urgency": "l.urgency",
            "received_at": d.ts("l.t"),
            "time_zone": "l.zone",
            "suspensions": f"CASE WHEN l.clar_t IS NULL THEN '[]'::jsonb "
            f"ELSE jsonb_build_array(jsonb_build_array({iso('l.clar_t')}, "
            f"CASE WHEN l.clar_ans_t IS NOT NULL THEN {iso('l.clar_ans_t')} END)) END",
            "due_at": "CASE WHEN l.state = 'awaiting_clarification' THEN NULL ELSE "
            + d.ts("l.due_base + floor(l.paused)")
            + " END",
            "assigned_to_id": "o.user_id",
            "assigned_at": f"CASE WHEN o.user_id IS NOT NULL THEN {d.ts('l.ack_t')} END",
            "closed_at": f"CASE WHEN l.final_t IS NOT NULL THEN {d.ts('l.final_t')} END",
            "alerts": alerts,
        }
        self._insert(
            Leg,
            exprs,
            "FROM bench_leg l LEFT JOIN bench_officer o ON o.cc = l.rc AND o.k = l.assignee "
            "ORDER BY l.id",
            "insert legs",
        )

    def insert_messages(self):
        from tromeja.exchange.models import Message

        d = self.d
        body = (
            "CASE m.kind "
            + " ".join(
                f"WHEN '{k}' THEN {d.pick(v, d.int(f'm.rb * {len(v)}'))}" for k, v in BODIES.items()
            )
            + " END"
        )
        personal = (
            "(m.kind IN ('request', 'spontaneous') AND c.nveh + c.nphone + c.npers + c.ndoc > 0)"
        )
        exprs = {
            "id": "m.id",
            "owner_agency_id": "o.agency_id",
            "owner_country_id": "m.sender",
            "created_by_id": "o.user_id",
            "created_at": d.ts("m.t"),
            "updated_by_id": "o.user_id",
            "updated_at": d.ts("m.t"),
            "version": "1",
            "distribution": "'named'",
            "handling_code": "CASE WHEN m.kind IN ('request', 'spontaneous', 'closing_note') "
            "THEN c.handling ELSE " + weighted("m.rh", [("H0", 90), ("H1", 6), ("H2", 4)]) + " END",
            "handling_note": "CASE WHEN m.kind IN ('request', 'spontaneous', 'closing_note') "
            "AND c.handling = 'H3' THEN "
            "'Not to be used in court proceedings without written consent.' ELSE '' END",
            "source_reliability": "CASE WHEN m.kind IN ('request', 'spontaneous', 'answer', "
            "'partial_answer') THEN 'A' ELSE '' END",
            "information_accuracy": "CASE WHEN m.kind IN ('request', 'spontaneous', 'answer', "
            "'partial_answer') THEN '1' ELSE '' END",
            "has_personal_data": personal,
            "data_subject_category": f"CASE WHEN NOT {personal} THEN '' "
            "WHEN c.npers > 0 THEN c.category ELSE 'other' END",
            "review_by": f"CASE WHEN {personal} THEN {d.date('m.t + 365 * 86400')} END",
            "case_id": "m.case_id",
            "kind": "m.kind",
            "leg_id": "m.leg_id",
            "body": body,
            "language": "CASE m.sender WHEN 'SI' THEN 'sl' WHEN 'IT' THEN 'it' ELSE 'hr' END",
            "refusal_ground": "m.ground",
            "forward_consent": "'[]'::jsonb",
            "forwarded_from_id": "NULL",
        }
        self._insert(
            Message,
            exprs,
            "FROM bench_msg m JOIN bench_case c ON c.n = m.n "
            "JOIN bench_officer o ON o.cc = m.sender AND o.k = m.officer ORDER BY m.t",
            "insert messages",
        )
        through = Message.shared_with.through._meta.db_table
        self.sql(
            "insert message sharing",
            f"INSERT INTO {through} (message_id, country_id) "
            f"SELECT id, to1 FROM bench_msg UNION ALL SELECT id, to2 FROM bench_msg "
            f"WHERE to2 IS NOT NULL",
        )

    def insert_subjects(self):
        """What requests are about, keyed as the incident reports' keys are:
        some keys are those of smuggling rings and recurring ones (hits in
        the cross-check), most are seen nowhere else."""
        from tromeja.exchange.models import Subject

        k = self.keys
        kind_case = (
            "CASE WHEN e.j <= c.nveh THEN 'vehicle' WHEN e.j <= c.nveh + c.nphone THEN 'phone' "
            "WHEN e.j <= c.nveh + c.nphone + c.npers THEN 'person' ELSE 'document' END"
        )
        key_case = "CASE kind " + " ".join(
            f"WHEN '{kind}' THEN {k.key_sql(kind, 'kid')[0]}"
            for kind in ("vehicle", "phone", "person", "document")
        )
        label_case = "CASE kind " + " ".join(
            f"WHEN '{kind}' THEN {k.key_sql(kind, 'kid')[1]}"
            for kind in ("vehicle", "phone", "person", "document")
        )
        ring, rec = k.ring_pool(), k.recurring_pool()
        kid = (
            f"CASE WHEN rk < 0.03 THEN {self.d.int(f'{ring} * power(rp, 1.5)')} "
            f"WHEN rk < 0.15 THEN 1000000 + {self.d.int(f'rp * {rec}')} "
            f"ELSE 90000000 + g END"
        )
        self.sql(
            "insert subjects",
            f"""
            INSERT INTO {Subject._meta.db_table} (message_id, kind, key, label, category, detail)
            SELECT message_id, kind, {key_case} END, substr({label_case} END, 1, 150),
                CASE WHEN kind = 'person' THEN category ELSE '' END,
                CASE kind WHEN 'person' THEN
                        '{{"date_of_birth": "", "nationality": ""}}'::jsonb
                    WHEN 'document' THEN '{{"type": "passport"}}'::jsonb
                    ELSE '{{}}'::jsonb END
            FROM (
                SELECT x.*, {kid} AS kid FROM (
                    SELECT m.id AS message_id, c.category, {kind_case} AS kind,
                        row_number() OVER () AS g, random() AS rk, random() AS rp
                    FROM bench_msg m JOIN bench_case c ON c.n = m.n
                    CROSS JOIN LATERAL generate_series(1, c.nveh + c.nphone + c.npers + c.ndoc)
                        e(j)
                    WHERE m.kind IN ('request', 'spontaneous')
                ) x
            ) y
            """,
        )

    def _insert(self, model, exprs: dict, source: str, label: str):
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(exprs) - set(fields)
        if unknown:
            raise RuntimeError(f"{model.__name__} has no columns {sorted(unknown)}")
        exprs = dict(exprs)
        for column, field in fields.items():
            # A field added since this was written: its default, or stop.
            if column not in exprs:
                default = field.get_default()
                if default is None and not field.null:
                    raise RuntimeError(f"{model.__name__}.{column} is not covered")
                exprs[column] = sql_literal(field, default)
                say(f"  {model.__name__}.{column}: its default")
        columns = list(fields)
        self.sql(
            label,
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(exprs[c] for c in columns)} {source}",
        )


def sql_literal(field, value) -> str:
    if value is None:
        return "NULL"
    if field.get_internal_type() == "JSONField":
        return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise RuntimeError(f"no SQL for the default of {field}")


def load_exchange(args, officers) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from tromeja.exchange.models import Case, Leg, Message, Subject

    tables = [
        Case._meta.db_table,
        Case.shared_with.through._meta.db_table,
        Leg._meta.db_table,
        Message._meta.db_table,
        Message.shared_with.through._meta.db_table,
        Subject._meta.db_table,
    ]
    t_start = time.perf_counter()
    now = timezone.now().timestamp()
    keys = incident_bench.Loader(
        connection, args.incident_reports, args.incident_reports * 10, random.Random(0), now
    )
    loader = ExchangeLoader(connection, args.cases, keys, now)
    indexes = incident_bench.secondary_indexes(connection, tables)
    # temp_buffers is set before a session's first temporary table: a new one.
    connection.close()
    with connection.cursor() as c:
        c.execute("SET temp_buffers = '512MB'")
        c.execute("SET work_mem = '256MB'")
        c.execute("SET maintenance_work_mem = '1GB'")
        c.execute("SET synchronous_commit = off")
        c.execute("SET session_replication_role = replica")
        c.execute("SELECT setseed(%s)", [((args.seed + 1) % 1000) / 1000])
        c.execute(f"SELECT COALESCE(max(id), 0) FROM {Leg._meta.db_table}")
        first_leg = c.fetchone()[0] + 1
    try:
        with transaction.atomic():
            for name, _ in indexes:
                with connection.cursor() as c:
                    c.execute(f'DROP INDEX "{name}"')
            say(f"  dropped {len(indexes)} secondary indexes for the load")
            loader.stage_officers(officers)
            loader.stage_cases()
            loader.stage_legs(first_leg)
            loader.stage_messages()
            loader.allocate_references()
            loader.insert_cases()
            loader.insert_legs()
            loader.insert_messages()
            loader.insert_subjects()
            with connection.cursor() as c:
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('{Leg._meta.db_table}', 'id'), "
                    f"(SELECT max(id) FROM {Leg._meta.db_table}))"
                )
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
            for name in (
                "session_replication_role",
                "temp_buffers",
                "work_mem",
                "maintenance_work_mem",
                "synchronous_commit",
            ):
                c.execute(f"RESET {name}")
    if incident_bench.secondary_indexes(connection, tables) != indexes:
        raise RuntimeError("the indexes after the load differ from those the migrations made")
    with connection.cursor() as c:
        for table in (
            "bench_msg",
            "bench_leg",
            "bench_case",
            "bench_seq",
            "bench_officer",
            "bench_zone",
        ):
            c.execute(f"DROP TABLE {table}")
        # The foreign keys were not checked row by row during the load.
        t0 = time.perf_counter()
        orphans = 0
        for child, column, parent in [
            (tables[2], "case_id", tables[0]),
            (tables[3], "case_id", tables[0]),
            (tables[3], "leg_id", tables[2]),
            (tables[4], "message_id", tables[3]),
            (tables[5], "message_id", tables[3]),
        ]:
            c.execute(
                f"SELECT count(*) FROM {child} x WHERE x.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.id = x.{column})"
            )
            orphans += c.fetchone()[0]
        if orphans:
            raise RuntimeError(f"{orphans} rows point at nothing")
        say(f"  foreign keys checked: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        for table in tables:
            c.execute(f"VACUUM ANALYZE {table}")
        loader.timings["analyze"] = time.perf_counter() - t0
        say(f"  VACUUM ANALYZE: {loader.timings['analyze']:.1f} s")
    return {"seconds": time.perf_counter() - t_start, "timings": loader.timings}


def load_incidents(args, rng) -> dict:
    """Incident reports and their cross-match keys, as bench/incidents.py
    writes them (what a cross-check searches)."""
    from tromeja.accounts.models import User

    me = persona("sl_border")
    authors, validators = [], []
    for cc in COUNTRIES:
        ids = [persona(name).pk for name in incident_bench.PERSONA_AUTHORS[cc]]
        ids += incident_bench.bulk_officers(cc, 20 - len(ids), "border_officer", "author")
        sups = [persona(name).pk for name in incident_bench.PERSONA_VALIDATORS[cc]]
        sups += incident_bench.bulk_officers(cc, 4, "supervisor", "supervisor")
        agency = dict(User.objects.filter(pk__in=ids + sups).values_list("pk", "unit__agency_id"))
        authors += [(cc, k, pk, agency[pk]) for k, pk in enumerate(ids)]
        validators += [(cc, k, pk, agency[pk]) for k, pk in enumerate(sups)]
    ns = argparse.Namespace(
        incidents=args.incident_reports, refs=args.incident_reports * 10, seed=args.seed
    )
    return incident_bench.load_data(ns, rng, me, authors, validators)


# --- Measuring pages -----------------------------------------------------------------


def pct(values, p):
    return incident_bench.pct(values, p) if values else float("nan")


def check_page(key: str, url: str, response) -> dict:
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    if key == "inbox":
        text = response.content.decode()
        if "exchange/cases/" not in text:
            raise RuntimeError(f"GET {url} lists no requests; the data set is wrong")
        return {"bytes": len(response.content), "rows": text.count("/exchange/cases/")}
    if key == "case":
        return {"bytes": len(response.content)}
    body = response.json()
    if key == "api_legs":
        if not body:
            raise RuntimeError(f"GET {url} returned no legs")
        return {"items": len(body)}
    return {"messages": len(body["messages"]), "legs": len(body["legs"])}


def measure(client, key: str, url: str, n: int, warmup: int, headers=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    for _ in range(warmup):
        check_page(key, url, client.get(url, headers=headers))
    load = os.getloadavg()[0]
    times, queries, db_ms = [], [], []
    calls, per_query = [], []

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            calls.append((sql, params, time.perf_counter() - t))

    extra = {}
    for _ in range(n):
        calls.clear()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as cq, connection.execute_wrapper(timed):
            t0 = time.perf_counter()
            response = client.get(url, headers=headers)
            t1 = time.perf_counter()
        extra = check_page(key, url, response)
        times.append((t1 - t0) * 1000)
        steady, refresh = incident_bench.split_session_refresh(
            [q["sql"] for q in cq.captured_queries]
        )
        queries.append(steady)
        db_ms.append(sum(d for *_, d in calls) * 1000)
        if not refresh:
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
        "db_median_ms": statistics.median(db_ms),
        "queries_first": queries[0],
        "queries_min": min(queries),
        "queries_max": max(queries),
        "load_1min": load,
        "statements": statements,
        **extra,
    }


def query_count(client, key, url, headers=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    check_page(key, url, client.get(url, headers=headers))
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as cq:
        check_page(key, url, client.get(url, headers=headers))
    return incident_bench.split_session_refresh([q["sql"] for q in cq.captured_queries])[0]


def measured_case(user):
    """A case the measured duty officer received from the bulk data: his leg
    open, the request about a plate and two phone numbers (the small set's
    shape), at least one of them seen in the incident reports, and the most
    messages among such cases."""
    from django.db import connection

    from tromeja.exchange.models import Case, Leg, Message, Subject
    from tromeja.incidents.models import EntityRef

    with connection.cursor() as c:
        c.execute(
            f"""
            SELECT l.case_id FROM {Leg._meta.db_table} l
            JOIN {Message._meta.db_table} m ON m.case_id = l.case_id AND m.kind = 'request'
            WHERE l.recipient_country_id = %s AND l.state IN ('acknowledged', 'in_progress')
              AND m.created_by_id NOT IN (SELECT id FROM accounts_user
                                          WHERE username IN ('sl_duty', 'it_duty', 'hr_duty'))
              AND (SELECT count(*) FILTER (WHERE s.kind = 'vehicle') = 1
                          AND count(*) FILTER (WHERE s.kind = 'phone') = 2
                          AND count(*) = 3
                          AND bool_or(EXISTS (SELECT 1 FROM {EntityRef._meta.db_table} r
                                              WHERE r.kind = s.kind AND r.key = s.key))
                   FROM {Subject._meta.db_table} s WHERE s.message_id = m.id)
            ORDER BY (SELECT count(*) FROM {Message._meta.db_table} x
                      WHERE x.case_id = l.case_id) DESC, l.id DESC
            LIMIT 1
            """,
            [user.country_code],
        )
        row = c.fetchone()
    if row is None:
        raise RuntimeError("no open case with a plate and two phones for the measured user")
    return Case.objects.get(pk=row[0])


PAGES = [
    ("inbox", "inbox GET /exchange/"),
    ("case", "case page GET /exchange/cases/<id>/"),
    ("api_legs", "API GET /api/v1/exchange/legs"),
    ("api_case", "API GET /api/v1/exchange/cases/{id}"),
]


def page_urls(case) -> list[tuple[str, str, str, bool]]:
    """(key, label, url, through the API token)."""
    urls = {
        "inbox": "/exchange/",
        "case": f"/exchange/cases/{case.pk}/",
        "api_legs": "/api/v1/exchange/legs",
        "api_case": f"/api/v1/exchange/cases/{case.pk}",
    }
    return [(key, label, urls[key], key.startswith("api")) for key, label in PAGES]


def measure_pages(args, me, token, small_counts, case) -> dict:
    from django.test import Client

    from tromeja import testing

    client = testing.sign_in(Client(), me, purpose=PURPOSE)
    api = Client()
    auth = {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE}
    results = {}
    for key, _label, url, via_api in page_urls(case):
        say(f"GET {url}: {args.warmup} warm-up + {args.requests}")
        r = measure(
            api if via_api else client,
            key,
            url,
            args.requests,
            args.warmup,
            headers=auth if via_api else None,
        )
        r["queries_small"] = small_counts.get(key)
        results[key] = r
        say(
            f"  median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
            f"SQL {r['db_median_ms']:.1f} ms, {r['queries_first']} queries"
        )
    return results


# --- Goal 2: from sending to the recipient's screen -------------------------------------


def hit_keys(user, count: int) -> list[tuple[str, str, str]]:
    """Plates and phone numbers of the recipient's own validated reports,
    as the form takes them: (plate line, phone, phone) per send; the
    cross-check finds them."""
    from django.db import connection

    from tromeja.incidents import normalize
    from tromeja.incidents.models import EntityRef, Incident

    refs, inc = EntityRef._meta.db_table, Incident._meta.db_table
    found = {}
    with connection.cursor() as c:
        for kind in ("vehicle", "phone"):
            c.execute(
                f"SELECT DISTINCT r.key FROM {refs} r JOIN {inc} i ON i.id = r.incident_id "
                f"WHERE r.kind = %s AND i.owner_country_id = %s AND i.status = 'validated' "
                f"ORDER BY r.key LIMIT %s",
                [kind, user.country_code, count * 4],
            )
            found[kind] = [k for (k,) in c.fetchall()]
    phones = []
    for key in found["phone"]:
        try:
            if normalize.phone_key(key, "IT") == key:
                phones.append(key)
        except Exception:  # noqa: S112 (a key the form would refuse is skipped)
            continue
    plates = []
    for key in found["vehicle"]:
        country, plate = key.split(":", 1)
        plates.append(f"{plate} {country}")
    if len(plates) < count or len(phones) < 2 * count:
        raise RuntimeError("not enough plates and phones in the incident reports for the sends")
    return [(plates[i], phones[2 * i], phones[2 * i + 1]) for i in range(count)]


def time_delivery(args, sender, receiver) -> dict:
    """Sends --sends requests through the form and times until the receiving
    duty officer's inbox lists each and its case page shows the cross-check."""
    from django.test import Client

    from tromeja import testing

    out = testing.sign_in(Client(), sender, purpose=PURPOSE)
    inbox = testing.sign_in(Client(), receiver, purpose=PURPOSE)
    keys = hit_keys(receiver, args.sends)
    inbox.get("/exchange/")
    totals, sends, lists, pages, hits = [], [], [], [], []
    misses = everywhere = unchecked = 0
    for i, (plate, phone1, phone2) in enumerate(keys):
        form = {
            "recipients": ["SI", "HR"] if i % 3 == 0 else ["SI"],
            "urgency": "urgent_direct",
            "subject": SUBJECTS[i % len(SUBJECTS)],
            "body": BODIES["request"][i % 3],
            "vehicles": plate,
            "phones": f"{phone1}\n{phone2}",
            "person_category": "suspect",
            "handling_code": "H0",
        }
        t0 = time.perf_counter()
        response = out.post("/exchange/new/", form)
        t1 = time.perf_counter()
        if response.status_code != 302:
            errors = response.context["form"].errors if response.context else ""
            raise RuntimeError(f"POST /exchange/new/ answered {response.status_code}: {errors}")
        case_url = response["Location"]
        listed = inbox.get("/exchange/")
        shown = case_url in listed.content.decode()
        if not shown:
            # Not among the most urgent on the first page: the whole list.
            listed = inbox.get("/exchange/?all=1")
            everywhere += case_url in listed.content.decode()
        t2 = time.perf_counter()
        page = inbox.get(case_url)
        t3 = time.perf_counter()
        if listed.status_code != 200 or page.status_code != 200:
            raise RuntimeError("the receiver's inbox or case page did not answer 200")
        checked = "alert alert-info" in page.content.decode()
        misses += not (shown and checked)
        unchecked += not checked
        hits.append(page.content.decode().count("/incidents/"))
        sends.append((t1 - t0) * 1000)
        lists.append((t2 - t1) * 1000)
        pages.append((t3 - t2) * 1000)
        totals.append((t3 - t0) * 1000)
    return {
        "n": len(totals),
        "median_ms": statistics.median(totals),
        "p95_ms": pct(totals, 95),
        "max_ms": max(totals),
        "send_median_ms": statistics.median(sends),
        "inbox_median_ms": statistics.median(lists),
        "case_median_ms": statistics.median(pages),
        "not_shown": misses,
        "in_full_list": everywhere,
        "no_cross_check": unchecked,
        "hit_links_median": statistics.median(hits),
    }


# --- Goal 3: sustained load through two servers ----------------------------------------


def child_pids(pid: int) -> list[int]:
    """Processes started by `pid` (the worker and the deadline clock)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(d.name))
    return found


def cpu_seconds(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class Servers:
    """`tromeja serve` on consecutive ports, each with its worker and clock."""

    def __init__(self, count: int, port: int, threads: int, log_dir: Path, command=None):
        # The production command by default; an experiment may start another.
        self.command = command or [sys.executable, "-m", "tromeja.cli", "serve"]
        self.ports = [port + i for i in range(count)]
        self.threads = threads
        self.log_dir = log_dir
        self.procs = []
        self.children = {}

    def start(self, token: str):
        env = dict(os.environ)
        for port in self.ports:
            log = open(self.log_dir / f"serve-{port}.log", "wb")  # noqa: SIM115 (kept open)
            proc = subprocess.Popen(  # noqa: S603
                [*self.command, "--port", str(port), "--threads", str(self.threads)],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.procs.append((proc, log))
        deadline = time.time() + 60
        for port in self.ports:
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request(
                        "GET", "/api/v1/exchange/legs", headers={"Authorization": f"Bearer {token}"}
                    )
                    status = conn.getresponse().status
                    conn.close()
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise RuntimeError(f"the server on port {port} did not start")
                time.sleep(0.5)
        self.children = {proc.pid: child_pids(proc.pid) for proc, _ in self.procs}
        say(
            f"  {len(self.ports)} servers on ports {', '.join(map(str, self.ports))} "
            f"(pids {', '.join(str(p.pid) for p, _ in self.procs)}; worker and clock pids "
            f"{', '.join(str(c) for cs in self.children.values() for c in cs)})"
        )

    def pids(self) -> dict[str, list[int]]:
        """The processes by role: web (waitress), worker, deadline clock."""
        roles = {"web": [p.pid for p, _ in self.procs], "worker": [], "clock": []}
        for pid in (c for cs in self.children.values() for c in cs):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            roles["clock" if "check_deadlines" in cmd else "worker"].append(pid)
        return roles

    def stop(self):
        for proc, _log in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, log in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        # The server ends its worker and clock on exit; make sure of it.
        for pid in [c for cs in self.children.values() for c in cs]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


class LoadGenerator:
    """Open-loop load: message i is due at start + i / rate, whatever the
    answers so far; a pool of client threads sends each when due, through
    the servers in turn. Half are new requests, half the follow-ups of
    earlier ones (acknowledgement, then answer, refusal or a request for
    clarification, which the requester answers)."""

    def __init__(self, ports, tokens: dict[str, str], rate: float, seconds: int, seed: int):
        self.ports = ports
        self.tokens = tokens
        self.rate = rate
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.pending = deque()  # (leg id, recipient, requester, next step)
        self.jobs = queue.Queue()
        self.records = []  # (kind, status, latency from due, latency from sent, started)
        self.errors = Counter()
        self.error_samples = []
        self.unsent = 0
        self.give_up = float("inf")

    def _next_job(self):
        with self.lock:
            if self.pending and self.rng.random() < 0.5:
                return ("followup", self.pending.popleft())
            return ("request", None)

    def _request_body(self, sender: str) -> tuple[str, dict]:
        rng = self.rng
        a, b = PARTNERS[sender]
        to = [a, b] if rng.random() < 0.3 else [rng.choice((a, b))]
        body = {
            "subject": rng.choice(SUBJECTS),
            "body": rng.choice(BODIES["request"]),
            "urgency": rng.choices([u for u, _ in URGENCIES], [w for _, w in URGENCIES])[0],
            "recipients": to,
            "vehicles": [
                {
                    "plate": f"{rng.choice('ABCDEFGHKLMN')}{rng.choice('ABCDEFGHKLMN')} "
                    f"{rng.randrange(10000):04d} {rng.choice('ABCDEF')}",
                    "registration_country": rng.choice(["UA", "RO", "BG", "RS", "SI", "HR"]),
                }
            ],
            "phones": [f"+3859{rng.randrange(10**7, 10**8)}" for _ in range(rng.randint(1, 2))],
        }
        if rng.random() < 0.4:
            body["persons"] = [
                {
                    "surname": "Kovalenko",
                    "given_names": "Oleh",
                    "category": "suspect",
                    "nationality": "UA",
                }
            ]
        return "/api/v1/exchange/requests", body

    def _followup(self, item) -> tuple[str, str, dict, str | None]:
        """(who sends, path, body, the step after it) of a leg's next step."""
        leg, recipient, requester, step = item
        reply = f"/api/v1/exchange/legs/{leg}/reply"
        if step == "ack":
            return recipient, reply, {"kind": "acknowledgement", "body": "Received."}, "final"
        if step == "clarify":
            body = {"body": "Facilitation of illegal immigration, last night."}
            return requester, f"/api/v1/exchange/legs/{leg}/clarify", body, "answer"
        r = self.rng.random()
        if step == "final" and r < 0.15:
            body = {"kind": "clarification_request", "body": "Please state the offence."}
            return recipient, reply, body, "clarify"
        if r < 0.9:
            return recipient, reply, {"kind": "answer", "body": BODIES["answer"][0]}, None
        body = {"kind": "refusal", "body": "", "refusal_ground": "not_available"}
        return recipient, reply, body, None

    def _client(self):
        conns = {}
        while True:
            job = self.jobs.get()
            if job is None:
                return
            i, due = job
            if time.perf_counter() > self.give_up:
                # Past the schedule and its grace period: never sent.
                with self.lock:
                    self.unsent += 1
                continue
            kind, item = self._next_job()
            if kind == "request":
                sender = COUNTRIES[i % 3]
                path, body = self._request_body(sender)
                then = None
            else:
                sender, path, body, then = self._followup(item)
            port = self.ports[i % len(self.ports)]
            payload = json.dumps(body).encode()
            headers = {
                "Authorization": f"Bearer {self.tokens[sender]}",
                "X-Purpose": PURPOSE,
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            status, answer = 0, b""
            conn = conns.get(port)
            if conn is None:
                conn = conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("POST", path, body=payload, headers=headers)
                response = conn.getresponse()
                status, answer = response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conns.pop(port, None)
                status, answer = -1, repr(exc).encode()
            ended = time.perf_counter()
            label = "request" if kind == "request" else body.get("kind", "clarification")
            ok = status == (201 if kind == "request" else 200)
            with self.lock:
                self.records.append((label, status, ended - due, ended - started, started))
                if not ok:
                    self.errors[f"{label} {status}"] += 1
                    if len(self.error_samples) < 10:
                        self.error_samples.append(f"{label} {path} {status}: {answer[:300]!r}")
                elif kind == "request":
                    case = json.loads(answer)
                    for leg in case["legs"]:
                        self.pending.append((leg["id"], leg["recipient"], sender, "ack"))
                elif then is not None:
                    self.pending.append((item[0], item[1], item[2], then))

    def run(self, client_threads: int = 48) -> dict:
        threads = [
            threading.Thread(target=self._client, daemon=True) for _ in range(client_threads)
        ]
        for t in threads:
            t.start()
        start = time.perf_counter() + 0.5
        total = int(self.rate * self.seconds)
        loads = []
        next_note = start
        for i in range(total):
            due = start + i / self.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.jobs.put((i, due))
            if due >= next_note:
                loads.append(os.getloadavg()[0])
                with self.lock:
                    done = len(self.records)
                    errs = sum(self.errors.values())
                if due - start >= 1:
                    say(
                        f"  {due - start:5.0f} s: {i + 1:,} due, {done:,} answered, "
                        f"{errs} errors, queued {self.jobs.qsize()}, load {loads[-1]:.2f}"
                    )
                next_note += 30
        # What is still queued after a grace period is counted as not sent.
        self.give_up = start + self.seconds + GRACE_SECONDS
        for _ in threads:
            self.jobs.put(None)
        for t in threads:
            t.join()
        ended = time.perf_counter()
        recs = self.records
        lat_due = [r[2] * 1000 for r in recs]
        lat_svc = [r[3] * 1000 for r in recs]
        by_kind = Counter(r[0] for r in recs)
        last_start = max((r[4] for r in recs), default=start)
        return {
            "due": total,
            "answered": len(recs),
            "seconds": self.seconds,
            "achieved_rate": len(recs) / max(ended - start, 1e-9),
            "sent_rate": sum(1 for r in recs if r[4] <= start + self.seconds) / self.seconds,
            "send_lag_s": max(0.0, last_start - (start + (total - 1) / self.rate)),
            "in_window_rate": sum(1 for r in recs if r[4] + r[3] <= start + self.seconds)
            / self.seconds,
            "unsent": self.unsent,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "error_samples": self.error_samples,
            "by_kind": dict(by_kind),
            "p50_ms": pct(lat_due, 50),
            "p95_ms": pct(lat_due, 95),
            "p99_ms": pct(lat_due, 99),
            "max_ms": max(lat_due, default=float("nan")),
            "service_p50_ms": pct(lat_svc, 50),
            "service_p95_ms": pct(lat_svc, 95),
            "service_p99_ms": pct(lat_svc, 99),
            "load_avg_mean": statistics.mean(loads) if loads else None,
            "load_avg_max": max(loads) if loads else None,
            "backlog": len(self.pending),
        }


def sustain(args, tokens, tmp_dir: Path, command=None) -> dict:
    from tromeja.exchange.models import Message, Notification

    before_msgs, before_notes = Message.objects.count(), Notification.objects.count()
    servers = Servers(args.servers, args.port, args.threads, tmp_dir, command)
    say(f"sustained: {args.rate:g} messages a second for {args.sustain_seconds} s")
    try:
        servers.start(tokens["SI"])
        roles = servers.pids()
        cpu0 = {role: cpu_seconds(pids) for role, pids in roles.items()}
        own0, t0 = time.process_time(), time.perf_counter()
        pg0 = postgres_cpu()
        gen = LoadGenerator(servers.ports, tokens, args.rate, args.sustain_seconds, args.seed)
        result = gen.run()
        result["wall_s"] = time.perf_counter() - t0
        result["cpu_s"] = {role: cpu_seconds(pids) - cpu0[role] for role, pids in roles.items()}
        result["cpu_s"]["load generator"] = time.process_time() - own0
        if pg0 is not None:
            result["cpu_s"]["PostgreSQL"] = postgres_cpu() - pg0
    finally:
        servers.stop()
    result["messages_written"] = Message.objects.count() - before_msgs
    result["notifications"] = Notification.objects.count() - before_notes
    result["notifications_unsent"] = Notification.objects.filter(sent_at__isnull=True).count()
    result["ports"] = servers.ports
    return result


def postgres_cpu() -> float | None:
    """CPU seconds of the PostgreSQL processes on this machine (if readable)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() in {"postgres", "postmaster"}:
                    pids.append(int(d.name))
            except OSError:
                continue
    return cpu_seconds(pids) if pids else None


# --- Deadline clock --------------------------------------------------------------------


def time_deadline_pass() -> dict:
    """One pass of the deadline clock (what `tromeja check-deadlines --loop 60`
    does every minute in each server), on the full data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tromeja.exchange import alerts
    from tromeja.exchange.models import Leg

    open_legs = (
        Leg.objects.filter(state__in=["new", "acknowledged", "in_progress"], due_at__isnull=False)
        .order_by()
        .count()
    )
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as cq:
        t0 = time.perf_counter()
        raised = alerts.raise_due_alerts()
        seconds = time.perf_counter() - t0
    return {
        "open_legs": open_legs,
        "seconds": seconds,
        "queries": len(cq.captured_queries),
        "raised": raised,
    }


# --- Main ----------------------------------------------------------------------------


def data_facts(me) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from tromeja.exchange.models import Case, Leg, Message, Subject

    facts = {
        "cases": Case.objects.count(),
        "legs": Leg.objects.count(),
        "messages": Message.objects.count(),
        "subjects": Subject.objects.count(),
        "message_sharing": Message.shared_with.through.objects.count(),
        "by_kind": dict(Message.objects.values_list("kind").annotate(n=Count("id")).order_by()),
        "by_state": dict(Leg.objects.values_list("state").annotate(n=Count("id")).order_by()),
        "my_open": Leg.objects.filter(
            recipient_country_id=me.country_code,
            state__in=["new", "acknowledged", "in_progress", "awaiting_clarification"],
        ).count(),
        "my_overdue": Leg.objects.filter(
            recipient_country_id=me.country_code,
            state__in=["new", "acknowledged", "in_progress"],
            due_at__lt=timezone.now(),
        ).count(),
        "my_awaiting": Leg.objects.filter(
            recipient_country_id=me.country_code, state="awaiting_clarification"
        ).count(),
    }
    with connection.cursor() as c:
        c.execute(f"SELECT min(created_at), max(created_at) FROM {Case._meta.db_table}")
        lo, hi = c.fetchone()
        facts["created"] = (str(lo)[:10], str(hi)[:10])
        c.execute("SELECT pg_database_size(current_database())")
        facts["db_bytes"] = c.fetchone()[0]
    return facts


def judge(results, delivery, sustained, rate) -> list[tuple[str, bool, str]]:
    goals = []
    for key, label in PAGES:
        r = results.get(key)
        if r is None:
            continue
        goals.append(
            (
                f"{label} median < {GOAL_PAGE_MS:.0f} ms",
                r["median_ms"] < GOAL_PAGE_MS,
                f"{r['median_ms']:.1f} ms",
            )
        )
        small = r["queries_small"]
        goals.append(
            (
                f"{label}: queries constant",
                r["queries_min"] == r["queries_max"]
                and (small is None or small == r["queries_first"]),
                f"{r['queries_first']}" + (f" (small set: {small})" if small is not None else ""),
            )
        )
    if delivery:
        goals.append(
            (
                f"sent request in the inbox, cross-checked, p95 < {GOAL_DELIVERY_S:g} s",
                delivery["p95_ms"] < GOAL_DELIVERY_S * 1000 and not delivery["not_shown"],
                f"median {delivery['median_ms']:.0f} ms, p95 {delivery['p95_ms']:.0f} ms, "
                f"{delivery['not_shown']} not shown",
            )
        )
    if sustained:
        goals.append(
            (
                f"{rate:g} messages/s sustained, zero errors",
                sustained["errors"] == 0
                and sustained["answered"] == sustained["due"]
                and sustained["in_window_rate"] >= rate * 0.98,
                f"{sustained['in_window_rate']:.1f}/s, {sustained['errors']} errors, "
                f"p99 {sustained['p99_ms']:.0f} ms",
            )
        )
    return goals


def report(args, facts, data, load, results, delivery, deadline, sustained, goals, plans):
    w = 100
    print()
    print("=" * w)
    print(f"Tromeja contact-point exchange benchmark — {facts['database']}")
    print(
        f"{facts['nproc']} CPU ({facts['cpu']}), Python {facts['python']}, Django {facts['django']}"
    )
    print(
        f"data: {data['cases']:,} cases from {data['created'][0]} to {data['created'][1]}, "
        f"{data['legs']:,} legs, {data['messages']:,} messages, {data['subjects']:,} subjects, "
        f"{data['message_sharing']:,} sharing rows, {data['db_bytes'] / 2**30:.2f} GiB"
    )
    print("  messages: " + ", ".join(f"{k} {v:,}" for k, v in sorted(data["by_kind"].items())))
    print("  legs: " + ", ".join(f"{k} {v:,}" for k, v in sorted(data["by_state"].items())))
    print(
        f"  SI duty officer: {data['my_open']:,} open incoming legs ({data['my_overdue']:,} "
        f"overdue, {data['my_awaiting']:,} waiting for a clarification)"
    )
    if load:
        print(
            "  generated in "
            + ", ".join(f"{k} {v:.0f} s" for k, v in load.items() if isinstance(v, float))
        )
    print("-" * w)
    print(
        f"{'server time (ms)':<44}{'median':>8}{'p95':>8}{'max':>8}{'SQL':>8}{'queries':>8}"
        f"{'small':>7}{'n':>5}"
    )
    for key, label in PAGES:
        r = results.get(key)
        if not r:
            continue
        q = (
            str(r["queries_first"])
            if r["queries_min"] == r["queries_max"]
            else f"{r['queries_min']}-{r['queries_max']}"
        )
        print(
            f"{label:<44}{r['median_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['max_ms']:>8.1f}"
            f"{r['db_median_ms']:>8.1f}{q:>8}{r['queries_small'] or '':>7}{r['n']:>5}"
        )
    any_r = next(iter(results.values()), None)
    if any_r:
        print(f"(load average before the first URL: {any_r['load_1min']:.2f})")
    if delivery:
        print("-" * w)
        print(
            f"send until seen ({delivery['n']} sends, POST /exchange/new/ as IT, then GET "
            f"/exchange/ and the case page as SI): median {delivery['median_ms']:.0f} ms, "
            f"p95 {delivery['p95_ms']:.0f} ms, max {delivery['max_ms']:.0f} ms"
        )
        print(
            f"  of which: send {delivery['send_median_ms']:.0f} ms, inbox "
            f"{delivery['inbox_median_ms']:.0f} ms, case page with cross-check "
            f"{delivery['case_median_ms']:.0f} ms (medians); not on the inbox's first page: "
            f"{delivery['not_shown']} (found in GET /exchange/?all=1, included in the time: "
            f"{delivery['in_full_list']}); case page without the cross-check: "
            f"{delivery['no_cross_check']}"
        )
    if deadline:
        print(
            f"deadline clock, one pass: {deadline['seconds']:.1f} s, {deadline['queries']:,} "
            f"queries for {deadline['open_legs']:,} open legs, {deadline['raised']} notifications"
        )
    if sustained:
        s = sustained
        print("-" * w)
        print(
            f"sustained {args.rate:g}/s for {s['seconds']} s through {len(s['ports'])} servers "
            f"({args.threads} threads each, worker and deadline clock each):"
        )
        print(
            f"  {s['answered']:,} of {s['due']:,} answered ({s['unsent']:,} still queued "
            f"{GRACE_SECONDS} s after the schedule, never sent); answered within the "
            f"{s['seconds']} s: {s['in_window_rate']:.1f}/s, overall {s['achieved_rate']:.1f}/s; "
            f"errors {s['errors']}" + (f" {s['error_kinds']}" if s["errors"] else "")
        )
        print(
            f"  latency from the scheduled time: p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} "
            f"ms, p99 {s['p99_ms']:.0f} ms, max {s['max_ms']:.0f} ms; on the wire p50 "
            f"{s['service_p50_ms']:.0f}, p95 {s['service_p95_ms']:.0f}, p99 "
            f"{s['service_p99_ms']:.0f} ms"
        )
        print(
            "  mix: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(s["by_kind"].items()))
            + f"; {s['messages_written']:,} messages written, {s['notifications']:,} "
            f"notifications ({s['notifications_unsent']:,} not yet delivered at the end)"
        )
        print(
            "  CPU seconds: "
            + ", ".join(f"{k} {v:.0f}" for k, v in s["cpu_s"].items())
            + f" in {s['wall_s']:.0f} s wall; load average mean {s['load_avg_mean'] or 0:.2f}, "
            f"max {s['load_avg_max'] or 0:.2f}"
        )
        for sample in s["error_samples"]:
            print(f"  error: {sample}")
    print("-" * w)
    print("goals")
    for name, ok, value in goals:
        print(f"{'PASS' if ok else 'MISS'}  {name:<64} {value}")
    print("=" * w)
    for r in results.values():
        print(f"\nmedian time per statement of GET {r['url']} (ms):")
        for sql, _params, ms in r["statements"]:
            print(f"  {ms:7.2f}  {' '.join(sql.split())[:150]}")
    for key, items in plans.items():
        for sql, ms, plan in items:
            print(f"\n--- plan of {key}, {ms:.1f} ms: {' '.join(sql.split())[:300]}\n{plan}")


def run(args) -> int:
    rng = random.Random(args.seed)
    dbinfo = prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tromeja import testing
    from tromeja.exchange.models import Case

    facts = machine_facts(dbinfo["engine"])
    say(f"database: {facts['database']} at {dbinfo['where']}")
    call_command("migrate", verbosity=0, interactive=False)
    say("migrated")
    me = persona("sl_duty")
    officers = {cc: spoc_officers(cc, OFFICERS_PER_COUNTRY) for cc in COUNTRIES}
    tokens = {cc: api_token(persona(PERSONAS[cc])) for cc in COUNTRIES}
    say(f"roster: {roster(officers)} duty officers on duty now")
    small_counts = {}
    load = None
    if args.reuse and Case.objects.count() > 1000:
        say(f"reusing {Case.objects.count():,} cases")
    else:
        t0 = time.perf_counter()
        say(
            f"incident reports for the cross-check: {args.incident_reports:,} reports, "
            f"about {args.incident_reports * 10:,} keys"
        )
        inc = load_incidents(args, rng)
        made = make_small(hit_keys(me, 5))
        client = testing.sign_in(Client(), me, purpose=PURPOSE)
        auth = {"Authorization": f"Bearer {tokens['SI']}", "X-Purpose": PURPOSE}
        client.get("/")
        for key, _label, url, via_api in page_urls(made[0]):
            small_counts[key] = query_count(
                Client() if via_api else client, key, url, auth if via_api else None
            )
        say("small data set (5 cases): " + ", ".join(f"{k} {q}" for k, q in small_counts.items()))
        say(f"generating {args.cases:,} cases (INSERT ... SELECT from generate_series)")
        ex = load_exchange(args, officers)
        load = {
            "incident reports": inc["seconds"],
            "exchange": ex["seconds"],
            "total": time.perf_counter() - t0,
        }
    data = data_facts(me)
    say(
        f"{data['cases']:,} cases, {data['legs']:,} legs, {data['messages']:,} messages, "
        f"{data['my_open']:,} open for SI, {data['db_bytes'] / 2**30:.2f} GiB"
    )
    case = measured_case(me)
    say(f"measured case {case.reference} ({case.messages.count()} messages)")
    results = measure_pages(args, me, tokens["SI"], small_counts, case)
    plans = {}
    if args.explain:
        for key, r in results.items():
            slow = sorted(r["statements"], key=lambda s: -s[2])[:3]
            plans[key] = [
                (sql, ms, incident_bench.explain(sql, params)) for sql, params, ms in slow if ms > 2
            ]
    say(f"send until seen: {args.sends} requests from IT to SI")
    delivery = time_delivery(args, persona("it_duty"), me) if args.sends else None
    if delivery:
        say(
            f"  median {delivery['median_ms']:.0f} ms, p95 {delivery['p95_ms']:.0f} ms, "
            f"not shown {delivery['not_shown']}"
        )
    say("deadline clock: one pass")
    deadline = time_deadline_pass()
    say(f"  {deadline['seconds']:.1f} s for {deadline['open_legs']:,} open legs")
    sustained = None
    connection.close()
    if args.sustain_seconds > 0:
        sustained = sustain(args, tokens, Path(dbinfo["tmp_dir"]))
    goals = judge(results, delivery, sustained, args.rate)
    report(args, facts, data, load, results, delivery, deadline, sustained, goals, plans)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "facts": facts,
                    "database": dbinfo,
                    "data": data,
                    "load": load,
                    "pages": {
                        k: {kk: vv for kk, vv in r.items() if kk != "statements"}
                        for k, r in results.items()
                    },
                    "delivery": delivery,
                    "deadline_pass": deadline,
                    "sustained": sustained,
                    "goals": [{"goal": n, "ok": ok, "measured": m} for n, ok, m in goals],
                },
                indent=2,
                default=str,
            )
        )
    connection.close()
    shutil.rmtree(dbinfo["tmp_dir"], ignore_errors=True)
    return 0 if all(ok for _, ok, _ in goals) else 1


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
