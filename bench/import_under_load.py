"""Import under load: a 100,000-row import on the embedded default (SQLite)
while signed-in users read their inbox, reply to requests and sign in.

Goal: no request fails during the import (no
5xx, no error); the p95 latency of each action during the import is
reported next to its p95 without the import, measured in one run.

    .venv/bin/python bench/import_under_load.py                # SQLite, fresh file in a temp dir
    .venv/bin/python bench/import_under_load.py --rows 20000   # a short run

The node runs as in production: `tromeja serve` (waitress, eight threads)
with its embedded worker and deadline clock, on a fresh SQLite database.
Three clients talk HTTP to it, one request after another each: a duty
officer's inbox (GET /exchange/), a reply to a request (POST
/exchange/legs/<id>/reply/, which writes the message, the leg and an audit
entry), and a sign-in with user name and password (POST
/accounts/sign-in/: session, last sign-in, audit entry). For --quiet
seconds they run alone; then the import of the same file as
bench/imports.py is queued and they go on until the worker has finished
it. The script exits 1 when a request failed, 2 when the run failed.
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from foundation import prepare_database, say  # noqa: E402

PURPOSE = "case 2026/117"
PAUSE = 0.2  # seconds between two requests of one client


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000, help="rows in the file (default 100,000)")
    p.add_argument("--quiet", type=float, default=30.0, help="seconds of load before the import")
    p.add_argument("--requests", type=int, default=300, help="open requests to reply to")
    p.add_argument("--seed", type=int, default=2026)
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Load:
    """The three clients; every request is recorded with the phase it began in."""

    def __init__(self, base: str, sessions: dict, legs: list[int], password: str):
        self.base, self.sessions, self.legs, self.password = base, sessions, legs, password
        self.phase = "without import"
        self.stop = threading.Event()
        self.records: list[tuple[str, str, float, int | str]] = []
        self.lock = threading.Lock()

    def record(self, action: str, phase: str, seconds: float, outcome):
        with self.lock:
            self.records.append((action, phase, seconds, outcome))

    def timed(self, action: str, call):
        phase = self.phase
        started = time.perf_counter()
        try:
            outcome = call().status_code
        except Exception as exc:  # a refused or timed-out connection is a failure too
            outcome = type(exc).__name__
        self.record(action, phase, time.perf_counter() - started, outcome)

    def inbox(self):
        s = self.sessions["inbox"]
        while not self.stop.is_set():
            self.timed("inbox", lambda: s.get(f"{self.base}/exchange/", timeout=120))
            time.sleep(PAUSE)

    def reply(self):
        s = self.sessions["reply"]
        s.get(f"{self.base}/exchange/", timeout=120)  # the CSRF cookie
        n = 0
        while not self.stop.is_set() and n < len(self.legs):
            leg = self.legs[n]
            n += 1
            data = {
                "csrfmiddlewaretoken": s.cookies.get("csrftoken", ""),
                f"leg{leg}-kind": "acknowledgement",
                f"leg{leg}-body": "Received; we are checking.",
            }
            self.timed(
                "reply",
                lambda leg=leg, data=data: s.post(
                    f"{self.base}/exchange/legs/{leg}/reply/",
                    data=data,
                    timeout=120,
                    allow_redirects=False,
                ),
            )
            time.sleep(PAUSE)

    def sign_in(self):
        import requests

        while not self.stop.is_set():
            s = requests.Session()
            page = s.get(f"{self.base}/accounts/sign-in/", timeout=120)
            token = s.cookies.get("csrftoken", "")
            if not token:
                match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
                token = match.group(1).decode() if match else ""
            data = {"csrfmiddlewaretoken": token, "username": "signer", "password": self.password}
            self.timed(
                "sign-in",
                lambda s=s, data=data: s.post(
                    f"{self.base}/accounts/sign-in/", data=data, timeout=120, allow_redirects=False
                ),
            )
            time.sleep(PAUSE)


def main(argv=None) -> int:
    args = parse_args(argv)
    info = prepare_database(args)
    if info["engine"] != "sqlite":
        say("this benchmark is for the embedded default: run it without DATABASE_URL")
        return 2
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{info['where']}")
    import django

    django.setup()
    import requests
    from django.core.management import call_command
    from django.test import Client
    from imports import csv_bytes, make_rows

    from tromeja import testing
    from tromeja.accounts.services import create_user
    from tromeja.core.choices import JobStatus
    from tromeja.core.models import Job, Unit
    from tromeja.core.roles import Role
    from tromeja.exchange import services
    from tromeja.incidents import imports

    say(f"database: {info['engine']} {info['where']}")
    call_command("migrate", verbosity=0)
    importer = testing.make_persona("hr_border")
    reader = testing.make_persona("sl_duty")
    sender = testing.make_persona("it_duty")
    create_user(
        username="signer",
        password=testing.PASSWORD,
        unit=Unit.objects.get(code="si-smps"),
        roles=[Role.DUTY_OFFICER],
    )
    legs = []
    for n in range(args.requests):
        case = services.send_request(
            user=sender,
            subject=f"Furgone {n}",
            body="Conducente?",
            urgency="not_urgent",
            recipients=["SI"],
        )
        legs.append(case.legs.get().pk)
    rng = random.Random(args.seed)
    data = csv_bytes(make_rows(args.rows, rng))
    say(f"{args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB of Windows-1250 CSV")

    def session_for(user):
        client = testing.sign_in(Client(), user, purpose=PURPOSE)
        s = requests.Session()
        s.cookies.set("sessionid", client.cookies["sessionid"].value)
        return s

    sessions = {"inbox": session_for(reader), "reply": session_for(reader)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tromeja.cli", "serve", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=open(Path(info["tmp_dir"]) / "serve.log", "w"),  # noqa: SIM115
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/accounts/sign-in/", timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        load = Load(base, sessions, legs, testing.PASSWORD)
        threads = [
            threading.Thread(target=f, daemon=True) for f in (load.inbox, load.reply, load.sign_in)
        ]
        for t in threads:
            t.start()
        say(f"load without the import for {args.quiet:.0f} s …")
        time.sleep(args.quiet)
        load.phase = "during import"
        job = imports.request_import(
            user=importer, data=data, file_name="bench.csv", mode="all", submit=False
        )
        started = time.perf_counter()
        say("import queued; load goes on …")
        phases = {}
        while True:
            current = Job.objects.get(pk=job.pk)
            phases.setdefault(current.phase or current.status, time.perf_counter() - started)
            if current.status in {JobStatus.DONE, JobStatus.FAILED}:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        load.stop.set()
        for t in threads:
            t.join(timeout=130)
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    if current.status != JobStatus.DONE or current.result.get("imported") != args.rows:
        say(f"the import did not import every row: {current.status} {current.result}")
        return 2
    saving = elapsed - phases.get("saving", elapsed)
    say(f"import: {elapsed:.1f} s, of which writing {saving:.1f} s (seen from the progress row)")
    print()
    print(
        "| action | requests without / during | p95 without import | p95 during import "
        "| median during | max during | failed |"
    )
    print("|---|---|---|---|---|---|---|")
    failed_total = 0
    for action in ("sign-in", "inbox", "reply"):
        rows = {
            ph: [r for r in load.records if r[0] == action and r[1] == ph]
            for ph in ("without import", "during import")
        }
        failed = [r for ph in rows.values() for r in failures(ph)]
        failed_total += len(failed)
        quiet = [r[2] for r in rows["without import"]]
        busy = [r[2] for r in rows["during import"]]
        print(
            f"| {action} | {len(quiet)} / {len(busy)} | {pct(quiet, 95) * 1000:.0f} ms "
            f"| {pct(busy, 95) * 1000:.0f} ms | {statistics.median(busy) * 1000:.0f} ms "
            f"| {max(busy) * 1000:.0f} ms | {len(failed)} |"
        )
        for r in failed[:5]:
            print(f"    failed: {r[0]} {r[1]} after {r[2]:.1f} s: {r[3]}")
    return 1 if failed_total else 0


def failures(records):
    """The requests that failed: any answer but 200 and 302, or none."""
    return [r for r in records if r[3] not in (200, 302)]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(2)
