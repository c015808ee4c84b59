import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from tromeja.core import health, jobs

log = logging.getLogger("tromeja.worker")

BEAT_SECONDS = 5
REAP_EVERY = 3  # beats


class Command(BaseCommand):
    help = "Run a background worker. On PostgreSQL, run as many as you need."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Stop when the queue is empty.")

    def handle(self, *args, **options):
        name = health.worker_name()
        stop = threading.Event()
        health.beat(name)
        # Jobs left running by a worker that died are failed first, so their
        # users can try them again.
        _reap()
        keeper = threading.Thread(target=_keep, args=(name, stop), daemon=True)
        keeper.start()
        try:
            call_command("db_worker", batch=options["batch"], interval=1.0)
        finally:
            stop.set()
            health.forget(name)


def _reap():
    try:
        for job_id in jobs.reap():
            log.warning("job %s had lost its worker and was marked failed", job_id)
    except DatabaseError as exc:
        log.warning("could not check for jobs without a worker: %s", exc)
    finally:
        connection.close()


def _keep(name: str, stop: threading.Event):
    """Reports the worker alive, and now and then fails the jobs whose worker is gone."""
    beats = 0
    while not stop.wait(BEAT_SECONDS):
        try:
            health.beat(name)
        except OSError as exc:
            log.warning("worker health not reported: %s", exc)
        beats += 1
        if beats % REAP_EVERY == 0:
            _reap()
