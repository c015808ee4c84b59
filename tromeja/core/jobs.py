"""Background jobs that report their progress: imports and exports.

A view creates the `Job` row and enqueues its task in the same transaction;
the task runs `run()` with the job's function, which sets the audit context
of the request that asked for it, updates the progress row as it goes and
records the outcome. The progress page polls the row with htmx.

A job moves QUEUED -> RUNNING -> DONE or FAILED, each step in a transaction
that locks the row and checks the state again, so two workers never run one
job and a late worker never overwrites what another recorded. The worker
that takes a job renews a lease (a file in the job's folder, so renewing it
needs no database lock) every few seconds; `reap()` marks failed the running
jobs whose lease ran out or whose worker process is gone, with a reason the
page says in words. A failed job keeps its input and can be queued again by
its requester (`retry()`).
"""

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tromeja.core import context
from tromeja.core.choices import JobStatus
from tromeja.core.dbretry import is_disk_full, is_locked, is_transient, retrying
from tromeja.core.models import Job

log = logging.getLogger(__name__)

# What a job works on, kept in its folder until the job has ended well.
INPUT_NAME = "upload"
LEASE_NAME = "lease"
BEAT_SECONDS = 5

# Why a job failed (Job.error).
LOST = "worker_lost"
DISK_FULL = "disk_full"
BUSY = "busy"
ERROR = "error"
RETRYABLE = frozenset({LOST, DISK_FULL, BUSY, ERROR})


def failure_text(error: str) -> str:
    """The failed job's page says this, in the reader's language."""
    if error == LOST:
        return _(
            "The worker running this job stopped before it finished; nothing was saved. Try again."
        )
    if error == DISK_FULL:
        return _(
            "The node is out of disk space, so the job stopped; nothing was saved and "
            "nothing was lost. Tell your node administrator; once space is freed, try again."
        )
    if error == BUSY:
        return _("The node was too busy to finish this job; nothing was saved. Try again.")
    return _(
        "The work failed and nothing was saved. Try again; if it fails again, call your node "
        "administrator."
    )


def lease_seconds() -> int:
    return int(getattr(settings, "TROMEJA_JOB_LEASE_SECONDS", 60))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_dir(job: Job) -> Path:
    """The job's own folder in the data directory (never under the web root)."""
    path = Path(settings.DATA_DIR) / "jobs" / job.key.hex
    path.mkdir(parents=True, exist_ok=True)
    return path


def input_path(job: Job) -> Path:
    return job_dir(job) / INPUT_NAME


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
        queued = enqueue(job.pk)
        task_path = getattr(getattr(queued, "task", None), "module_path", "") or ""
        if task_path:
            Job.objects.filter(pk=job.pk).update(task_path=task_path)
            job.task_path = task_path
    return job


class Progress:
    """Writes progress at most every `every` steps, outside any transaction
    the job holds open elsewhere, so the progress page sees it at once.

    Progress is a hint, not bookkeeping: on the embedded default a step
    waits a moment at most for the write lock and is skipped if another
    writer holds it (the next step writes the count); a new phase waits and
    tries again."""

    STEP_WAIT_MS = 200

    def __init__(self, job: Job, *, every: int = 500):
        self.job = job
        self.every = every

    def phase(self, name: str, total: int | None = None):
        self.job.phase = name
        updates = {"phase": name, "done": 0}
        if total is not None:
            self.job.total = updates["total"] = total
        self.job.done = 0
        self._write(updates, wait=True)

    def step(self, done: int):
        self.job.done = done
        if done % self.every == 0:
            self._write({"done": done}, wait=False)

    def _write(self, updates: dict, *, wait: bool):
        def write():
            Job.objects.filter(pk=self.job.pk).update(**updates)

        if connection.in_atomic_block:
            # Part of the job's own transaction: it has the lock already.
            write()
        elif wait:
            retrying(write, what=f"progress of job {self.job.pk}")
        else:
            try:
                with _short_busy_wait(self.STEP_WAIT_MS):
                    write()
            except DatabaseError as exc:
                if not is_transient(exc):
                    raise
                log.debug("progress of job %s skipped: %s", self.job.pk, exc)


class _short_busy_wait:
    """On SQLite, waits at most `ms` for the write lock instead of the
    connection's busy timeout; elsewhere does nothing."""

    def __init__(self, ms: int):
        self.ms = ms

    def __enter__(self):
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            connection.ensure_connection()
            connection.connection.execute(f"PRAGMA busy_timeout = {int(self.ms)}")

    def __exit__(self, *exc):
        if self.sqlite and connection.connection is not None:
            timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            connection.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


class Lease:
    """Renews the job's lease file every BEAT_SECONDS in a thread while the
    job runs: a file, so renewing never waits for a database lock."""

    def __init__(self, job: Job):
        self.path = job_dir(job) / LEASE_NAME
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease-{job.pk}", daemon=True)

    def __enter__(self):
        self.path.write_text(worker_id())
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=BEAT_SECONDS + 1)
        self.path.unlink(missing_ok=True)

    def _beat(self):
        while not self.stopped.wait(BEAT_SECONDS):
            try:
                os.utime(self.path)
            except OSError as exc:
                log.warning("lease %s not renewed: %s", self.path, exc)


def claim(job_id: int) -> Job | None:
    """Takes a queued job for this worker; None if it is not queued (another
    worker has it, or an earlier attempt finished it)."""

    def take():
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.status != JobStatus.QUEUED:
                return None
            job.status = JobStatus.RUNNING
            job.worker = worker_id()
            job.attempts += 1
            job.started_at = timezone.now()
            job.finished_at = None
            job.error = ""
            job.phase = ""
            job.done = 0
            job.save(
                update_fields=[
                    "status",
                    "worker",
                    "attempts",
                    "started_at",
                    "finished_at",
                    "error",
                    "phase",
                    "done",
                ]
            )
            return job

    return retrying(take, what=f"claiming job {job_id}")


