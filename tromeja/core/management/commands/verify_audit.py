import time

from django.core.management.base import BaseCommand, CommandError

from tromeja.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check that no audit entry was changed, removed or reordered."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = verify_chain(progress=lambda n: self.stderr.write(f"  {n:,} entries checked…"))
        elapsed = time.monotonic() - started
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit trail intact: {result.checked:,} entries verified in {elapsed:.1f} s."
                )
            )
            return
        reasons = {
            "altered": "its content does not match its hash (changed)",
            "broken-link": "it does not follow the entry before it (an entry was changed)",
            "missing-or-reordered": "the sequence is broken (an entry was removed or moved)",
            "truncated": "entries were removed from the end of the log",
        }
        where = f"entry #{result.broken_seq}"
        if result.broken_pk is not None:
            where += f" (row id {result.broken_pk})"
        raise CommandError(
            f"Audit trail BROKEN at {where}: {reasons[result.reason]}. "
            f"{result.checked:,} entries before it verified."
        )
