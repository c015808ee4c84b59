"""Foundation benchmark: audit trail, home page and API list at scale.

Goal: with 100,000 audit entries and
1,000 users, the home page and an API list endpoint answer in under 50 ms
server time on SQLite and PostgreSQL, with a constant number of queries;
`verify-audit` checks 1,000,000 entries in under 30 s.

    .venv/bin/python bench/foundation.py                 # SQLite, fresh file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tromeja_bench \\
        .venv/bin/python bench/foundation.py             # PostgreSQL (drops and recreates the db)
    .venv/bin/python bench/foundation.py --quick         # 10,000 / 50,000 audit entries

Server time is the wall time around django.test.Client.get(): the request
runs through the full middleware stack, the view and the template in this
process; only the network and the WSGI server are left out. Queries are
counted with CaptureQueriesContext on every measured request.

The script exits 1 when a goal is missed, 2 when the run itself went wrong.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

GOAL_MS = 50.0
GOAL_VERIFY_S = 30.0


# --- Arguments and database ------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=1000, help="users in total (default 1,000)")
    p.add_argument("--notices", type=int, default=500, help="notices in total (default 500)")
    p.add_argument(
        "--audit-entries",
        type=int,
        help="audit entries while pages are timed (default 100,000; --quick 10,000)",
    )
    p.add_argument(
        "--verify-entries",
        type=int,
        help="audit entries for the verify-audit timing (default 1,000,000; --quick 50,000)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="10,000 / 50,000 audit entries unless given explicitly",
    )
    p.add_argument("--requests", type=int, default=200, help="measured requests per URL")
    p.add_argument("--warmup", type=int, default=20, help="warm-up requests per URL")
    p.add_argument(
        "--log-batch",
        type=int,
        default=1000,
        help="events per log_many() call up to --audit-entries",
    )
    p.add_argument(
        "--grow-batch",
        type=int,
        default=5000,
        help="events per log_many() call up to --verify-entries",
    )
    p.add_argument(
        "--verify-workers",
        type=int,
        metavar="N",
        help="pass workers=N to verify_chain() (default: its own choice, one per core)",
    )
    p.add_argument(
        "--skip-command",
        action="store_true",
        help="do not also time the verify_audit management command",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="after the timings, cProfile 50 requests per URL and verify_chain()",
    )
    p.add_argument(
        "--breakdown",
        action="store_true",
        help="also split verify time into reading rows and computing HMACs (two more passes)",
    )
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--keep", action="store_true", help="keep the SQLite temp directory")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    quick = {"audit_entries": 10_000, "verify_entries": 50_000}
    full = {"audit_entries": 100_000, "verify_entries": 1_000_000}
    for name in quick:
        if getattr(args, name) is None:
            setattr(args, name, (quick if args.quick else full)[name])
    if args.verify_entries < args.audit_entries:
        p.error("--verify-entries must be at least --audit-entries")
    if args.users < 10 or args.notices < 30:
        p.error("need at least 10 users and 30 notices")
    return args


def prepare_database(args) -> dict:
    """Environment for a fresh database (or the kept one when args.reuse is
    set); returns facts for the report."""
    reuse = getattr(args, "reuse", False)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tromeja.settings"
    os.environ.setdefault("TROMEJA_ENV", "development")
    tmp = tempfile.mkdtemp(prefix="tromeja-bench-")
    os.environ["TROMEJA_DATA_DIR"] = tmp
    url = os.environ.get("DATABASE_URL", "")
    info = {"tmp_dir": tmp}
    if not url:
        info["engine"] = "sqlite"
        info["where"] = str(Path(tmp) / "tromeja.sqlite3")
        return info
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        # An explicit SQLite URL: start from an empty file.
        if not reuse:
            Path(cfg["NAME"]).unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(cfg["NAME"] + suffix).unlink(missing_ok=True)
        info["engine"] = "sqlite"
        info["where"] = cfg["NAME"]
        return info
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"unsupported DATABASE_URL engine {cfg['ENGINE']}")
    import psycopg
    from psycopg import sql

    name = cfg["NAME"]
    if name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to drop the {name!r} database; name a bench database")
    with psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info["engine"] = "postgresql"
    info["where"] = f"{cfg.get('HOST')}:{cfg.get('PORT')}/{name}"
    return info


# --- Data --------------------------------------------------------------------------


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


LANG = {"SI": "sl", "IT": "it", "HR": "hr"}


def roles_for_unit(unit, i: int) -> list[str]:
    from tromeja.core.roles import Role

    kind = unit.kind
    if kind == "contact_point":
        return [Role.DUTY_OFFICER]
    if kind in {"station", "border_directorate"}:
        return [Role.BORDER_OFFICER] if i % 10 else [Role.BORDER_OFFICER, Role.SUPERVISOR]
    if kind == "regional":
        return [Role.BORDER_OFFICER] if i % 3 else [Role.ANALYST]
    # headquarters
    return [
        [Role.SUPERVISOR],
        [Role.COMMANDER],
        [Role.DATA_PROTECTION_OFFICER],
        [Role.NODE_ADMIN],
        [Role.PATROL_PLANNER],
    ][i % 5]


def bulk_users(count: int, rng: random.Random) -> list:
    """`count` users spread over every unit, each with its role grants."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tromeja.accounts.models import RoleGrant, User
    from tromeja.core.models import Unit

    if count <= 0:
        return []
    units = list(Unit.objects.select_related("agency__country").order_by("code"))
    first = ["Ana", "Marko", "Luca", "Giulia", "Ivan", "Petra", "Matej", "Sara", "Nikola", "Eva"]
    last = ["Novak", "Rossi", "Horvat", "Kovač", "Bianchi", "Babić", "Krajnc", "Ferrari"]
    users = []
    for i in range(count):
        unit = units[i % len(units)]
        users.append(
            User(
                username=f"bench{i:05d}",
                # Unusable password: hashing 1,000 Argon2 passwords would only
                # slow the set-up; nobody signs in with these accounts.
                password=make_password(None),
                first_name=rng.choice(first),
                last_name=rng.choice(last),
                email=f"bench{i:05d}@example.invalid",
                unit=unit,
                language=LANG.get(unit.agency.country_id, "en"),
            )
        )
    with transaction.atomic():
        created = User.objects.bulk_create(users, batch_size=500)
        if created[0].pk is None:  # a backend without RETURNING
            by_name = dict(
                User.objects.filter(username__startswith="bench").values_list("username", "pk")
            )
            for u in created:
                u.pk = by_name[u.username]
        grants = [
            RoleGrant(user_id=u.pk, role=r)
            for i, u in enumerate(created)
            for r in roles_for_unit(u.unit, i)
        ]
        RoleGrant.objects.bulk_create(grants, batch_size=1000)
    return created


