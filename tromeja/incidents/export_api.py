"""Exports of the incident list through the API: the same service as the
page (`exports.start_export`), so the same visibility rule, handling columns
and disclosure entries. A small export is answered with the file; a large one
with the job that writes it, whose progress and file are read here."""

from typing import Literal

from django.http import FileResponse
from ninja import Query, Router, Schema, Status

from tromeja.core.export_api import ExportJobOut, attachment, export_job_out
from tromeja.core.exports import export_file, own_export_job
from tromeja.core.models import Job
from tromeja.incidents import exports
from tromeja.incidents.api import IncidentFilter
from tromeja.openapi import file_responses

router = Router(tags=["incidents"])


class IncidentExportIn(Schema):
    format: Literal["csv", "xlsx", "geojson"] = "csv"


@router.post(
    "",
    response={202: ExportJobOut},
    openapi_extra=file_responses(exports.FORMATS.values(), description="The file, when small"),
    summary="Export the reports you may export, with the list's filters: the file at once "
    "when small, else a job (202) that writes it",
)
def create_export(request, payload: IncidentExportIn, filters: Query[IncidentFilter]):
    outcome = exports.start_export(
        user=request.user, filters=filters.model_dump(), fmt=payload.format
    )
    if isinstance(outcome, Job):
        return Status(202, export_job_out(outcome, "api-1:incident_export_file"))
    return attachment(outcome.content, outcome.content_type, outcome.name)


@router.get("/{job_id}", response=ExportJobOut, summary="Progress of an export job")
def get_export(request, job_id: int):
    job = own_export_job(request.user, job_id, exports.KIND)
    return export_job_out(job, "api-1:incident_export_file")


@router.get(
    "/{job_id}/file",
    url_name="incident_export_file",
    summary="The file an export job wrote",
    openapi_extra=file_responses(exports.FORMATS.values()),
)
def get_export_file(request, job_id: int):
    job = own_export_job(request.user, job_id, exports.KIND)
    path = export_file(job)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=exports.FORMATS[job.params["format"]],
    )
