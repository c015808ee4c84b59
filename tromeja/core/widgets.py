"""How form controls are drawn, for every form of the node (FORM_RENDERER).

Browsers draw some controls themselves, in the browser's language rather than
the page's: the "mm/dd/yyyy" of date pickers, "Choose Files" / "No file
chosen" of file inputs. The renderer draws those controls so that everything
on them is in the page's language:

- date and date-time fields are text fields in the local format (the first
  of the language's DATE_INPUT_FORMATS / DATETIME_INPUT_FORMATS, see
  tromeja/formats), with the format as placeholder in the language's own
  letters ("dd.mm.llll" in Slovenian, "gg/mm/aaaa" in Italian); the fields
  accept that format, the others of the language and ISO 8601;
- file inputs are hidden behind a localized button and file name
  (templates/django/forms/widgets/file_picker.html, static/tromeja/inputs.js).

Validation bubbles ("Please fill out this field.") are switched off on every
form by static/tromeja/inputs.js; the server's errors, in the user's language,
take their place.
"""

import re
from datetime import datetime

from django.forms.renderers import TemplatesSetting
from django.utils import formats
from django.utils.translation import pgettext

# An example moment: every field of it has two digits, so the placeholder
# shows how many digits each part takes.
EXAMPLE = datetime(2026, 12, 31, 14, 30)

LOCAL_INPUTS = {
    "django/forms/widgets/date.html": "DATE_INPUT_FORMATS",
    "django/forms/widgets/datetime.html": "DATETIME_INPUT_FORMATS",
    "django/forms/widgets/time.html": "TIME_INPUT_FORMATS",
}


def local_input_format(format_key: str) -> str:
    """The format a field of this kind shows and suggests in the active language."""
    return formats.get_format(format_key)[0]


# A widget given an ISO format of its own (format="%Y-%m-%dT%H:%M", as for the
# browser's former date pickers) shows its value so; its placeholder and typing
# aid then describe that format, not the language's.
ISO_VALUE = {
    re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$"): "%Y-%m-%dT%H:%M",
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"): "%Y-%m-%d %H:%M",
    re.compile(r"^\d{4}-\d\d-\d\d$"): "%Y-%m-%d",
}


def example(format_key: str, fmt: str | None = None) -> str:
    """The example moment written in the local input format, e.g. "31.12.2026 14:30"."""
    return EXAMPLE.strftime(fmt or local_input_format(format_key))


def _letters() -> dict[str, str]:
    return {
        "%d": pgettext("letters for the day in a date field's placeholder", "dd"),
        "%m": pgettext("letters for the month in a date field's placeholder", "mm"),
        "%Y": pgettext("letters for the year in a date field's placeholder", "yyyy"),
        "%y": pgettext("letters for a two-digit year in a date field's placeholder", "yy"),
        "%H": pgettext("letters for the hour in a time field's placeholder", "hh"),
        "%M": pgettext("letters for the minute in a time field's placeholder", "mm"),
        "%S": pgettext("letters for the second in a time field's placeholder", "ss"),
    }


def pattern(format_key: str, fmt: str | None = None) -> str:
    """The local input format in the language's letters, e.g. "dd.mm.llll hh:mm".
    (An example date as placeholder looks like a value already filled in.)"""
    letters = _letters()
    fmt = fmt or local_input_format(format_key)
    return re.sub(r"%[a-zA-Z]", lambda m: letters.get(m[0], m[0]), fmt)


def value_format(value) -> str | None:
    """The ISO format a rendered value is written in, if it is one."""
    if isinstance(value, str):
        for shape, fmt in ISO_VALUE.items():
            if shape.match(value):
                return fmt
    return None


def local_input_attrs(format_key: str, value=None) -> dict[str, str]:
    """Attributes of a text field that takes a date, a time or both."""
    fmt = value_format(value)
    return {
        "placeholder": pattern(format_key, fmt),
        "inputmode": "numeric",
        "autocomplete": "off",
        # inputs.js adds the separators while digits are typed.
        "data-local-format": example(format_key, fmt),
    }


class FormRenderer(TemplatesSetting):
    """Django's TemplatesSetting renderer (so the widget templates under
    tromeja/templates/django/forms/ take precedence), drawing date and time
    fields as localized text fields."""

    def render(self, template_name, context, request=None):
        format_key = LOCAL_INPUTS.get(template_name)
        if format_key and isinstance(context, dict) and "widget" in context:
            widget = dict(context["widget"])
            widget["type"] = "text"
            attrs = local_input_attrs(format_key, widget.get("value"))
            widget["attrs"] = {**attrs, **widget.get("attrs", {})}
            context = {**context, "widget": widget}
        return super().render(template_name, context, request)
