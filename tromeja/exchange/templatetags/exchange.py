from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def time_left(value: timedelta) -> str:
    """Time left before a deadline, in the reader's language ("overdue by"
    once past)."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    else:
        text = _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("overdue by %(time)s") % {"time": text} if late else text
