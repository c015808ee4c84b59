import time

from django.core.management.base import BaseCommand

from tromeja.incidents import mapcells


class Command(BaseCommand):
    help = (
        "Recount the map's counted grids from the incident reports (after loading "
        "reports around the services, or to check them). Reports are counted as "
        "they change; this is never needed in normal operation."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write("Counting the reports…")
        rows = mapcells.rebuild(progress=lambda n: self.stdout.write(f"Writing {n:,} count rows…"))
        seconds = time.monotonic() - started
        self.stdout.write(f"Map counts rebuilt: {rows:,} rows in {seconds:.1f} s.")
