"""Normalised keys of the entities that are cross-matched between reports.

A key is what two reports must share for the officer to be told "seen
before": the same plate and registration country, the same phone number in
E.164, the same document number and issuing country, the same name.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PLATE_SEPARATORS = re.compile(r"[\s\-.·_/]+")
# Latin letters and digits, with the letters used on plates of the region.
_PLATE = re.compile(r"^[A-Z0-9ČĆŠŽĐ]{2,12}$")
_DOCUMENT = re.compile(r"^[A-Z0-9]{4,20}$")


def plate_key(plate: str, country: str) -> str:
    """'lj f6-12e', 'SI' -> 'SI:LJF612E'."""
    compact = _PLATE_SEPARATORS.sub("", plate or "").upper()
    if not _PLATE.match(compact):
        raise ValidationError(
            _("“%(plate)s” is not a licence plate (2–12 letters and digits).") % {"plate": plate}
        )
    return f"{(country or '??').upper()}:{compact}"


def phone_key(number: str, region: str | None = None) -> str:
    """Any written form of a phone number -> E.164 ('+38641123456')."""
    try:
        parsed = phonenumbers.parse(number or "", (region or "SI").upper())
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValidationError(_("“%(number)s” is not a phone number.") % {"number": number})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def document_key(number: str, country: str) -> str:
    compact = _PLATE_SEPARATORS.sub("", number or "").upper()
    if not _DOCUMENT.match(compact):
        raise ValidationError(
            _("“%(number)s” is not a document number (4–20 letters and digits).")
            % {"number": number}
        )
    return f"{(country or '??').upper()}:{compact}"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("đ", "d").replace("Đ", "D").replace("ł", "l").replace("Ł", "L")
    return " ".join(re.sub(r"[^\w\s]", " ", plain).casefold().split())


def person_key(surname: str, given_names: str) -> str:
    """'KOVAČEVIĆ', 'Ivan' -> 'kovacevic|ivan': case, accents and spacing ignored."""
    key = f"{_fold(surname)}|{_fold(given_names)}"
    if key.startswith("|"):
        raise ValidationError(_("A person needs at least a surname."))
    return key
