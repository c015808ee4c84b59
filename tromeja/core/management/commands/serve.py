import atexit
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the node (waitress) with an embedded background worker."

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
        if not options["no_worker"] and settings.TASK_BACKEND == "database":
            worker = subprocess.Popen([sys.executable, "-m", "tromeja.cli", "worker"])  # noqa: S603
            atexit.register(worker.terminate)
            # Deadlines of contact-point requests are checked every minute.
            clock = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "tromeja.cli", "check_deadlines", "--loop", "60", "-v", "0"]
            )
            atexit.register(clock.terminate)
            # Stop the worker with the server, also when a service manager sends SIGTERM.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"Tromeja serving on http://{options['host']}:{options['port']}/")
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
