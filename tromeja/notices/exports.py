"""The notice export: a CSV of the notices a user may export, with the list's
filters. The page and the API both call `start_export`; the rows and the
handling columns are written by `services.export_csv` (core/exports.py holds
the rule for handling codes in every export)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tromeja.core.exports import ExportFile, file_name
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.notices import services
from tromeja.notices.filters import apply_filters
from tromeja.notices.queries import visible_notices

MAX_ROWS = 10000
CONTENT_TYPE = "text/csv; charset=utf-8"


def start_export(*, user, filters: dict) -> ExportFile:
    if not user.has_perm_code(Perm.EXPORT_RECORDS):
        raise PermissionDenied
    notices = apply_filters(visible_notices(user, Action.EXPORT), filters)
    if notices.count() > MAX_ROWS:
        # A file that silently stops at the limit would look complete.
        raise ValidationError(
            _("More than %(max)d notices: narrow the filters.") % {"max": MAX_ROWS}
        )
    notices = list(notices)
    body = services.export_csv(user=user, notices=notices)
    # With a byte-order mark, spreadsheet programs read the file as UTF-8.
    return ExportFile(body.encode("utf-8-sig"), CONTENT_TYPE, file_name("notices", notices, "csv"))
