"""A slow background job and a slow mail server, for tests that kill a
worker or the deadline clock while they work (they run in real processes,
which import this module by its name)."""

import time

from django.core.mail.backends.locmem import EmailBackend
from django_tasks import task

from tromeja.core import jobs

KIND = "test_slow"


def _work(job, progress):
    steps = int(job.params.get("steps", 0))
    progress.phase("writing", total=max(steps, 1))
    (jobs.job_dir(job) / "partial.txt").write_text("half")
    for n in range(1, steps + 1):
        time.sleep(float(job.params.get("pause", 0.05)))
        progress.step(n)
    (jobs.job_dir(job) / "out.txt").write_text(jobs.input_path(job).read_text())
    return {"file": "out.txt", "steps": steps}


@task()
def slow_job(job_id: int) -> None:
    jobs.run(job_id, _work)


def request_slow(user, *, steps: int, pause: float = 0.05, data: str = "input"):
    def enqueue(job_id):
        job = jobs.Job.objects.get(pk=job_id)
        jobs.input_path(job).write_text(data)
        return slow_job.enqueue(job_id)

    return jobs.create(
        kind=KIND, user=user, params={"steps": steps, "pause": pause}, enqueue=enqueue
    )


class SlowMailBackend(EmailBackend):
    """Takes a second a message, so the clock can be killed while it sends."""

    def send_messages(self, messages):
        for _message in messages:
            time.sleep(1.0)
        return super().send_messages(messages)
