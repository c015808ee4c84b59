"""Background jobs survive their worker: a job is taken by one worker only,
a job whose worker died is marked failed with a reason in words (never
"running" forever), its input is kept until it has ended, and its requester
can queue it again."""

import errno
import os
import signal
import socket
import sqlite3
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tromeja import testing
from tromeja.core import jobs
from tromeja.core.choices import JobStatus
from tromeja.core.models import Job
from tromeja.core.tests import slow_tasks, subprocs


def queued(user, **kwargs) -> Job:
    return slow_tasks.request_slow(user, **kwargs)


def test_a_queued_job_is_taken_by_one_worker_only(persona):
    job = queued(persona("sl_border"), steps=0)
    first = jobs.claim(job.pk)
    assert first is not None and first.status == JobStatus.RUNNING and first.attempts == 1
    assert first.worker == f"{socket.gethostname()}:{os.getpid()}"
    assert jobs.claim(job.pk) is None


def test_a_finished_job_is_not_run_again_and_its_input_is_removed_when_it_ends(persona):
    job = queued(persona("sl_border"), steps=2, pause=0)
    assert jobs.input_path(job).exists()
    slow_tasks.slow_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["steps"] == 2
    assert (jobs.job_dir(job) / "out.txt").read_text() == "input"
    assert not jobs.input_path(job).exists()
    assert not (jobs.job_dir(job) / jobs.LEASE_NAME).exists()
    slow_tasks.slow_job.call(job.pk)  # a restarted worker runs the task again
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_job_of_a_worker_on_another_host_fails_when_its_lease_runs_out(persona, settings):
    settings.TROMEJA_JOB_LEASE_SECONDS = 60
    job = queued(persona("sl_border"), steps=1)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker="another-host:4242",
        attempts=1,
        started_at=timezone.now(),
    )
    lease = jobs.job_dir(job) / jobs.LEASE_NAME
    lease.write_text("another-host:4242")
    assert jobs.reap() == []  # renewed just now
    old = time.time() - 61
    os.utime(lease, (old, old))
    assert jobs.reap() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.LOST and job.finished_at
    assert "stopped before it finished" in job.failure and job.can_retry
    assert jobs.input_path(job).exists()  # kept for the retry


def test_a_late_worker_does_not_overwrite_what_a_newer_attempt_recorded(persona):
    job = queued(persona("sl_border"), steps=0)
    mine = jobs.claim(job.pk)
    # Meanwhile the job was failed, retried and taken by another worker.
    Job.objects.filter(pk=job.pk).update(attempts=2, worker="another-host:1")
    assert jobs._finish(mine, status=JobStatus.DONE, result={"late": True}) is False
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.result == {}


def test_a_full_disk_fails_the_job_saying_the_node_is_out_of_space_and_keeps_the_input(
    persona, monkeypatch
):
    job = queued(persona("sl_border"), steps=1, pause=0)

    def full(job, progress):
        (jobs.job_dir(job) / "half-written.csv").write_text("row")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        jobs.run(job.pk, full)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.DISK_FULL
    assert "out of disk space" in job.failure and job.can_retry
    assert jobs.input_path(job).read_text() == "input"
    assert not (jobs.job_dir(job) / "half-written.csv").exists()


def test_the_failure_is_said_in_the_users_language(persona):
    from django.utils import translation

    with translation.override("sl"):
        said = jobs.failure_text(jobs.DISK_FULL)
    with translation.override("en"):
        english = jobs.failure_text(jobs.DISK_FULL)
    # Marked for translation: the catalogue decides the words, the code does not.
    assert said and english.startswith("The node is out of disk space")


def test_only_the_requester_retries_a_failed_job_and_a_finished_one_is_not_retried(persona, client):
    owner, other = persona("sl_border"), persona("hr_border")
    job = queued(owner, steps=0)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=jobs.LOST)
    url = f"/jobs/{job.pk}/retry/"
    assert client.post(url).status_code == 302  # anonymous: to the sign-in page
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert testing.client_for(other).post(url).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    mine = testing.client_for(owner)
    assert mine.get(url).status_code == 405
    answer = mine.post(url, {"next": "/incidents/"})
    assert answer.status_code == 302 and answer["Location"] == "/incidents/"
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.error == ""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    again = mine.post(url, {"next": "https://elsewhere.example/"}, follow=True)
    assert b"cannot be tried again" in again.content
    assert again.redirect_chain[0][0] == "/"