def make_notices(count: int, authors: list, rng: random.Random) -> None:
    """Notices through the service (each writes its audit entries), a third
    shared with all partners, a fifth with named partners."""
    from tromeja import testing

    kinds = ["modus_operandi", "lookout", "situation", "other"]
    titles = [
        "Vans with Ukrainian plates",
        "Stolen Audi A6, black",
        "Night crossings near the river",
        "Forged Bulgarian identity cards",
        "Lorry with hidden compartment",
        "Smuggling of cigarettes by boat",
    ]
    for i in range(count):
        user = authors[i % len(authors)]
        country = user.country_code
        partners = [c for c in ("SI", "IT", "HR") if c != country]
        r = rng.random()
        extra = {}
        if r < 0.35:
            extra["distribution"] = "partners"
        elif r < 0.55:
            extra["distribution"] = "named"
            extra["shared_with"] = rng.sample(partners, rng.choice([1, 2]))
        if rng.random() < 0.2:
            extra["has_personal_data"] = True
            extra["persons_concerned"] = "Person A (1980), passport X1234567"
        testing.notice(
            user,
            kind=rng.choice(kinds),
            title=f"{rng.choice(titles)} #{i}",
            body="Groups of 20 to 30 persons crossing at night. " * rng.randint(1, 6),
            source_reliability=rng.choice("ABCX"),
            information_accuracy=rng.choice("1234"),
            **extra,
        )


