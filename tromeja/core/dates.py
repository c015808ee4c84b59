"""The dates the node accepts: one range for every date and time a user or a
client enters (API schemas and forms alike).

Records of police cooperation concern people alive and events of this age:
nothing before 1900 or after 2100. The bound also keeps time zones sane:
before the 1890s Europe kept local mean time (Ljubljana: +00:58:04), an
offset RFC 3339 cannot write.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def out_of_range_message() -> str:
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def validate_sensible_date(value) -> None:
    """A form field validator: `validators=[validate_sensible_date]`."""
    if value is not None and not in_range(value):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")
