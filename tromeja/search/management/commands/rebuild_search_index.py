import time

from django.core.management.base import BaseCommand
from django.db import transaction

from tromeja.search import index


class Command(BaseCommand):
    help = (
        "Index the free text of every report, case, message and notice again (after "
        "restoring a database, or to check the index). The database's triggers keep the "
        "index as records are written; this is never needed in normal operation."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write("Indexing the records…")
        with transaction.atomic():
            index.install()
            entries = index.rebuild()
        seconds = time.monotonic() - started
        self.stdout.write(f"Search index rebuilt: {entries:,} records in {seconds:.1f} s.")
