"""Localized error bodies for the API.

Every error the API returns has the same shape and speaks the caller's
language (Accept-Language, else the user's saved language):
    {"detail": "...", "errors": [{"field": "body.title", "message": "..."}]}
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tromeja.core import dates

# pydantic writes the choices as "'a', 'b' or 'c'": English, and quoted.
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _choices(expected) -> str:
    """The accepted values, listed without pydantic's English "or"."""
    text = str(expected)
    found = _QUOTED.findall(text)
    if not found:
        found = [p for p in re.split(r",\s*|\s+or\s+", text) if p]
    return ", ".join(value or '""' for value in found)


def _message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "null_character":
        return _("Null characters are not allowed.")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("At most %(n)d character.", "At most %(n)d characters.", n) % {"n": n}
    if kind == "string_too_short":
        n = int(ctx.get("min_length", 0))
        return ngettext("At least %(n)d character.", "At least %(n)d characters.", n) % {"n": n}
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_type", "float_parsing", "decimal_parsing"}:
        return _("Enter a number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind in {"uuid_type", "uuid_parsing"}:
        return _("Enter a valid identifier (UUID).")
    if kind == "date_out_of_range":
        return dates.out_of_range_message()
    if kind.startswith("date") and "time" not in kind:
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return _("Enter a valid date and time (ISO 8601).")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": _choices(ctx.get("expected", ""))}
    if kind in {"greater_than", "greater_than_equal"}:
        return _("The value is too small.")
    if kind in {"less_than", "less_than_equal"}:
        return _("The value is too large.")
    if kind in {"list_type", "too_long", "too_short"}:
        return _("Enter a list of the allowed size.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "extra_forbidden":
        return _("This field is not accepted.")
    if kind == "value_error":
        return str(ctx.get("error", "")) or _("This value is not valid.")
    return _("This value is not valid.")


def validation_errors(errors) -> list[dict]:
    result = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in {"body", "payload"}]
        result.append({"field": ".".join(loc), "message": _message(error)})
    return result


def django_errors(exc) -> list[dict]:
    """A django ValidationError (from a service function) in the same shape."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


GENERIC = {
    400: lambda: _("The request is not valid."),
    401: lambda: _("Sign in or send a valid API token."),
    403: lambda: _("Your roles or your token do not allow this."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    413: lambda: _("The request is too large."),
    428: lambda: _("State the purpose of your work (header X-Purpose) to read personal data."),
    429: lambda: _("Too many requests. Try again later."),
}
