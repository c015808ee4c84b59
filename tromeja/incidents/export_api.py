"""Exports of the incident list through the API: the same service as the
page (`exports.start_export`), so the same visibility rule, handling columns
and disclosure entries. A small export is answered with the file; a large one
with the job that writes it, whose progress and file are read here."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Schema, Status

from tromeja.core import jobs
from tromeja.core.models import Job
from tromeja.core.roles import Perm
from tromeja.incidents import exports
from tromeja.incidents.api import IncidentFilter, JobOut

router = Router(tags=["incidents"])


class IncidentExportIn(Schema):
    format: Literal["csv", "xlsx", "geojson"] = "csv"


class IncidentExportJobOut(JobOut):
    file_url: str | None = None


def _attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _own_job(request, job_id: int) -> Job:
    """The requester's own export job; anyone else's does not exist for them."""
    if not request.user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    return get_object_or_404(Job, pk=job_id, requested_by=request.user, kind=exports.KIND)


def _job_out(job: Job) -> IncidentExportJobOut:
    out = IncidentExportJobOut.from_orm(job)
    if job.result.get("file"):
        out.file_url = reverse("api-1:incident_export_file", kwargs={"job_id": job.pk})
    return out


@router.post(
    "",
    response={202: IncidentExportJobOut},
    summary="Export the reports you may export, with the list's filters: the file at once "
    "when small, else a job (202) that writes it",
)
def create_export(request, payload: IncidentExportIn, filters: Query[IncidentFilter]):
    outcome = exports.start_export(
        user=request.user, filters=filters.model_dump(), fmt=payload.format
    )
    if isinstance(outcome, Job):
        return Status(202, _job_out(outcome))
    return _attachment(outcome.content, outcome.content_type, outcome.name)


@router.get("/{job_id}", response=IncidentExportJobOut, summary="Progress of an export job")
def get_export(request, job_id: int):
    return _job_out(_own_job(request, job_id))


@router.get(
    "/{job_id}/file", url_name="incident_export_file", summary="The file an export job wrote"
)
def get_export_file(request, job_id: int):
    job = _own_job(request, job_id)
    name = job.result.get("file")
    path = jobs.job_dir(job) / name if name else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=exports.FORMATS[job.params["format"]],
    )
