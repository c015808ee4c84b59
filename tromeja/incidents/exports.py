"""Exports of the incident list: CSV, XLSX and GeoJSON.

An export leaves the system, so it is a disclosure: every exported report is
written to the audit trail, and every row carries its handling code, the
code's text and the H3 restrictions, as `core/exports.py` rules for every
export (partners' H2 reports included: an export is the reader's own copy,
not a passing-on). The files are laid out for standard readers: the header
is the first line of a CSV, dates are date cells in XLSX, and each GeoJSON
feature carries the handling columns in its properties, where GDAL reads
them. The list export carries no personal data: names, plates, phones and
documents stay in the system.

The page and the API both call `start_export`.
"""

import csv
import io
import json
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tromeja.core import jobs
from tromeja.core.consult import disclose
from tromeja.core.exports import (
    HANDLING_COLUMNS,
    ExportFile,
    file_name,
    handling_cells,
    runs_in_background,
    safe_cell,
)
from tromeja.core.models import Job
from tromeja.core.records import Action
from tromeja.core.roles import Perm

MAX_ROWS = 50000
KIND = "incident_export"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
COLUMNS = (
    "reference",
    "type",
    "status",
    "occurred_at",
    "aware_at",
    "latitude",
    "longitude",
    "border",
    "border_section",
    "responsible_unit",
    "nearest_crossing",
    "persons_total",
    "detection_method",
    "transport",
    "impact_level",
    "confidence",
    "owner_country",
    "evaluation_code",
    "late_report",
    *HANDLING_COLUMNS,
)
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
# The export of one report also carries the nationalities of its breakdown,
# as codes and as names in the reader's language (still no personal data).
REPORT_COLUMNS = (
    *COLUMNS[: -len(HANDLING_COLUMNS)],
    "nationalities",
    "nationality_names",
    *HANDLING_COLUMNS,
)


def _nationalities(incident) -> dict:
    from tromeja.core.countries import country_name

    language = get_language()
    codes = list(dict.fromkeys(c.nationality for c in incident.counts.all()))
    return {
        "nationalities": "; ".join(code or "?" for code in codes),
        "nationality_names": "; ".join(
            country_name(code, language) if code else _("Unknown") for code in codes
        ),
    }


def _row(incident) -> dict:
    """One report's values; dates stay datetimes (local time) until each
    format writes them its own way."""
    return {
        "reference": incident.reference,
        "type": incident.type,
        "status": incident.status,
        "occurred_at": timezone.localtime(incident.occurred_at).replace(second=0, microsecond=0),
        "aware_at": timezone.localtime(incident.aware_at).replace(second=0, microsecond=0),
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "border": incident.border,
        "border_section": incident.border_section,
        "responsible_unit": incident.responsible_unit.code if incident.responsible_unit_id else "",
        "nearest_crossing": incident.nearest_crossing,
        "persons_total": incident.persons_total,
        "detection_method": incident.detection_method,
        "transport": incident.transport,
        "impact_level": incident.impact_level,
        "confidence": incident.confidence,
        "owner_country": incident.owner_country_id,
        "evaluation_code": incident.evaluation_code,
        "late_report": incident.late_report,
        **handling_cells(incident),
    }


def _text(value):
    """A value as CSV and GeoJSON write it: dates in ISO 8601 with their offset."""
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        # Spreadsheets hold no time zone: the cell is the local time of the
        # export, as the CSV's offset says.
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    return safe_cell(value) if isinstance(value, str) else value


