import logging
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

log = logging.getLogger("tromeja.serve")

# A child that ran this long before it ended is restarted at once; one that
# keeps failing sooner waits longer each time (up to MAX_BACKOFF seconds).
STEADY = 60
MAX_BACKOFF = 30


def _reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class Supervised:
    """A child process (the worker, the deadline clock) kept running: when
    it ends, the reason is logged and it is started again."""

    def __init__(self, name: str, argv: list[str]):
        self.name, self.argv = name, argv
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.backoff = 1.0
        self.due = 0.0
        self.restarts = 0

    def start(self):
        self.process = subprocess.Popen(self.argv)  # noqa: S603 (our own interpreter and module)
        self.started = time.monotonic()
        log.info("%s started (pid %s)", self.name, self.process.pid)

    def check(self):
        if self.process is None:
            if time.monotonic() >= self.due:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        ran = time.monotonic() - self.started
        self.backoff = 1.0 if ran >= STEADY else min(MAX_BACKOFF, self.backoff * 2)
        wait = 0.0 if ran >= STEADY else self.backoff
        self.restarts += 1
        log.warning(
            "%s (pid %s) %s after %.0f s; restarting in %.0f s",
            self.name,
            self.process.pid,
            _reason(code),
            ran,
            wait,
        )
        self.process = None
        self.due = time.monotonic() + wait

    def stop(self, timeout: float = 10.0):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Supervisor:
    def __init__(self, children: list[Supervised], every: float = 1.0):
        self.children, self.every = children, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self):
        for child in self.children:
            child.start()
        self.thread.start()

    def _watch(self):
        while not self.stopping.wait(self.every):
            for child in self.children:
                try:
                    child.check()
                except OSError as exc:
                    log.error("%s could not be started: %s", child.name, exc)
                    child.process, child.due = None, time.monotonic() + MAX_BACKOFF

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=self.every + 1)
        for child in self.children:
            child.stop()


class Command(BaseCommand):
    help = (
        "Serve the node (waitress) with an embedded background worker and the "
        "deadline clock, restarted whenever they end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a worker (when workers run as their own services).",
        )

    def handle(self, *args, **options):
        from waitress import serve

        from tromeja.core import checkpoints
        from tromeja.core.middleware import waitress_limits
        from tromeja.wsgi import application

        # Anchor the audit trail as the node finds it (refused, and logged,
        # if it no longer holds what the last checkpoint saw).
        checkpoints.anchor(reason="start-up")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        supervisor = None
        if not options["no_worker"] and settings.TASK_BACKEND == "database":
            python = [sys.executable, "-m", "tromeja.cli"]
            clock = [*python, "check_deadlines", "--loop", "60", "-v", "0"]
            # Deadlines of contact-point requests are checked every minute.
            supervisor = Supervisor(
                [Supervised("worker", [*python, "worker"]), Supervised("deadline clock", clock)]
            )
            supervisor.start()

            def stop(*_args):
                # Also when a service manager sends SIGTERM: children end with the server.
                supervisor.stop()
                sys.exit(0)

            signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Tromeja serving on http://{options['host']}:{options['port']}/")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="tromeja",
                # Bodies over the upload limit reach the application, which
                # answers them in the user's language; far larger ones are cut.
                **waitress_limits(),
            )
        finally:
            if supervisor is not None:
                supervisor.stop()
