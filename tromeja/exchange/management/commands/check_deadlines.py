import time

from django.core.management.base import BaseCommand

from tromeja.exchange import alerts


class Command(BaseCommand):
    help = (
        "Raise the 50 %, 90 % and expiry alerts of contact-point requests and send "
        "the notifications not sent yet. With --loop, repeat every N seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="repeat every N seconds")

    def handle(self, *args, loop=None, **options):
        while True:
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
            if options["verbosity"] > 1 or (loop is None and options["verbosity"]):
                self.stdout.write(f"{raised} alerts raised, {sent} notifications sent.")
            if not loop:
                return
            time.sleep(max(1.0, loop - (time.monotonic() - started)))
