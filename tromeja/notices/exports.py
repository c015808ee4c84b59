"""The notice export: a CSV of the notices a user may export, with the list's
filters. The page and the API both call `start_export`: small exports are
answered at once, large ones are written by a job (core/jobs.py) the
requester follows and downloads. The rows and their handling columns are
written by `services.export_csv` (core/exports.py holds the rule for
handling codes in every export)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja.core import jobs
from tromeja.core.exports import ExportFile, file_name, runs_in_background
from tromeja.core.models import Job
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.notices import services
from tromeja.notices.filters import apply_filters
from tromeja.notices.queries import visible_notices

MAX_ROWS = 10000
KIND = "notice_export"
CONTENT_TYPE = "text/csv; charset=utf-8"
FILTERS = ("q", "kind", "country", "sort")


def _exportable(user, filters: dict):
    return apply_filters(visible_notices(user, Action.EXPORT), filters)


def _write(user, notices) -> ExportFile:
    notices = list(notices)
    body = services.export_csv(user=user, notices=notices)
    # With a byte-order mark, spreadsheet programs read the file as UTF-8.
    return ExportFile(body.encode("utf-8-sig"), CONTENT_TYPE, file_name("notices", notices, "csv"))


def start_export(*, user, filters: dict) -> ExportFile | Job:
    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    notices = _exportable(user, filters)
    count = notices.count()
    if count > MAX_ROWS:
        # A file that silently stops at the limit would look complete.
        raise ValidationError(
            _("More than %(max)d notices: narrow the filters.") % {"max": MAX_ROWS}
        )
    if runs_in_background(count):
        return request_export(user=user, filters=filters)
    return _write(user, notices)


def request_export(*, user, filters: dict) -> Job:
    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    from tromeja.notices.tasks import run_notice_export

    serial = {k: str(filters[k]) for k in FILTERS if filters.get(k)}
    return jobs.create(
        kind=KIND,
        user=user,
        params={"filters": serial, "format": "csv", "time_zone": user.zone_name},
        enqueue=run_notice_export.enqueue,
    )


def run_export(job_id: int) -> Job:
    return jobs.run(job_id, _export)


def _export(job: Job, progress: jobs.Progress) -> dict:
    user = job.requested_by
    with timezone.override(job.params.get("time_zone") or settings.TIME_ZONE):
        # The job sees what its requester may export, no more.
        notices = _exportable(user, job.params.get("filters", {}))
        progress.phase("writing", total=notices.count())
        export = _write(user, notices)
    (jobs.job_dir(job) / export.name).write_bytes(export.content)
    return {"file": export.name, "exported": progress.job.total}