def _finish(job: Job, *, status: str, result: dict | None = None, error: str = "") -> bool:
    """Records the outcome if the job is still this attempt's. Bookkeeping
    must land: it waits for the database as long as a long import may hold
    it."""

    def record():
        with transaction.atomic():
            row = Job.objects.select_for_update().get(pk=job.pk)
            ours = row.worker == job.worker and row.attempts == job.attempts
            # Marked lost while it was only slow: what it did is the truth.
            if not ours or not (
                row.status == JobStatus.RUNNING
                or (row.status == JobStatus.FAILED and row.error == LOST)
            ):
                log.warning("job %s was taken over; its outcome is not recorded", job.pk)
                return False
            row.status = status
            row.error = error
            row.finished_at = timezone.now()
            fields = ["status", "error", "finished_at"]
            if result is not None:
                row.result, row.done = result, job.total
                fields += ["result", "done"]
            row.save(update_fields=fields)
            return True

    return retrying(record, attempts=40, max_delay=10, what=f"recording job {job.pk}")


def classify(exc: BaseException) -> str:
    if is_disk_full(exc):
        return DISK_FULL
    if is_locked(exc) or is_transient(exc):
        return BUSY
    return ERROR


def run(job_id: int, work: Callable[[Job, Progress], dict]) -> Job:
    """Runs `work(job, progress)`; its return value becomes the job's result."""
    job = claim(job_id)
    if job is None:
        # Already taken or done by an earlier attempt (a worker restarted): nothing twice.
        return Job.objects.get(pk=job_id)
    job = Job.objects.select_related("requested_by").get(pk=job.pk)
    ctx = context.ActionContext(
        request_id=job.context.get("request_id") or f"job-{job.pk}",
        purpose=job.context.get("purpose", ""),
        source_ip=job.context.get("source_ip", ""),
    )
    with Lease(job):
        try:
            with context.acting(ctx):
                result = work(job, Progress(job))
        except Exception as exc:
            error = classify(exc)
            log.exception("job %s (%s) failed: %s", job.pk, job.kind, error)
            _discard_outputs(job)
            _finish(job, status=JobStatus.FAILED, error=error)
            raise
        _finish(job, status=JobStatus.DONE, result=result)
    input_path(job).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _discard_outputs(job: Job):
    """A failed job leaves no half-written result files; its input stays."""
    for path in job_dir(job).iterdir():
        if path.name not in {INPUT_NAME, LEASE_NAME}:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lost(job: Job, now=None) -> bool:
    """True if the running job's worker is gone: its process has ended (same
    host) or its lease has not been renewed for TROMEJA_JOB_LEASE_SECONDS."""
    if job.status != JobStatus.RUNNING:
        return False
    now = now or timezone.now()
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
        return True
    lease = Path(settings.DATA_DIR) / "jobs" / job.key.hex / LEASE_NAME
    try:
        renewed = datetime.fromtimestamp(lease.stat().st_mtime, tz=UTC)
    except OSError:
        renewed = job.started_at or job.created_at
    return now - renewed > timedelta(seconds=lease_seconds())


def reap(now=None) -> list[int]:
    """Marks failed the running jobs whose worker is gone; returns their ids."""
    reaped = []
    for seen in Job.objects.filter(status=JobStatus.RUNNING).iterator():
        if not lost(seen, now):
            continue

        def mark(seen=seen):
            with transaction.atomic():
                row = Job.objects.select_for_update().get(pk=seen.pk)
                if not (row.attempts == seen.attempts and lost(row, now)):
                    return False
                row.status, row.error, row.finished_at = JobStatus.FAILED, LOST, timezone.now()
                row.save(update_fields=["status", "error", "finished_at"])
                return True

        if retrying(mark, what=f"marking job {seen.pk} lost"):
            _discard_outputs(seen)
            (job_dir(seen) / LEASE_NAME).unlink(missing_ok=True)
            log.warning(
                "job %s (%s): worker %s is gone; marked failed", seen.pk, seen.kind, seen.worker
            )
            reaped.append(seen.pk)
    return reaped


def retry(*, job: Job, user) -> Job:
    """Queues a failed job again, with the same input, for its requester."""
    if not getattr(user, "is_authenticated", False) or job.requested_by_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        row = Job.objects.select_for_update().get(pk=job.pk)
        if not row.can_retry:
            raise ValidationError(_("This job cannot be tried again."))
        row.status = JobStatus.QUEUED
        row.error = ""
        row.phase = ""
        row.done = 0
        row.finished_at = None
        row.save(update_fields=["status", "error", "phase", "done", "finished_at"])
        import_string(row.task_path).enqueue(row.pk)
    return row


def discard_files(job: Job):
    shutil.rmtree(Path(settings.DATA_DIR) / "jobs" / job.key.hex, ignore_errors=True)


def wait_for(job_id: int, statuses: set[str], timeout: float = 30.0) -> Job:
    """Polls until the job reaches one of `statuses` (commands and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        job = Job.objects.get(pk=job_id)
        if job.status in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def checked(job: Job) -> Job:
    """The job as it stands, marked failed first if its worker is gone (the
    progress page asks this, so it never polls a dead job forever)."""
    if lost(job):
        reap()
        job.refresh_from_db()
    return job
