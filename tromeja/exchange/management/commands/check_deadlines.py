import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from tromeja.core import health, jobs
from tromeja.core.dbretry import is_transient
from tromeja.exchange import alerts

log = logging.getLogger("tromeja.clock")

MAX_BACKOFF = 60


class Command(BaseCommand):
    help = (
        "Raise the 50 %, 90 % and expiry alerts of contact-point requests and send "
        "the notifications not sent yet. With --loop, repeat every N seconds; a "
        "round that fails (e.g. the database is locked by a long import) is "
        "logged and tried again, the loop goes on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="repeat every N seconds")

    def handle(self, *args, loop=None, **options):
        backoff = 1.0
        if loop:
            # A clock says it has started, so that one killed in its first
            # round (say, while it sends a long batch) is seen to stop.
            self.report(loop)
        while True:
            started = time.monotonic()
            try:
                raised, sent = self.round(loop)
            except DatabaseError as exc:
                if not loop:
                    raise
                kind = "transient" if is_transient(exc) else "database"
                log.warning("deadline round failed (%s error), tried again: %s", kind, exc)
                self.report(loop, error=str(exc))
                if not connection.in_atomic_block:
                    connection.close()
                time.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            except Exception as exc:
                if not loop:
                    raise
                log.exception("deadline round failed, tried again")
                self.report(loop, error=f"{type(exc).__name__}: {exc}")
                if not connection.in_atomic_block:
                    connection.close()
                time.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            backoff = 1.0
            self.report(loop)
            if options["verbosity"] > 1 or (loop is None and options["verbosity"]):
                self.stdout.write(f"{raised} alerts raised, {sent} notifications sent.")
            if not loop:
                return
            if not connection.in_atomic_block:
                close_old_connections()
            time.sleep(max(1.0, loop - (time.monotonic() - started)))

    def round(self, loop) -> tuple[int, int]:
        started = time.monotonic()
        raised = alerts.raise_due_alerts()
        # Every pending notification, in batches (another worker may take
        # part of each), until none is left or the period is over.
        sent = 0
        while True:
            batch = alerts.deliver()
            sent += batch
            if not batch or (loop and time.monotonic() - started > loop):
                break
        if loop:
            # Jobs whose worker died are failed even when no worker runs.
            jobs.reap()
        return raised, sent

    def report(self, loop, *, error: str = ""):
        try:
            health.beat("clock", error=error, period=loop or None)
        except OSError as exc:
            log.warning("deadline clock health not reported: %s", exc)
