"""Helpers every export and print uses, and the one rule for handling codes in them.

Handling codes in exports and prints (docs/rules.md §1). An export or a print is
the reader's own working copy, used inside the service the record was given
to; it is not a passing-on. So a reader's export holds every record that
`restrict(user, "export")` gives them, their own country's and partners'
alike, H2 included: leaving out a partner's H2 report would make the file
lie about the reader's own picture without protecting anything. What H2
forbids is handing the record to anyone else without the provider's consent.
The software refuses that where it sees it (only the owner country changes a
distribution, forwarding asks `SharedRecord.may_be_passed_on`) and writes it
on the copy: every row carries its record's handling code, the code's text
and the H3 restrictions, and the file name carries the highest code of the
content, so the reader sees it before opening the file. Every export and
print logs a disclosure per record (`core/consult.py:disclose`).

The audit export carries entries about records, not their content, so no
handling code applies to it.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tromeja.core.choices import HandlingCode
from tromeja.core.models import Job
from tromeja.core.roles import Perm

# Cells starting with these are run as formulas by spreadsheet programs
# (CSV injection); a leading apostrophe makes them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The handling columns every exported row carries, last in the row.
HANDLING_COLUMNS = ("handling_code", "handling", "handling_note")


@dataclass(frozen=True)
class ExportFile:
    """An export answered at once (a larger one is a background job)."""

    content: bytes
    content_type: str
    name: str


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def handling_cells(record) -> dict:
    """The record's handling code, the code's text (the stamp) and its H3
    restrictions, for one exported row."""
    return {
        "handling_code": record.handling_code,
        "handling": record.stamp,
        "handling_note": record.handling_note if record.handling_code == HandlingCode.H3 else "",
    }


def highest_code(records) -> str:
    """The highest handling code among the records (H0 when there are none)."""
    return str(max((r.handling_code for r in records), default=HandlingCode.H0))


def file_name(prefix: str, records, extension: str) -> str:
    """`incidents-H2-20261204-0930.csv`: the highest code of the content and
    the local time of the export."""
    when = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{prefix}-{highest_code(records)}-{when}.{extension}"


# --- Large exports are written by a job (core/jobs.py) ----------------------------


def runs_in_background(count: int) -> bool:
    """Exports larger than this are written by a worker while the page shows
    progress; small ones are answered at once."""
    return count > settings.TROMEJA_EXPORT_INLINE_MAX


def own_export_job(user, pk, kind: str) -> Job:
    """An export job of `kind` that `user` asked for: anyone else's does not
    exist for them (404); without the export permission, 403."""
    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    return get_object_or_404(Job, pk=pk, requested_by=user, kind=kind)


def export_file(job: Job) -> Path:
    """The file the export job wrote (404 while there is none)."""
    from tromeja.core import jobs

    name = (job.result or {}).get("file")
    path = jobs.job_dir(job) / name if name else None
    if path is None or not path.is_file():
        raise Http404
    return path