def spread_notice_dates(rng: random.Random) -> None:
    """Spread creation times over the last 60 days (as a live node has them);
    the home page then shows only the last week's share of partner notices.
    Notices are ordinary rows; the audit trail is not touched."""
    from django.db import transaction
    from django.utils import timezone

    from tromeja.notices.models import Notice

    now = timezone.now()
    with transaction.atomic():
        for pk in Notice.objects.values_list("pk", flat=True):
            at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            Notice.objects.filter(pk=pk).update(created_at=at, updated_at=at)


def audit_events(n: int, notice_ids: list, user_ids: list, rng: random.Random):
    from tromeja.core.audit import Event
    from tromeja.core.choices import AuditAction

    actions = [
        (AuditAction.CONSULTATION, 60),
        (AuditAction.DISCLOSURE, 12),
        (AuditAction.COLLECTION, 8),
        (AuditAction.ALTERATION, 8),
        (AuditAction.SIGN_IN, 6),
        (AuditAction.SIGN_OUT, 4),
        (AuditAction.SIGN_IN_FAILED, 1),
        (AuditAction.SECURITY, 1),
    ]
    population = [a for a, _ in actions]
    weights = [w for _, w in actions]
    out = []
    for action in rng.choices(population, weights, k=n):
        if action in {
            AuditAction.SIGN_IN,
            AuditAction.SIGN_OUT,
            AuditAction.SIGN_IN_FAILED,
            AuditAction.SECURITY,
        }:
            out.append(
                Event(action, object_type="accounts.user", object_id=str(rng.choice(user_ids)))
            )
        elif action == AuditAction.DISCLOSURE:
            out.append(
                Event(
                    action,
                    object_type="notices.notice",
                    object_id=str(rng.choice(notice_ids)),
                    recipients=tuple(rng.sample(["HR", "IT", "SI"], 2)),
                    detail={
                        "channel": rng.choice(["share", "export", "print"]),
                        "handling_code": rng.choice(["H0", "H1", "H2"]),
                    },
                )
            )
        elif action == AuditAction.ALTERATION:
            out.append(
                Event(
                    action,
                    object_type="notices.notice",
                    object_id=str(rng.choice(notice_ids)),
                    detail={"fields": ["body", "title"]},
                )
            )
        else:
            out.append(
                Event(action, object_type="notices.notice", object_id=str(rng.choice(notice_ids)))
            )
    return out


