import json

from django.core.management.base import BaseCommand, CommandError

from tromeja.core import health


class Command(BaseCommand):
    help = (
        "Say whether the node's background work is alive: the deadline clock, the "
        "workers, the queue of jobs and the alerts. Exits 1 when something is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object")

    def handle(self, *args, **options):
        found = health.checks()
        ok = health.healthy(found)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "healthy": ok,
                        "checks": [
                            {"name": str(c.name), "ok": c.ok, "message": str(c.message)}
                            for c in found
                        ],
                    }
                )
            )
        else:
            for check in found:
                mark = "ok     " if check.ok else "PROBLEM"
                self.stdout.write(f"{mark}  {check.name}: {check.message}")
        if not ok:
            raise CommandError("the node has problems (see above)", returncode=1)