def test_the_progress_page_of_a_job_whose_worker_died_says_so_and_offers_a_retry(persona):
    from tromeja.incidents import imports

    user = persona("sl_border")
    job = jobs.create(
        kind=imports.KIND,
        user=user,
        params={"file_name": "a.csv"},
        enqueue=slow_tasks.slow_job.enqueue,
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=f"{socket.gethostname()}:999999999",
        attempts=1,
        phase="checking",
        total=10,
        done=4,
        started_at=timezone.now(),
    )
    page = testing.client_for(user).get(f"/incidents/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"every 1s" not in page.content
    assert b"stopped before it finished" in page.content
    assert f"/jobs/{job.pk}/retry/".encode() in page.content


@pytest.mark.skipif("connection.vendor != 'sqlite'")
@pytest.mark.django_db(transaction=True)
def test_a_progress_step_does_not_wait_for_another_writer_and_a_phase_waits_its_turn(
    reference_data, persona
):
    job = queued(persona("sl_border"), steps=0)
    progress = jobs.Progress(jobs.claim(job.pk), every=1)
    other = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database
    started = time.monotonic()
    progress.step(7)  # before: waited the busy timeout, then "database is locked"
    assert time.monotonic() - started < 2
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    progress.phase("saving", total=3)
    assert Job.objects.get(pk=job.pk).phase == "saving"
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_job_leaves_it_failed_and_retryable_never_running(
    reference_data, persona
):
    user = persona("sl_border")
    job = queued(user, steps=600, pause=0.05)
    worker = subprocs.start("worker")
    try:
        subprocs.until(lambda: Job.objects.get(pk=job.pk).done >= 10)
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(10)
    # The worker's process is gone: the next look marks the job failed.
    assert jobs.reap() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.LOST and job.can_retry
    assert jobs.input_path(job).read_text() == "input"
    assert not (jobs.job_dir(job) / "partial.txt").exists()
    # The user tries again; a worker finishes it.
    Job.objects.filter(pk=job.pk).update(params={"steps": 3, "pause": 0})
    jobs.retry(job=Job.objects.get(pk=job.pk), user=user)
    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert (jobs.job_dir(job) / "out.txt").read_text() == "input"


@pytest.mark.django_db(transaction=True)
def test_serve_restarts_a_killed_worker_which_fails_the_orphaned_job(reference_data, persona):
    from tromeja.core import health

    user = persona("sl_border")
    job = queued(user, steps=2000, pause=0.05)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocs.start("serve", "--port", str(port), "--threads", "2")
    try:
        running = subprocs.until(lambda: Job.objects.filter(pk=job.pk, done__gte=10).first())
        old_pid = int(running.worker.rpartition(":")[2])
        os.kill(old_pid, signal.SIGKILL)
        # serve starts a new worker, which fails the orphaned job at once.
        subprocs.until(lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED, 30)
        assert Job.objects.get(pk=job.pk).error == jobs.LOST
        names = subprocs.until(
            lambda: [
                p.name
                for p in health.run_dir().glob("worker-*")
                if p.name != f"worker-{socket.gethostname()}-{old_pid}"
            ]
        )
        assert names
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out, _err = server.communicate(timeout=20)
        except Exception:
            server.kill()
            out, _err = server.communicate()
    assert "worker" in out and "killed by SIGKILL" in out and "restarting" in out


def test_the_retention_command_removes_a_failed_jobs_kept_input_and_its_retry(persona):
    from datetime import timedelta

    job = queued(persona("sl_border"), steps=0)
    long_ago = timezone.now() - timedelta(days=40)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=jobs.LOST, finished_at=long_ago
    )
    assert Job.objects.get(pk=job.pk).can_retry
    call_command("clean_jobs", days=30, stdout=open(os.devnull, "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert not jobs.input_path(job).exists()
    assert job.result == {"files_removed": True} and not job.can_retry


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_ends_failed_and_imports_once_when_retried(
    reference_data, persona
):
    from tromeja.incidents import imports
    from tromeja.incidents.models import Incident
    from tromeja.incidents.tests.test_imports import csv_bytes, row

    user = persona("sl_border")
    rows = 6000
    job = imports.request_import(
        user=user,
        data=csv_bytes([row(i) for i in range(rows)]),
        file_name="reports.csv",
        mode="all",
        submit=False,
    )
    worker = subprocs.start("worker")
    try:
        subprocs.until(
            lambda: (
                Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, done__gte=500).exists()
                or Job.objects.filter(pk=job.pk, status=JobStatus.DONE).exists()
            ),
            120,
            every=0.05,
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(10)
    jobs.reap()
    job.refresh_from_db()
    # Never left running: failed and retryable, or (if it was quicker) done.
    assert job.status in {JobStatus.FAILED, JobStatus.DONE}
    if job.status == JobStatus.FAILED:
        assert job.error == jobs.LOST and job.can_retry
        assert Incident.objects.count() == 0  # the import is all or nothing
        assert imports.upload_path(job).exists()
        jobs.retry(job=job, user=user)
        call_command("db_worker", batch=True, verbosity=0)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["imported"] == rows
    assert Incident.objects.count() == rows
    assert not imports.upload_path(job).exists()
