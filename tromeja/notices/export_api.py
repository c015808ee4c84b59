"""The notice export through the API: the same service as the page
(`exports.start_export`), so the same visibility rule, handling columns and
disclosure entries; a large export is a job, read here."""

from django.http import FileResponse
from ninja import Query, Router, Status

from tromeja.core.export_api import ExportJobOut, attachment, export_job_out
from tromeja.core.exports import export_file, own_export_job
from tromeja.core.models import Job
from tromeja.notices import exports
from tromeja.notices.api import NoticeFilter
from tromeja.openapi import file_responses

router = Router(tags=["notices"])


@router.post(
    "",
    response={202: ExportJobOut},
    openapi_extra=file_responses([exports.CONTENT_TYPE], description="The file, when small"),
    summary="Export the notices you may export, with the list's filters (CSV): the file at "
    "once when small, else a job (202) that writes it",
)
def create_export(request, filters: Query[NoticeFilter]):
    outcome = exports.start_export(user=request.user, filters=filters.model_dump())
    if isinstance(outcome, Job):
        return Status(202, export_job_out(outcome, "api-1:notice_export_file"))
    return attachment(outcome.content, outcome.content_type, outcome.name)


@router.get("/{job_id}", response=ExportJobOut, summary="Progress of a notice export job")
def get_export(request, job_id: int):
    job = own_export_job(request.user, job_id, exports.KIND)
    return export_job_out(job, "api-1:notice_export_file")


@router.get(
    "/{job_id}/file",
    url_name="notice_export_file",
    summary="The file a notice export job wrote",
    openapi_extra=file_responses([exports.CONTENT_TYPE]),
)
def get_export_file(request, job_id: int):
    job = own_export_job(request.user, job_id, exports.KIND)
    path = export_file(job)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=exports.CONTENT_TYPE
    )
