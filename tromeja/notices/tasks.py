from django_tasks import task

from tromeja.notices import exports


@task()
def run_notice_export(job_id: int) -> None:
    exports.run_export(job_id)
