"""What the export endpoints of every list answer (incidents, notices): the
file of a small export, or the job that writes a large one."""

from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Schema

from tromeja.core.models import Job


class ExportJobOut(Schema):
    id: int
    kind: str
    status: str
    phase: str
    total: int
    done: int
    created_at: datetime
    finished_at: datetime | None
    result: dict
    file_url: str | None = None


def export_job_out(job: Job, url_name: str) -> ExportJobOut:
    """The job as the API shows it, with the address of its file once written."""
    out = ExportJobOut.from_orm(job)
    if (job.result or {}).get("file"):
        out.file_url = reverse(url_name, kwargs={"job_id": job.pk})
    return out


def attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
