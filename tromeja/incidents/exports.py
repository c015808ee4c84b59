"""Exports of the incident list: CSV, XLSX and GeoJSON.

An export leaves the system, so it is a disclosure: every exported report is
written to the audit trail, H1 is stamped on the file, and reports of other
countries under H2 are withheld (rules.md §1: not to be passed on without
the provider's consent). The list export carries no personal data: names,
plates, phones and documents stay in the system.
"""

import csv
import io
import json
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja.core import jobs
from tromeja.core.choices import HandlingCode
from tromeja.core.consult import disclose
from tromeja.core.exports import safe_cell
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
    "reference", "type", "status", "occurred_at", "aware_at", "latitude", "longitude", "border",
    "border_section", "responsible_unit", "nearest_crossing", "persons_total",
    "detection_method", "transport", "impact_level", "confidence", "owner_country",
    "handling_code", "evaluation_code", "late_report",
)  # fmt: skip


def _row(incident) -> dict:
    return {
        "reference": incident.reference,
        "type": incident.type,
        "status": incident.status,
        "occurred_at": timezone.localtime(incident.occurred_at).isoformat(timespec="minutes"),
        "aware_at": timezone.localtime(incident.aware_at).isoformat(timespec="minutes"),
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
        "handling_code": incident.handling_code,
        "evaluation_code": incident.evaluation_code,
        "late_report": incident.late_report,
    }


def export_incidents(*, user, queryset, fmt: str, progress=None) -> tuple[bytes, str, str, int]:
    """Returns (content, content type, file name, number withheld under H2).
    `progress(done)` is called as reports are read."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV, XLSX or GeoJSON.")})
    queryset = queryset.select_related("responsible_unit")
    if queryset.count() > MAX_ROWS:
        raise ValidationError(
            _("More than %(max)d reports: narrow the filters.") % {"max": MAX_ROWS}
        )
    reports, withheld = [], 0
    for done, incident in enumerate(queryset.iterator(chunk_size=2000), start=1):
        if progress is not None:
            progress(done)
        if (
            incident.handling_code == HandlingCode.H2
            and incident.owner_country_id != user.country_code
        ):
            withheld += 1
            continue
        reports.append(incident)
    stamps = []
    if any(r.handling_code == HandlingCode.H1 for r in reports):
        stamps.append(str(HandlingCode.H1.label))
    if any(r.handling_code == HandlingCode.H2 for r in reports):
        stamps.append(str(HandlingCode.H2.label))
    stamps.extend(f"{r.reference}: {r.handling_note}" for r in reports if r.handling_code == "H3")
    rows = [_row(r) for r in reports]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"incidents-{stamp}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for line in stamps:
            writer.writerow([safe_cell(line)])
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(row[c]) for c in COLUMNS])
        content = out.getvalue().encode("utf-8-sig")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Incidents"))
        for line in stamps:
            sheet.append([safe_cell(line)])
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append([
                safe_cell(v) if isinstance(v, str) else v for v in (row[c] for c in COLUMNS)
            ])  # fmt: skip
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    else:
        features = [
            {"type": "Feature",
             "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
             "properties": row}
            for row in rows
        ]  # fmt: skip
        content = json.dumps(
            {"type": "FeatureCollection", "handling": stamps, "features": features},
            ensure_ascii=False,
        ).encode()
    disclose(user, reports, channel=f"export-{fmt}")
    return content, FORMATS[fmt], name, withheld


# --- Long exports run in the background ----------------------------------------


def runs_in_background(count: int) -> bool:
    """Exports larger than this are written by a worker while the page shows
    progress; small ones are answered at once."""
    return count > settings.TROMEJA_EXPORT_INLINE_MAX


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
        params={"filters": serial, "format": fmt, "time_zone": user.time_zone},
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
        content, _type, name, withheld = export_incidents(
            user=user, queryset=queryset, fmt=job.params["format"], progress=progress.step
        )
    (jobs.job_dir(job) / name).write_bytes(content)
    return {"file": name, "withheld": withheld, "exported": progress.job.total - withheld}
