from django_tasks import task

from tromeja.incidents import exports, imports


@task()
def run_incident_import(job_id: int) -> None:
    imports.run_import(job_id)


@task()
def run_incident_export(job_id: int) -> None:
    exports.run_export(job_id)
