"""Background jobs that report their progress: imports and exports.

A view creates the `Job` row and enqueues its task in the same transaction;
the task runs `run()` with the job's function, which sets the audit context
of the request that asked for it, updates the progress row as it goes and
records the outcome. The progress page polls the row with htmx.
"""

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tromeja.core import context
from tromeja.core.choices import JobStatus
from tromeja.core.models import Job

log = logging.getLogger(__name__)


def job_dir(job: Job) -> Path:
    """The job's own folder in the data directory (never under the web root)."""
    path = Path(settings.DATA_DIR) / "jobs" / job.key.hex
    path.mkdir(parents=True, exist_ok=True)
    return path


def create(*, kind: str, user, params: dict, enqueue: Callable[[int], object]) -> Job:
    """Creates the job and queues its task: both are committed, or neither."""
    ctx = context.current()
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            requested_by=user,
            params=params,
            context={
                "request_id": ctx.request_id,
                "purpose": ctx.purpose,
                "source_ip": ctx.source_ip,
            },
        )
        enqueue(job.pk)
    return job


class Progress:
    """Writes progress at most every `every` steps, outside any transaction
    the job holds open elsewhere, so the progress page sees it at once."""

    def __init__(self, job: Job, *, every: int = 500):
        self.job = job
        self.every = every

    def phase(self, name: str, total: int | None = None):
        self.job.phase = name
        updates = {"phase": name, "done": 0}
        if total is not None:
            self.job.total = updates["total"] = total
        self.job.done = 0
        Job.objects.filter(pk=self.job.pk).update(**updates)

    def step(self, done: int):
        self.job.done = done
        if done % self.every == 0:
            Job.objects.filter(pk=self.job.pk).update(done=done)


def run(job_id: int, work: Callable[[Job, Progress], dict]) -> Job:
    """Runs `work(job, progress)`; its return value becomes the job's result."""
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        # Already done by an earlier attempt (a worker restarted): nothing twice.
        return job
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    ctx = context.ActionContext(
        request_id=job.context.get("request_id") or f"job-{job.pk}",
        purpose=job.context.get("purpose", ""),
        source_ip=job.context.get("source_ip", ""),
    )
    try:
        with context.acting(ctx):
            result = work(job, Progress(job))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, result=result, done=job.total, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def discard_files(job: Job):
    shutil.rmtree(Path(settings.DATA_DIR) / "jobs" / job.key.hex, ignore_errors=True)
