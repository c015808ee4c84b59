from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from tromeja.core import jobs
from tromeja.core.choices import JobStatus
from tromeja.core.models import Job


class Command(BaseCommand):
    help = (
        "Delete the files of finished background jobs (rejected import rows, error "
        "lists, exports) older than --days; the job rows stay as a record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="keep files this long")

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=max(days, 0))
        old = Job.objects.filter(finished_at__lt=cutoff).exclude(result={}, status=JobStatus.DONE)
        cleaned = 0
        for job in old.iterator():
            jobs.discard_files(job)
            if job.status == JobStatus.FAILED:
                # A failed job kept its input to be tried again; no longer.
                if not job.result.get("files_removed"):
                    gone = {**job.result, "files_removed": True}
                    Job.objects.filter(pk=job.pk).update(result=gone)
                    cleaned += 1
                continue
            # The page no longer offers what is gone.
            kept = {
                k: v
                for k, v in job.result.items()
                if k not in {"file", "errors_file", "rejected_file"}
            }
            if kept != job.result:
                Job.objects.filter(pk=job.pk).update(result={**kept, "files_removed": True})
                cleaned += 1
        self.stdout.write(f"Removed the files of {cleaned} jobs finished before {cutoff:%Y-%m-%d}.")
