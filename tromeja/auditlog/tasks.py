from django_tasks import task

from tromeja.auditlog import services


@task()
def run_audit_export(export_id: int) -> None:
    services.run_export(export_id)