def fill_audit(
    target: int, batch: int, actors: list, notice_ids: list, rng: random.Random, label: str
) -> dict:
    """Append through log_many() until the chain holds `target` entries."""
    from tromeja.core import audit, context
    from tromeja.core.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    have = head.seq if head else 0
    todo = max(0, target - have)
    user_ids = [u.pk for u in actors]
    started = time.perf_counter()
    written = 0
    next_report = 100_000
    while written < todo:
        n = min(batch, todo - written)
        events = audit_events(n, notice_ids, user_ids, rng)
        ctx = context.ActionContext(
            request_id=uuid.uuid4().hex,
            purpose=f"case 2026/{rng.randint(1, 999)}",
            source_ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        )
        with context.acting(ctx):
            audit.log_many(events, actor=rng.choice(actors))
        written += n
        if written >= next_report or written == todo:
            el = time.perf_counter() - started
            say(f"  {label}: {have + written:,} entries ({written / el:,.0f} entries/s)")
            next_report = (written // 100_000 + 1) * 100_000
    elapsed = time.perf_counter() - started
    return {"written": written, "seconds": elapsed, "rate": written / elapsed if elapsed else 0.0}


# --- Measurements ----------------------------------------------------------------


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def check_response(url, response):
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    if url == "/":
        text = response.content.decode()
        if "shared by partners this week" not in text:
            raise RuntimeError("the home page shows no partner-notice panel; data set is wrong")
    else:
        body = response.json()
        if not body.get("items"):
            raise RuntimeError(f"GET {url} returned no items")


_TX = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def split_session_refresh(sqls: list[str]) -> tuple[int, int]:
    """(queries without the session refresh, statements of the refresh).

    The session is written at most once a minute (idle expiry), so a request
    now and then carries BEGIN / UPDATE django_session / COMMIT on top of its
    own queries. That write depends on the clock, not on the data; the
    constant-queries goal is checked on the rest."""
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


def measure(client, url: str, n: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        check_response(url, client.get(url))
    load = os.getloadavg()[0]
    times, queries, db_ms, refreshed = [], [], [], 0
    calls = []  # (sql, seconds) of each execute() in the current request
    per_query = []  # one list of durations per request, in execution order

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            calls.append((sql, time.perf_counter() - t))

    for _ in range(n):
        calls.clear()
        with CaptureQueriesContext(connection) as cq, connection.execute_wrapper(timed):
            t0 = time.perf_counter()
            response = client.get(url)
            t1 = time.perf_counter()
        check_response(url, response)
        times.append((t1 - t0) * 1000)
        steady, extra_q = split_session_refresh([q["sql"] for q in cq.captured_queries])
        queries.append(steady)
        refreshed += bool(extra_q)
        db_ms.append(sum(d for _, d in calls) * 1000)
        per_query.append([d for _, d in calls])
    # Median time of each statement (by position; the statements are the same
    # in every request when the query count is constant).
    width = min(len(q) for q in per_query)
    statements = [
        (sql, statistics.median(q[i] for q in per_query) * 1000)
        for i, (sql, _) in enumerate(calls[:width])
    ]
    extra = {}
    if url != "/":
        body = response.json()
        extra = {"items": len(body["items"]), "count": body["count"]}
    else:
        extra = {"bytes": len(response.content)}
    return {
        "url": url,
        "n": n,
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


def query_count(client, url) -> tuple[int, list[str]]:
    """Queries of one request, without the session refresh; the SQL as run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    check_response(url, client.get(url))  # takes any pending session refresh
    with CaptureQueriesContext(connection) as cq:
        response = client.get(url)
    check_response(url, response)
    sqls = [q["sql"] for q in cq.captured_queries]
    return split_session_refresh(sqls)[0], sqls


def connect_cost(n=50) -> float:
    """Median ms to open a connection (the test client keeps one open, a
    served SQLite node opens one per request: CONN_MAX_AGE=0)."""
    from django.db import connection

    times = []
    for _ in range(n):
        connection.close()
        t0 = time.perf_counter()
        connection.ensure_connection()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def time_single_log(user, notice_ids, rng, n: int = 100) -> dict:
    """One entry per call, as a request that reads one record writes it."""
    from tromeja.core import audit, context
    from tromeja.core.choices import AuditAction

    times = []
    with context.acting(context.ActionContext(purpose="case 2026/117", source_ip="10.0.0.1")):
        for _ in range(n):
            t0 = time.perf_counter()
            audit.log(
                AuditAction.CONSULTATION,
                actor=user,
                object_type="notices.notice",
                object_id=rng.choice(notice_ids),
            )
            times.append((time.perf_counter() - t0) * 1000)
    return {"n": n, "median_ms": statistics.median(times), "p95_ms": pct(times, 95)}


def time_verify(expected: int, workers: int | None = None) -> dict:
    from tromeja.core.audit import verify_chain

    kwargs = {"progress": lambda n: say(f"  verify_chain: {n:,} checked")}
    if workers:
        kwargs["workers"] = workers
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = verify_chain(**kwargs)
    el = time.perf_counter() - t0
    return {
        "ok": result.ok and result.checked == expected,
        "checked": result.checked,
        "reason": result.reason,
        "seconds": el,
        "rate": result.checked / el,
        "load_1min": load,
    }


def verify_breakdown(chunk: int = 20000) -> dict:
    """Where verify_chain() spends its time, in the same order and chunks:
    the rows fetched by a bare cursor (driver only), the rows fetched through
    the ORM (values_list with its converters), and the HMAC recomputation."""
    from itertools import islice

    from django.db import connection

    from tromeja.core import audit
    from tromeja.core.models import AuditEntry

    key = audit._key()
    qs = AuditEntry.objects.order_by("seq").values_list("pk", *audit._FIELDS, "entry_hash")
    sql, params = qs.query.sql_with_params()
    t0 = time.perf_counter()
    n_raw = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            n_raw += len(rows)
    raw = time.perf_counter() - t0

    fetch = digest = 0.0
    n = 0
    it = qs.iterator(chunk_size=chunk)
    while True:
        t0 = time.perf_counter()
        rows = list(islice(it, chunk))
        t1 = time.perf_counter()
        fetch += t1 - t0
        if not rows:
            break
        for row in rows:
            audit._digest(key, row[1:-1])
        digest += time.perf_counter() - t1
        n += len(rows)
    return {
        "rows": n,
        "cursor_fetch_s": raw,
        "orm_fetch_s": fetch,
        "orm_conversion_s": max(0.0, fetch - raw),
        "hmac_s": digest,
        "cursor_rows": n_raw,
    }


def time_command(expected: int) -> dict:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    ok = True
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        ok = False
        out.write(str(exc))
    el = time.perf_counter() - t0
    return {
        "ok": ok,
        "checked": expected,
        "seconds": el,
        "rate": expected / el,
        "output": out.getvalue().strip(),
    }


def profile(fn, top=25) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    s = io.StringIO()
    stats = pstats.Stats(prof, stream=s)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return s.getvalue()


# --- Main -------------------------------------------------------------------------


def machine_facts(db_engine: str) -> dict:
    import django
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as c:
        if db_engine == "postgresql":
            c.execute("SHOW server_version")
            db_version = "PostgreSQL " + c.fetchone()[0]
        else:
            c.execute("select sqlite_version()")
            db_version = "SQLite " + c.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": db_version,
        "platform": platform.platform(),
    }


def run(args) -> int:
    rng = random.Random(args.seed)
    dbinfo = prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tromeja import testing
    from tromeja.accounts.models import RoleGrant, User
    from tromeja.core.models import AuditEntry
    from tromeja.notices.models import Notice

    facts = machine_facts(dbinfo["engine"])
    say(f"database: {facts['database']} at {dbinfo['where']}")
    t_setup = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say("migrated")

    # The measured user and the duty officers of the partners, as the tests make them.
    me = testing.make_persona("sl_duty")
    it_duty = testing.make_persona("it_duty")
    hr_duty = testing.make_persona("hr_duty")
    authors = [it_duty, hr_duty, me]
    client = testing.sign_in(Client(), me)

    # Query counts on a small data set, to compare with the full one.
    make_notices(30, authors, rng)
    # One request first: it renews the fresh session (a write that happens at
    # most once a minute), which is not what is being compared.
    client.get("/")
    small = {url: query_count(client, url) for url in ("/", "/api/v1/notices")}
    say(f"small data set: home {small['/'][0]} queries, API {small['/api/v1/notices'][0]} queries")

    t0 = time.perf_counter()
    users = bulk_users(args.users - User.objects.count(), rng)
    say(
        f"{User.objects.count():,} users, {RoleGrant.objects.count():,} role grants "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    # More authors: bulk-made duty officers of each country write notices too.
    authors += [u for u in users if u.unit.kind == "contact_point"][:12]
    t0 = time.perf_counter()
    make_notices(args.notices - Notice.objects.count(), authors, rng)
    spread_notice_dates(rng)
    say(f"{Notice.objects.count():,} notices ({time.perf_counter() - t0:.1f} s)")

    actors = users or [me]
    notice_ids = [str(pk) for pk in Notice.objects.values_list("pk", flat=True)]
    # The last 100 entries come from single audit.log() calls (timed below).
    fill = fill_audit(args.audit_entries - 100, args.log_batch, actors, notice_ids, rng, "audit")
    single = time_single_log(me, notice_ids, rng)
    say(f"  one audit.log() call: median {single['median_ms']:.2f} ms")
    if connection.vendor == "postgresql":
        # What autovacuum does on a live node; keeps the plans independent of
        # whether it happened to run during the set-up.
        with connection.cursor() as c:
            c.execute("ANALYZE")
        say("ANALYZE done")
    entries = AuditEntry.objects.count()
    say(f"{entries:,} audit entries; set-up took {time.perf_counter() - t_setup:.0f} s")

    # Sign in afresh: the session is the one a real sign-in leaves.
    client = testing.sign_in(Client(), me)
    results = {}
    for url in ("/", "/api/v1/notices"):
        say(f"timing GET {url}: {args.warmup} warm-up + {args.requests} measured")
        results[url] = measure(client, url, args.requests, args.warmup)
        results[url]["queries_small"] = small[url][0]
        r = results[url]
        say(
            f"  median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
            f"max {r['max_ms']:.1f} ms, {r['queries_first']} queries"
        )
    full_sql = {url: query_count(client, url)[1] for url in results}
    conn_ms = connect_cost()
    page_state = {
        "users": User.objects.count(),
        "notices": Notice.objects.count(),
        "audit_entries": entries,
    }

    prof_text = {}
    if args.profile:
        say("profiling 50 requests per URL")
        for url in results:
            prof_text[url] = profile(lambda url=url: [client.get(url) for _ in range(50)])

    grow = fill_audit(args.verify_entries, args.grow_batch, actors, notice_ids, rng, "grow")
    total = AuditEntry.objects.count()
    say(f"verifying {total:,} entries with verify_chain()")
    verify = time_verify(total, args.verify_workers)
    vlabel = (
        f"verify_chain(workers={args.verify_workers})" if args.verify_workers else "verify_chain()"
    )
    say(f"  {verify['seconds']:.1f} s, {verify['rate']:,.0f} entries/s, ok={verify['ok']}")
    command = None
    if not args.skip_command:
        say("verifying again with the verify_audit management command")
        command = time_command(total)
        say(f"  {command['seconds']:.1f} s: {command['output']}")
    breakdown = None
    if args.breakdown:
        say("splitting verify time: bare cursor pass, then ORM + HMAC pass")
        breakdown = verify_breakdown()
        b = breakdown
        say(
            f"  cursor {b['cursor_fetch_s']:.1f} s, ORM fetch {b['orm_fetch_s']:.1f} s, "
            f"HMAC {b['hmac_s']:.1f} s"
        )
    if args.profile:
        say("profiling verify_chain()")
        from tromeja.core.audit import verify_chain

        prof_text["verify_chain"] = profile(verify_chain)

    # --- Report ---
    home, apil = results["/"], results["/api/v1/notices"]
    goals = []

    def goal(name, ok, measured):
        goals.append((name, ok, measured))

    for label, r in (("home page", home), ("API list", apil)):
        goal(
            f"{label} median < {GOAL_MS:.0f} ms",
            r["median_ms"] < GOAL_MS,
            f"{r['median_ms']:.1f} ms",
        )
        goal(
            f"{label} queries constant over {r['n']} requests",
            r["queries_first"] == r["queries_last"] == r["queries_min"] == r["queries_max"],
            f"first {r['queries_first']}, last {r['queries_last']}, "
            f"range {r['queries_min']}-{r['queries_max']}",
        )
        goal(
            f"{label} queries independent of data size",
            r["queries_small"] == r["queries_first"],
            f"{r['queries_small']} (30 notices) vs {r['queries_first']} (full)",
        )
    goal(
        f"{vlabel} {total:,} entries < {GOAL_VERIFY_S:.0f} s",
        verify["ok"] and verify["seconds"] < GOAL_VERIFY_S,
        f"{verify['seconds']:.1f} s" + ("" if verify["ok"] else f" NOT OK: {verify['reason']}"),
    )
    if command:
        goal(
            f"verify_audit command {total:,} entries < {GOAL_VERIFY_S:.0f} s",
            command["ok"] and command["seconds"] < GOAL_VERIFY_S,
            f"{command['seconds']:.1f} s",
        )

    w = 78
    print()
    print("=" * w)
    print(f"Tromeja foundation benchmark — {facts['database']}")
    print(
        f"{facts['nproc']} CPU ({facts['cpu']}), Python {facts['python']}, Django {facts['django']}"
    )
    print(
        f"load average (1 min) before timing: GET / {home['load_1min']:.2f}, "
        f"API {apil['load_1min']:.2f}; before verify {verify['load_1min']:.2f}"
    )
    print(
        f"data while timing pages: {page_state['users']:,} users, "
        f"{page_state['notices']:,} notices, {page_state['audit_entries']:,} audit entries"
    )
    print("-" * w)
    print(
        f"{'server time (ms)':<22}{'median':>8}{'p95':>8}{'max':>8}{'min':>8}"
        f"{'SQL ms':>8}{'queries':>9}"
    )
    for label, r in (("GET /", home), ("GET /api/v1/notices", apil)):
        q = (
            str(r["queries_first"])
            if r["queries_min"] == r["queries_max"]
            else f"{r['queries_min']}-{r['queries_max']}"
        )
        print(
            f"{label:<22}{r['median_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['max_ms']:>8.1f}"
            f"{r['min_ms']:>8.1f}{r['db_median_ms']:>8.1f}{q:>9}"
        )
    print(
        f"(queries: without the once-a-minute session refresh, which added statements to "
        f"{home['session_refreshes']} + {apil['session_refreshes']} of the measured requests)"
    )
    print(
        f"({home['n']} requests each after {args.warmup} warm-up; SQL ms = median time "
        f"spent executing queries; opening a connection: {conn_ms:.2f} ms)"
    )
    print("-" * w)
    print(
        f"one audit.log() call at {page_state['audit_entries']:,} entries: median "
        f"{single['median_ms']:.2f} ms, p95 {single['p95_ms']:.2f} ms"
    )
    print(f"{'audit trail':<40}{'entries':>12}{'seconds':>10}{'entries/s':>14}")
    print(
        f"{'log_many() x' + str(args.log_batch) + ' (set-up)':<40}{fill['written']:>12,}"
        f"{fill['seconds']:>10.1f}{fill['rate']:>14,.0f}"
    )
    print(
        f"{'log_many() x' + str(args.grow_batch) + ' (growth)':<40}{grow['written']:>12,}"
        f"{grow['seconds']:>10.1f}{grow['rate']:>14,.0f}"
    )
    print(f"{vlabel:<40}{verify['checked']:>12,}{verify['seconds']:>10.1f}{verify['rate']:>14,.0f}")
    if command:
        print(
            f"{'verify_audit command':<40}{total:>12,}{command['seconds']:>10.1f}"
            f"{command['rate']:>14,.0f}"
        )
    if breakdown:
        b = breakdown
        print(
            f"cost split, one process ({b['rows']:,} rows): driver {b['cursor_fetch_s']:.1f} s, "
            f"ORM conversion {b['orm_conversion_s']:.1f} s, HMAC {b['hmac_s']:.1f} s"
        )
    print("-" * w)
    for name, ok, measured in goals:
        print(f"{'PASS' if ok else 'MISS'}  {name:<52} {measured}")
    print("=" * w)

    for url, sqls in full_sql.items():
        print(f"\nqueries of GET {url} (as captured):")
        for i, s in enumerate(sqls, 1):
            print(f"  {i:>2}. {s[:160]}{'…' if len(s) > 160 else ''}")
        print(f"median time per executed statement of GET {url} (ms; commits not included):")
        for sql, ms in results[url]["statements"]:
            print(f"  {ms:7.2f}  {' '.join(sql.split())[:120]}")
    for name, text in prof_text.items():
        print(f"\n--- cProfile: {name} ---\n{text}")

    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "facts": facts,
                    "database": dbinfo,
                    "data": page_state,
                    "pages": results,
                    "connect_ms": conn_ms,
                    "audit_fill": fill,
                    "audit_single_log": single,
                    "audit_grow": grow,
                    "verify_chain": verify,
                    "verify_command": command,
                    "verify_breakdown": breakdown,
                    "goals": [{"goal": n, "ok": ok, "measured": m} for n, ok, m in goals],
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
