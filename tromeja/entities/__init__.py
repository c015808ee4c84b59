"""Persons, vehicles, phone numbers and identity documents: one set of rules
for every place that takes them (incident reports from the form, the API and
the import; subjects of contact-point messages) and for the cross-match.

Three things live here and nowhere else:

* normalisation: a plate with its registration country, a phone number in
  E.164, a document number with its issuing country, a name folded for case,
  accents and the common Latin transliterations of the region;
* validation, with one set of localized messages, each naming the kind and
  the line ("Vehicle 2: ...");
* the cross-match keys (kind, key): two records share a key when the officer
  should be told "seen before". The incident module indexes them in
  EntityRef, the exchange keeps them on each Subject; both look them up with
  `key_condition`.

A key's format must not change without re-keying what is stored (see the
migrations that re-key persons).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import phonenumbers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tromeja.core.choices import DataSubjectCategory
from tromeja.core.countries import is_country_code

PERSON = "person"
VEHICLE = "vehicle"
PHONE = "phone"
DOCUMENT = "document"
# The kinds, by the name of their list (Entities.persons, subjects_of(phones=...)).
KINDS = {"persons": PERSON, "vehicles": VEHICLE, "phones": PHONE, "documents": DOCUMENT}

_KIND_NAMES = {
    PERSON: gettext_lazy("Person"),
    VEHICLE: gettext_lazy("Vehicle"),
    PHONE: gettext_lazy("Phone"),
    DOCUMENT: gettext_lazy("Document"),
}

# Births before this year are typing errors.
FIRST_BIRTH_YEAR = 1900
NAME_LENGTH = 100

# Normalisation


_SEPARATORS = re.compile(r"[\s\-.·_/]+")
# Latin letters and digits, with the letters used on plates of the region.
_PLATE = re.compile(r"^[A-Z0-9ČĆŠŽĐ]{2,12}$")
_DOCUMENT = re.compile(r"^[A-Z0-9]{4,20}$")
# How the same name is written in Croatian, Slovenian, Italian and English:
# Đorđević, Djordjevic, Dordevic; Kovačić, Kovachich, Covacich; Jurišević,
# Giurissevich. Applied in this order to a name already without accents.
_TRANSLITERATIONS = (
    (re.compile(r"dj"), "d"),
    (re.compile(r"tch"), "c"),
    (re.compile(r"ch"), "c"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"zh"), "z"),
    (re.compile(r"gi(?=[aeou])"), "j"),
    (re.compile(r"ss"), "s"),
    (re.compile(r"k"), "c"),
)


def _plain(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("đ", "d").replace("Đ", "D").replace("ł", "l").replace("Ł", "L")
    return " ".join(re.sub(r"[^\w\s]", " ", plain).casefold().split())


def transliterate(plain: str) -> str:
    """A name already lower-cased and without accents, with the region's
    transliterations folded ('djordjevic' -> 'dordevic')."""
    for pattern, replacement in _TRANSLITERATIONS:
        plain = pattern.sub(replacement, plain)
    return plain


def fold_name(text: str) -> str:
    """'Đorđević', 'DJORDJEVIC', 'Dordevic' -> 'dordevic'."""
    return transliterate(_plain(text))


def person_key(surname: str, given_names: str) -> str:
    """'KOVAČEVIĆ', 'Ivan' -> 'covacevic|ivan': case, accents, spacing and
    transliteration ignored. Raises ValidationError without a surname."""
    key = f"{fold_name(surname)}|{fold_name(given_names)}"
    if key.startswith("|"):
        raise ValidationError(_("A person needs at least a surname."))
    return key


def plate_key(plate: str, country: str) -> str:
    """'lj f6-12e', 'SI' -> 'SI:LJF612E'."""
    compact = _SEPARATORS.sub("", plate or "").upper()
    if not _PLATE.match(compact):
        raise ValidationError(
            _("“%(plate)s” is not a licence plate (2–12 letters and digits).") % {"plate": plate}
        )
    return f"{(country or '??').upper()}:{compact}"


def phone_key(number: str, region: str | None = None) -> str:
    """Any written form of a phone number -> E.164 ('+38641123456'); a
    number without its country code is read as one of `region`."""
    try:
        parsed = phonenumbers.parse(number or "", (region or "SI").upper())
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValidationError(_("“%(number)s” is not a phone number.") % {"number": number})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def document_key(number: str, country: str) -> str:
    """'p 123-4567', 'af' -> 'AF:P1234567'."""
    compact = _SEPARATORS.sub("", number or "").upper()
    if not _DOCUMENT.match(compact):
        raise ValidationError(
            _("“%(number)s” is not a document number (4–20 letters and digits).")
            % {"number": number}
        )
    return f"{(country or '??').upper()}:{compact}"


# Validation


@dataclass(frozen=True)
class Person:
    surname: str
    given_names: str
    category: str
    nationality: str
    date_of_birth: date | None
    role: str
    key: str
    kind: str = PERSON


@dataclass(frozen=True)
class Vehicle:
    plate: str
    registration_country: str
    make: str
    model: str
    colour: str
    key: str
    kind: str = VEHICLE


@dataclass(frozen=True)
class Phone:
    number: str  # E.164
    key: str
    kind: str = PHONE


@dataclass(frozen=True)
class Document:
    type: str
    number: str  # compact, as in the key
    issuing_country: str
    fraudulent: bool
    key: str
    kind: str = DOCUMENT


class EntityError(ValueError):
    """What is wrong with one entity, in words that name its kind and line."""

    def __init__(self, kind: str, line: int, problem):
        self.kind, self.line, self.problem = kind, line, str(problem)
        super().__init__(message(kind, line, problem))


def message(kind: str, line: int, problem) -> str:
    """'Vehicle 2: “!!” is not a licence plate ...': the one form of every
    entity error, wherever the entity was given."""
    return _("%(kind)s %(line)d: %(problem)s") % {
        "kind": _KIND_NAMES[kind],
        "line": line,
        "problem": problem,
    }


def _text(raw, name) -> str:
    value = raw.get(name) if isinstance(raw, dict) else None
    return str(value or "").strip()


def _country(code: str) -> str:
    return (code or "").strip().upper()


def clean_person(raw: dict, *, line: int, roles=None) -> Person:
    """A person as given (surname, given names, data subject category,
    nationality, date of birth; a role when `roles` lists the allowed ones).
    Raises EntityError."""

    from tromeja.incidents.choices import PersonRole

    def fail(problem) -> NoReturn:
        raise EntityError(PERSON, line, problem)

    surname, given = _text(raw, "surname"), _text(raw, "given_names")
    try:
        key = person_key(surname, given)
    except ValidationError as exc:
        raise EntityError(PERSON, line, exc.messages[0]) from None
    if len(surname) > NAME_LENGTH or len(given) > NAME_LENGTH:
        fail(_("Names are at most %(length)d characters.") % {"length": NAME_LENGTH})
    role = _text(raw, "role")
    if roles is not None and role not in roles:
        fail(_("Choose the person's role."))
    category = _text(raw, "category")
    if category not in DataSubjectCategory.values:
        fail(_("Say whether the person is a suspect, convicted, a victim or another party."))
    if role == PersonRole.MIGRANT and category == DataSubjectCategory.SUSPECT:
        # docs/rules.md §7: migrants in an incident are not suspects.
        fail(_("A migrant is not recorded as a suspect."))
    nationality = _country(_text(raw, "nationality"))
    if nationality and not is_country_code(nationality):
        fail(_("“%(code)s” is not a country code (ISO 3166, e.g. SI).") % {"code": nationality})
    born = raw.get("date_of_birth") or None
    if born is not None and not isinstance(born, date):
        try:
            born = date.fromisoformat(str(born).strip())
        except ValueError:
            fail(_("Write the date of birth as YYYY-MM-DD."))
    if born is not None and (born > timezone.localdate() or born.year < FIRST_BIRTH_YEAR):
        fail(_("The date of birth is not possible."))
    return Person(
        surname=surname,
        given_names=given,
        category=category,
        nationality=nationality,
        date_of_birth=born,
        role=role,
        key=key,
    )


def clean_vehicle(raw: dict, *, line: int) -> Vehicle:
    """A vehicle: its plate and registration country (make, model, colour if
    given). Raises EntityError."""
    country = _country(_text(raw, "registration_country"))
    if not is_country_code(country):
        raise EntityError(VEHICLE, line, _("Give the registration country (ISO 3166, e.g. SI)."))
    plate = _text(raw, "plate")
    try:
        key = plate_key(plate, country)
    except ValidationError as exc:
        raise EntityError(VEHICLE, line, exc.messages[0]) from None
    return Vehicle(
        plate=plate.upper()[:20],
        registration_country=country,
        make=_text(raw, "make")[:40],
        model=_text(raw, "model")[:40],
        colour=_text(raw, "colour")[:30],
        key=key,
    )


def clean_phone(raw, *, line: int, region: str | None) -> Phone:
    """A phone number, as text or as {"number": ...}; read in `region`
    (the country of whoever gives it) when it has no country code."""
    number = raw if isinstance(raw, str) else _text(raw, "number")
    try:
        key = phone_key(number, region)
    except ValidationError as exc:
        raise EntityError(PHONE, line, exc.messages[0]) from None
    return Phone(number=key, key=key)


def clean_document(raw: dict, *, line: int, types) -> Document:
    """An identity document: its kind (one of `types`), number and issuing
    country. Raises EntityError."""
    kind = _text(raw, "type")
    if kind not in types:
        raise EntityError(DOCUMENT, line, _("Choose the kind of document."))
    country = _country(_text(raw, "issuing_country"))
    if not is_country_code(country):
        raise EntityError(DOCUMENT, line, _("Give the issuing country (ISO 3166, e.g. SI)."))
    try:
        key = document_key(_text(raw, "number"), country)
    except ValidationError as exc:
        raise EntityError(DOCUMENT, line, exc.messages[0]) from None
    return Document(
        type=kind,
        number=key.split(":", 1)[1],
        issuing_country=country,
        fraudulent=bool(raw.get("fraudulent")),
        key=key,
    )


@dataclass
class Cleaned:
    """The entities of one record, cleaned, each list in the order given;
    `errors` holds (list name, index from 0, message) of those refused."""

    persons: list[Person]
    vehicles: list[Vehicle]
    phones: list[Phone]
    documents: list[Document]
    errors: list[tuple[str, int, str]]

    def keys(self) -> list[tuple[str, str]]:
        return cross_match_keys([*self.persons, *self.vehicles, *self.phones, *self.documents])


def clean(
    *, persons=(), vehicles=(), phones=(), documents=(), region: str | None, person_roles=None
) -> Cleaned:
    """Every entity of a record, checked and normalised; a refused one is
    left out and its message kept in `errors`. `region` is the country of
    whoever gives them (phone numbers without a country code);
    `person_roles`, when given, are the roles a person must have."""
    from tromeja.incidents.choices import DocumentType

    found = Cleaned([], [], [], [], [])
    checks = (
        ("persons", persons, lambda raw, line: clean_person(raw, line=line, roles=person_roles)),
        ("vehicles", vehicles, lambda raw, line: clean_vehicle(raw, line=line)),
        ("phones", phones, lambda raw, line: clean_phone(raw, line=line, region=region)),
        (
            "documents",
            documents,
            lambda raw, line: clean_document(raw, line=line, types=DocumentType.values),
        ),
    )
    for name, items, check in checks:
        for index, raw in enumerate(items or ()):
            try:
                getattr(found, name).append(check(raw, index + 1))
            except EntityError as exc:
                found.errors.append((name, index, str(exc)))
    return found


# The cross-match


def cross_match_keys(entities) -> list[tuple[str, str]]:
    """The distinct (kind, key) of these entities, in the order first given."""
    return list(dict.fromkeys((e.kind, e.key) for e in entities))


def key_condition(keys, prefix: str = "") -> Q:
    """The rows holding any of these (kind, key): Q(kind=..., key=...) | ...
    on fields named `prefix`kind and `prefix`key. Nothing for no keys."""
    condition = Q(pk__in=[])
    for kind, key in sorted(set(keys)):
        condition |= Q(**{f"{prefix}kind": kind, f"{prefix}key": key})
    return condition