def export_incidents(
    *, user, queryset, fmt: str, progress=None, columns=COLUMNS, prefix="incidents"
) -> tuple[bytes, str, str]:
    """Returns (content, content type, file name) of the reports in
    `queryset`, which the caller took from `restrict(user, "export")`.
    `progress(done)` is called as reports are read."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV, XLSX or GeoJSON.")})
    breakdown = "nationalities" in columns
    queryset = queryset.select_related("responsible_unit")
    if breakdown:
        queryset = queryset.prefetch_related("counts")
    if queryset.count() > MAX_ROWS:
        raise ValidationError(
            _("More than %(max)d reports: narrow the filters.") % {"max": MAX_ROWS}
        )
    reports = []
    for done, incident in enumerate(queryset.iterator(chunk_size=2000), start=1):
        if progress is not None:
            progress(done)
        reports.append(incident)
    rows = [{**_row(r), **(_nationalities(r) if breakdown else {})} for r in reports]
    name = file_name(prefix, reports, fmt)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(_text(row[c])) for c in columns])
        content = out.getvalue().encode("utf-8-sig")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Incidents"))
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, row[c]) for c in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    else:
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                "properties": {c: _text(row[c]) for c in columns},
            }
            for row in rows
        ]
        content = json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False
        ).encode()
    disclose(user, reports, channel=f"export-{fmt}")
    return content, FORMATS[fmt], name


def start_export(*, user, filters: dict, fmt: str) -> ExportFile | Job:
    """The export of the incident list with `filters` (the list's filters) in
    `fmt`, as the page and the API ask for it: the file at once when it is
    small, else a queued job that writes it (`runs_in_background`)."""
    from tromeja.incidents.filters import apply_filters
    from tromeja.incidents.models import Incident

    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV, XLSX or GeoJSON.")})
    queryset = apply_filters(Incident.objects.restrict(user, Action.EXPORT), filters)
    count = queryset.count()
    if count > MAX_ROWS:
        raise ValidationError(
            _("More than %(max)d reports: narrow the filters.") % {"max": MAX_ROWS}
        )
    if runs_in_background(count):
        return request_export(user=user, filters=filters, fmt=fmt)
    return ExportFile(*export_incidents(user=user, queryset=queryset, fmt=fmt))


def export_report(*, user, pk, fmt: str) -> ExportFile:
    """The export of one report, from its page: what `restrict(user,
    "export")` lets the user take, stamped and written to the audit trail as
    every export is. A report the user may not see does not exist (Http404)."""
    from tromeja.incidents.models import Incident

    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV, XLSX or GeoJSON.")})
    incident = Incident.objects.get_visible(user, pk, Action.EXPORT)
    queryset = Incident.objects.restrict(user, Action.EXPORT).filter(pk=incident.pk)
    return ExportFile(
        *export_incidents(
            user=user,
            queryset=queryset,
            fmt=fmt,
            columns=REPORT_COLUMNS,
            prefix=f"incident-{incident.reference}",
        )
    )


# --- Long exports run in the background ----------------------------------------


def request_export(*, user, filters: dict, fmt: str) -> Job:
    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV, XLSX or GeoJSON.")})
    from tromeja.incidents.tasks import run_incident_export

    serial = {k: v.isoformat() if isinstance(v, date) else v for k, v in filters.items() if v}
    return jobs.create(
        kind=KIND,
        user=user,
        params={"filters": serial, "format": fmt, "time_zone": user.zone_name},
        enqueue=run_incident_export.enqueue,
    )


def run_export(job_id: int) -> Job:
    return jobs.run(job_id, _export)


def _export(job: Job, progress: jobs.Progress) -> dict:
    from tromeja.incidents.filters import apply_filters
    from tromeja.incidents.models import Incident

    user = job.requested_by
    filters = dict(job.params.get("filters", {}))
    for key in ("since", "until"):
        if filters.get(key):
            filters[key] = date.fromisoformat(filters[key])
    with timezone.override(job.params.get("time_zone") or settings.TIME_ZONE):
        # The job sees what its requester may export, no more.
        queryset = apply_filters(Incident.objects.restrict(user, Action.EXPORT), filters)
        progress.phase("writing", total=queryset.count())
        content, _type, name = export_incidents(
            user=user, queryset=queryset, fmt=job.params["format"], progress=progress.step
        )
    (jobs.job_dir(job) / name).write_bytes(content)
    return {"file": name, "exported": progress.job.total}
