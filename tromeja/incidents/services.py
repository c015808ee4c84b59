"""Every write on incident reports: the form, the API, the importer and the
demo all come here. Each function checks everything first and then writes in
one transaction, so a bad report changes nothing."""

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja import entities as entities_rules
from tromeja.core import audit
from tromeja.core.choices import AuditAction, DataSubjectCategory, Distribution
from tromeja.core.consult import disclose
from tromeja.core.countries import is_country_code
from tromeja.core.models import Sequence, Unit
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.services import recipients_of, validate_distribution
from tromeja.core.transitions import StaleState, lock
from tromeja.geography.locate import in_region, locate, sections
from tromeja.incidents import mapcells
from tromeja.incidents.choices import (
    AgeGroup,
    DocumentType,
    EntityKind,
    PersonRole,
    Sex,
    Status,
)
from tromeja.incidents.models import (
    DocumentEntry,
    EntityRef,
    Incident,
    IncidentVersion,
    PersonCount,
    PersonEntry,
    PhoneEntry,
    VehicleEntry,
)

# Fields of the report itself that callers set.
FIELDS = (
    "type",
    "occurred_at",
    "aware_at",
    "latitude",
    "longitude",
    "place_name",
    "detection_method",
    "transport",
    "stage",
    "crossing_mode",
    "direction",
    "evasion",
    "embarkation_country",
    "destination_country",
    "persons_total",
    "narrative",
    "impact_level",
    "confidence",
    "handling_code",
    "handling_note",
    "source_reliability",
    "information_accuracy",
    "review_by",
)
# Future events are refused; this much clock skew between devices is forgiven.
CLOCK_SKEW = timedelta(minutes=5)
# Directive 2016/680 art. 5: personal data in a report is reviewed after a year
# unless the officer sets another date.
DEFAULT_REVIEW_DAYS = 365
_CATEGORY_ORDER = [
    DataSubjectCategory.SUSPECT,
    DataSubjectCategory.CONVICTED,
    DataSubjectCategory.VICTIM,
    DataSubjectCategory.OTHER,
]


# Allowed codes, looked up for every row of an import.
_VALUES = {
    choices: frozenset(choices.values)
    for choices in (Sex, AgeGroup, PersonRole, DataSubjectCategory, DocumentType)
}
# Fields the service sets itself; the model's own checks skip them.
_SET_BY_SERVICE = [
    "owner_agency",
    "owner_country",
    "created_by",
    "updated_by",
    "reference",
    "responsible_unit",
    "validated_by",
    "follows",
    "id",
    "created_at",
    "updated_at",
    "version",
    "status",
    "late_report",
    "has_personal_data",
    "data_subject_category",
    "border",
    "border_section",
    "nearest_crossing",
    "section_distance_km",
    "crossing_distance_km",
    "submitted_at",
    "validated_at",
    "return_comment",
    "distribution",
]


@dataclass
class Entities:
    """The lists that belong to a report, as plain dicts (form, API, import)."""

    counts: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    vehicles: list[dict] = field(default_factory=list)
    phones: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)


class _Errors:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str):
        self.errors.setdefault(key, []).append(str(message))

    def raise_if_any(self):
        if self.errors:
            raise ValidationError(self.errors)


def _check_country(errors, key, code, *, required=False):
    if not code:
        if required:
            errors.add(key, _("Give the country."))
        return
    if not is_country_code(code):
        errors.add(key, _("“%(code)s” is not a country code (ISO 3166, e.g. SI).") % {"code": code})


def _clean_entities(entities: Entities, *, region: str, total: int, errors: _Errors) -> dict:
    """Validates and normalises the lists; returns the rows to create."""
    rows = {"counts": [], "persons": [], "vehicles": [], "phones": [], "documents": []}
    counted = 0
    for i, c in enumerate(entities.counts):
        key = f"counts.{i}"
        try:
            number = int(c.get("count") or 0)
            unaccompanied = int(c.get("unaccompanied") or 0)
        except (TypeError, ValueError):
            errors.add(key, _("Counts are whole numbers."))
            continue
        if number < 1 or unaccompanied < 0:
            errors.add(key, _("Counts cannot be negative or zero."))
            continue
        nationality = (c.get("nationality") or "").upper()
        _check_country(errors, key, nationality)
        if c.get("sex") not in _VALUES[Sex]:
            errors.add(key, _("Choose the sex (or unknown)."))
        if c.get("age_group") not in _VALUES[AgeGroup]:
            errors.add(key, _("Choose adults or minors."))
        if unaccompanied > number:
            errors.add(key, _("More unaccompanied minors than minors."))
        if unaccompanied and c.get("age_group") != AgeGroup.MINOR:
            errors.add(key, _("Only minors can be unaccompanied."))
        counted += number
        rows["counts"].append(
            {
                "nationality": nationality,
                "sex": c.get("sex"),
                "age_group": c.get("age_group"),
                "count": number,
                "unaccompanied": unaccompanied,
            }
        )
    if entities.counts and counted != total:
        errors.add(
            "persons_total",
            _("The breakdown adds up to %(sum)d persons, not %(total)d.")
            % {"sum": counted, "total": total},
        )
    if total and not entities.counts:
        errors.add("persons_total", _("Break the persons down by nationality, sex and age."))
    cleaned = entities_rules.clean(
        persons=entities.persons,
        vehicles=entities.vehicles,
        phones=entities.phones,
        documents=entities.documents,
        region=region,
        person_roles=_VALUES[PersonRole],
    )
    for name, index, message in cleaned.errors:
        errors.add(f"{name}.{index}", message)
    rows["persons"] = [
        {
            "role": p.role,
            "category": p.category,
            "surname": p.surname,
            "given_names": p.given_names,
            "date_of_birth": p.date_of_birth,
            "nationality": p.nationality,
            "_key": p.key,
        }
        for p in cleaned.persons
    ]
    rows["vehicles"] = [
        {
            "plate": v.plate,
            "registration_country": v.registration_country,
            "make": v.make,
            "model": v.model,
            "colour": v.colour,
            "_key": v.key,
        }
        for v in cleaned.vehicles
    ]
    rows["phones"] = [{"number": ph.number, "_key": ph.key} for ph in cleaned.phones]
    rows["documents"] = [
        {
            "type": d.type,
            "number": d.number,
            "issuing_country": d.issuing_country,
            "fraudulent": d.fraudulent,
            "_key": d.key,
        }
        for d in cleaned.documents
    ]
    return rows


def _place(
    incident: Incident,
    *,
    section_code: str = "",
    reason: str = "",
    errors: _Errors,
    units: dict | None = None,
    located=None,
):
    """Border section, responsible unit and nearest crossing from the
    coordinates; an officer may name another section with a reason."""
    lat, lon = incident.latitude, incident.longitude
    if lat is None or lon is None or not in_region(lat, lon):
        errors.add("latitude", _("The place is outside the region of the cooperation."))
        return
    # An import locates all its rows at once (`locate_many`) and passes the answer.
    found = located[1] if located is not None and located[0] == (lat, lon) else locate(lat, lon)
    incident.location_override_reason = ""
    if section_code:
        section = sections().get(section_code)
        if section is None:
            errors.add("border_section", _("Unknown border section."))
            return
        if not reason.strip() and (found is None or found.section != section_code):
            errors.add(
                "location_override_reason", _("Say why the report belongs to another section.")
            )
            return
        if found is None or found.section != section_code:
            incident.location_override_reason = reason.strip()[:300]
    else:
        section = sections()[found.section] if found else None
    if section is None:
        incident.border_section = incident.border = incident.nearest_crossing = ""
        incident.responsible_unit = None
        incident.section_distance_km = incident.crossing_distance_km = None
        return
    incident.border_section = section.code
    incident.border = section.border
    unit_code = section.units_by_country.get(incident.owner_country_id) or section.units[0]
    if units is not None:
        incident.responsible_unit_id = units.get(unit_code)
    else:
        incident.responsible_unit = Unit.objects.filter(code=unit_code).first()
    if found is not None:
        incident.section_distance_km = round(found.distance_km, 2)
        incident.nearest_crossing = found.crossing
        incident.crossing_distance_km = round(found.crossing_distance_km, 2)


def _check_times(incident: Incident, errors: _Errors):
    now = timezone.now()
    for name in ("occurred_at", "aware_at"):
        value = getattr(incident, name)
        if not isinstance(value, datetime):
            errors.add(name, _("Give the date and time."))
        elif value > now + CLOCK_SKEW:
            errors.add(name, _("The time is in the future."))
    if (
        isinstance(incident.occurred_at, datetime)
        and isinstance(incident.aware_at, datetime)
        and incident.aware_at < incident.occurred_at
    ):
        errors.add("aware_at", _("Awareness cannot come before the event."))


def _personal_data(incident: Incident, rows: dict):
    people = rows["persons"]
    personal = bool(people or rows["phones"] or rows["documents"] or rows["vehicles"])
    incident.has_personal_data = personal
    if not personal:
        incident.data_subject_category = ""
        incident.review_by = None
        return
    categories = {p["category"] for p in people}
    incident.data_subject_category = next(
        (c for c in _CATEGORY_ORDER if c in categories), DataSubjectCategory.OTHER
    )
    if not incident.review_by:
        incident.review_by = timezone.localdate() + timedelta(days=DEFAULT_REVIEW_DAYS)


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _write_entities(items: list[tuple[Incident, dict]], *, replace: bool = False):
    """Writes the lists of the given reports and their cross-match index, a
    few statements for any number of reports."""
    incidents = [incident for incident, _rows in items]
    if replace:
        for model in (PersonCount, PersonEntry, VehicleEntry, PhoneEntry, DocumentEntry, EntityRef):
            model.objects.filter(incident__in=incidents).delete()
    counts, persons, vehicles, phones, documents, refs = [], [], [], [], [], []
    for incident, rows in items:
        counts.extend(PersonCount(incident=incident, **r) for r in rows["counts"])
        seen = {}
        for row in rows["persons"]:
            persons.append(PersonEntry(incident=incident, **_strip(row)))
            label = f"{row['surname']}, {row['given_names']}".strip(", ")
            seen.setdefault((EntityKind.PERSON, row["_key"]), label)
        for row in rows["vehicles"]:
            vehicles.append(VehicleEntry(incident=incident, **_strip(row)))
            label = f"{row['plate']} ({row['registration_country']})"
            seen.setdefault((EntityKind.VEHICLE, row["_key"]), label)
        for row in rows["phones"]:
            phones.append(PhoneEntry(incident=incident, **_strip(row)))
            seen.setdefault((EntityKind.PHONE, row["_key"]), row["number"])
        for row in rows["documents"]:
            documents.append(DocumentEntry(incident=incident, **_strip(row)))
            label = f"{row['number']} ({row['issuing_country']})"
            seen.setdefault((EntityKind.DOCUMENT, row["_key"]), label)
        refs.extend(
            EntityRef(
                incident=incident,
                kind=kind,
                key=key,
                label=label[:150],
                occurred_at=incident.occurred_at,
            )
            for (kind, key), label in seen.items()
        )
    for model, objs in (
        (PersonCount, counts),
        (PersonEntry, persons),
        (VehicleEntry, vehicles),
        (PhoneEntry, phones),
        (DocumentEntry, documents),
        (EntityRef, refs),
    ):
        model.objects.bulk_create(objs, batch_size=2000)


def _prepare(
    incident,
    user,
    fields,
    entities,
    *,
    distribution,
    shared_with,
    section_code,
    override_reason,
    units=None,
    errors=None,
    located=None,
):
    errors = errors or _Errors()
    unknown = set(fields) - set(FIELDS)
    if unknown:
        errors.add("__all__", _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        if name in FIELDS:
            setattr(incident, name, value)
    incident.embarkation_country = (incident.embarkation_country or "").upper()
    incident.destination_country = (incident.destination_country or "").upper()
    _check_country(errors, "embarkation_country", incident.embarkation_country)
    _check_country(errors, "destination_country", incident.destination_country)
    _check_times(incident, errors)
    try:
        total = int(incident.persons_total or 0)
    except (TypeError, ValueError):
        total = 0
        errors.add("persons_total", _("Counts are whole numbers."))
    if total < 0:
        errors.add("persons_total", _("Counts cannot be negative or zero."))
    rows = _clean_entities(entities, region=incident.owner_country_id, total=total, errors=errors)
    _place(
        incident,
        section_code=section_code,
        reason=override_reason,
        errors=errors,
        units=units,
        located=located,
    )
    _personal_data(incident, rows)
    try:
        incident.full_clean(
            exclude=_SET_BY_SERVICE,
            # New reports get fresh UUIDs and their reference when saved.
            validate_unique=False,
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                errors.add(key, message)
    try:
        codes = validate_distribution(user=user, distribution=distribution, countries=shared_with)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                errors.add(key, message)
        codes = []
    errors.raise_if_any()
    return rows, codes


@dataclass
class Prepared:
    """A new report checked and ready to be written."""

    incident: Incident
    rows: dict
    codes: list[str]
    related: list[Incident] = field(default_factory=list)


def _resolve_reports(user, values, errors: _Errors, key: str) -> list[Incident]:
    """Earlier reports named by id, reference or instance, among those the
    user may see; an unknown or hidden one is an error (never a hint that it
    exists)."""
    found = []
    for value in values:
        if isinstance(value, Incident):
            value = value.pk
        text = str(value).strip()
        if not text:
            continue
        visible = Incident.objects.restrict(user)
        try:
            match = visible.filter(pk=UUID(text)).first()
        except ValueError:
            match = visible.filter(reference=text.upper()).first()
        if match is None:
            errors.add(key, _("There is no report “%(ref)s” that you can see.") % {"ref": text})
        elif match not in found:
            found.append(match)
    return found


def prepare_incident(
    *,
    user,
    entities: Entities | None = None,
    distribution=Distribution.NATIONAL,
    shared_with=(),
    section_code="",
    override_reason="",
    follows=None,
    related=(),
    units: dict | None = None,
    located=None,
    **fields,
) -> Prepared:
    """Checks a new report without writing anything; raises ValidationError
    with every problem found, keyed by field (lists as "vehicles.0")."""
    if not user.has_perm_code(Perm.CREATE_RECORDS) or not user.unit_id:
        raise PermissionDenied
    errors = _Errors()
    if distribution != Distribution.NATIONAL and not user.has_perm_code(Perm.SHARE_RECORDS):
        errors.add("distribution", _("Your roles do not allow sharing records."))
        distribution = Distribution.NATIONAL
    incident = Incident(
        owner_agency_id=user.unit.agency_id,
        owner_country_id=user.country_code,
        created_by=user,
        updated_by=user,
        status=Status.DRAFT,
        distribution=distribution,
    )
    earlier = _resolve_reports(user, [follows] if follows else [], errors, "follows")
    linked = _resolve_reports(user, related, errors, "related")
    rows, codes = _prepare(
        incident,
        user,
        fields,
        entities or Entities(),
        distribution=distribution,
        shared_with=shared_with,
        section_code=section_code,
        override_reason=override_reason,
        units=units,
        errors=errors,
        located=located,
    )
    if earlier:
        incident.follows = earlier[0]
    return Prepared(incident, rows, codes, linked)


def save_new_incidents(*, user, prepared: list[Prepared], submit: bool = False) -> list[Incident]:
    """Writes checked reports in one transaction, in a few statements whatever
    their number: all of them or none. With `submit`, they go to the
    supervisor at once (the 24-hour rule is applied as for one report)."""
    with transaction.atomic():
        incidents = _write_new(
            user, prepared, status=Status.SUBMITTED if submit else Status.DRAFT, submit=submit
        )
        if submit:
            # Drafts are not counted on the map's grids; submitted reports are.
            mapcells.apply(mapcells.contributions([i.pk for i in incidents]))
        events = [audit.Event(AuditAction.COLLECTION, obj=i) for i in incidents]
        if submit:
            events += _submitted_events(incidents)
        _log_in_blocks(user, events)
    return incidents


# An import writes its reports in blocks of this many, each in a transaction
# of its own (one to five seconds on the embedded default: smaller blocks
# would let other writers in sooner but cost more in all, docs/performance.md).
STAGE_BLOCK = 5000
STAGE_PAUSE = 0.15


def stage_new_incidents(
    *, user, prepared: list[Prepared], job, submit: bool = False, progress=None
) -> list[Incident]:
    """Writes the checked reports of an import in blocks of STAGE_BLOCK, each
    in its own short transaction, as "being imported": nobody sees them yet,
    not even the importer. On the embedded default every writer of the node
    waits for the one that writes, so the others wait a block, not the whole
    file. `publish_staged()` then shows them all in one short transaction;
    `discard_staged()` removes them if the import cannot finish."""
    incidents: list[Incident] = []
    for start in range(0, len(prepared), STAGE_BLOCK):
        block = prepared[start : start + STAGE_BLOCK]
        with transaction.atomic():
            written = _write_new(
                user, block, status=Status.IMPORTING, submit=submit, import_job=job
            )
            _log_in_blocks(user, [audit.Event(AuditAction.COLLECTION, obj=i) for i in written])
        incidents += written
        if progress is not None:
            progress.step(len(incidents))
        if connection.vendor == "sqlite" and start + STAGE_BLOCK < len(prepared):
            # Writers waiting for SQLite's lock poll for it every 100 ms at
            # most; without a pause the next block would take it again first.
            time.sleep(STAGE_PAUSE)
    return incidents


def publish_staged(*, user, job, incidents: list[Incident], submit: bool = False) -> int:
    """Every report that `job` staged becomes a draft of the importer (or a
    submitted report, with `submit`), all at once: one statement, the map's
    counts and the status entries in the same transaction."""
    status = Status.SUBMITTED if submit else Status.DRAFT
    with transaction.atomic():
        published = Incident.objects.filter(import_job=job, status=Status.IMPORTING).update(
            status=status
        )
        if published != len(incidents):
            raise RuntimeError(f"import {job.pk}: {published} of {len(incidents)} reports staged")
        for incident in incidents:
            incident.status = status
        if submit:
            mapcells.apply(mapcells.contributions([i.pk for i in incidents]))
            _log_in_blocks(user, _submitted_events(incidents))
    return published


def discard_staged(*, user, job) -> int:
    """Removes what an import that did not finish had staged, in blocks, each
    removal in the audit trail (the collection entries stay, as they must)."""
    removed = 0
    while True:
        with transaction.atomic():
            block = list(
                Incident.objects.filter(import_job=job, status=Status.IMPORTING).only(
                    "pk", "owner_country_id"
                )[:STAGE_BLOCK]
            )
            if not block:
                return removed
            _log_in_blocks(
                user,
                [
                    audit.Event(AuditAction.ERASURE, obj=i, detail={"import": "not finished"})
                    for i in block
                ],
            )
            Incident.objects.filter(pk__in=[i.pk for i in block]).delete()
        removed += len(block)


def _submitted_events(incidents) -> list:
    return [
        audit.Event(AuditAction.ALTERATION, obj=i, detail={"status": "submitted"})
        for i in incidents
    ]


def _log_in_blocks(user, events):
    for start in range(0, len(events), 5000):
        audit.log_many(events[start : start + 5000], actor=user)


def _write_new(user, prepared: list[Prepared], *, status, submit, import_job=None):
    """Inside the caller's transaction: references (one block per country and
    year), the reports, their sharing, links, lists and cross-match index."""
    now = timezone.now()
    incidents = [p.incident for p in prepared]
    by_series: dict[str, list[Incident]] = {}
    for incident in incidents:
        year = timezone.localtime(incident.occurred_at).year
        by_series.setdefault(f"{incident.owner_country_id}-{year}", []).append(incident)
    for series, members in by_series.items():
        country, year = series.split("-")
        first = Sequence.allocate(f"incident:{country}:{year}", len(members))
        for number, incident in enumerate(members, start=first):
            incident.reference = f"{series}-{number:06d}"
    for incident in incidents:
        incident.created_at = incident.updated_at = now
        incident.status = status
        incident.import_job = import_job
        if submit:
            incident.submitted_at = now
            incident.late_report = incident.is_late(now)
    Incident.objects.bulk_create(incidents, batch_size=1000)
    shared = Incident.shared_with.through
    shared.objects.bulk_create(
        [shared(incident_id=p.incident.pk, country_id=code) for p in prepared for code in p.codes],
        batch_size=2000,
    )
    related = Incident.related.through
    pairs = {
        pair
        for p in prepared
        for other in p.related
        for pair in ((p.incident.pk, other.pk), (other.pk, p.incident.pk))
    }
    related.objects.bulk_create(
        [related(from_incident_id=a, to_incident_id=b) for a, b in pairs], batch_size=2000
    )
    _write_entities([(p.incident, p.rows) for p in prepared])
    return incidents


def create_incident(*, user, submit: bool = False, **kwargs) -> Incident:
    """A new report, as a draft of the user's unit; with `submit`, saved and
    submitted for validation in the same transaction (both or nothing)."""
    prepared = prepare_incident(user=user, **kwargs)
    return save_new_incidents(user=user, prepared=[prepared], submit=submit)[0]


def _snapshot(incident: Incident) -> dict:
    data = model_to_dict(incident, exclude=["related", "shared_with"])
    data["shared_with"] = sorted(incident.shared_with.values_list("code", flat=True))
    for name, manager in (
        ("counts", incident.counts),
        ("persons", incident.persons),
        ("vehicles", incident.vehicles),
        ("phones", incident.phones),
        ("documents", incident.documents),
    ):
        data[name] = list(manager.values())
    return _jsonable(data)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, int | float | str):
        return str(value)
    return value


def update_incident(
    *,
    user,
    incident: Incident,
    entities: Entities | None = None,
    distribution=None,
    shared_with=None,
    section_code="",
    override_reason="",
    follows=None,
    related=None,
    **fields,
) -> Incident:
    """Changes a report. A draft or returned report is changed by its author;
    a validated one by any officer of the owner country, keeping the earlier
    version for those who saw it (while they still see the report). Someone
    else's change since the report was read is not overwritten: StaleState."""
    if not Incident.objects.restrict(user, Action.CHANGE).filter(pk=incident.pk).exists():
        raise PermissionDenied
    _check_editable(user, incident)
    distribution = distribution if distribution is not None else incident.distribution
    if shared_with is None:
        shared_with = list(incident.shared_with.values_list("code", flat=True))
    current = sorted(incident.shared_with.values_list("code", flat=True))
    if (distribution != incident.distribution or sorted(shared_with) != current) and not (
        user.has_perm_code(Perm.SHARE_RECORDS)
    ):
        raise ValidationError({"distribution": _("Your roles do not allow sharing records.")})
    if entities is None:
        entities = entities_of(incident)
    locked_before = Incident.objects.get(pk=incident.pk)
    errors = _Errors()
    earlier = _resolve_reports(user, [follows] if follows else [], errors, "follows")
    if earlier and earlier[0].pk == incident.pk:
        errors.add("follows", _("A report cannot follow up itself."))
    linked = None
    if related is not None:
        linked = [r for r in _resolve_reports(user, related, errors, "related") if r != incident]
    rows, codes = _prepare(
        incident,
        user,
        fields,
        entities,
        distribution=distribution,
        shared_with=shared_with,
        section_code=section_code,
        override_reason=override_reason,
        errors=errors,
    )
    if follows is not None:
        incident.follows = earlier[0] if earlier else None
    with transaction.atomic(), mapcells.tracking([incident.pk]):
        # The values set above stay on `incident`; the row as it is now is
        # read and locked apart, and checked again.
        before = lock(incident, field="status", in_place=False)
        _check_editable(user, before)
        if (before.status, before.version) != (incident.status, incident.version):
            # Someone else changed it since it was read: saving now would
            # drop their change without a word.
            raise StaleState(
                _(
                    "The report was changed in the meantime (now version %(version)s, "
                    "“%(state)s”). Reload the page."
                )
                % {"version": before.version, "state": before.get_status_display()}
            )
        audience_before = recipients_of(before) if before.status == Status.VALIDATED else set()
        if before.status == Status.VALIDATED:
            IncidentVersion.objects.create(
                incident=before,
                version=before.version,
                snapshot=_snapshot(before),
                audience=sorted(audience_before | {before.owner_country_id}),
                changed_by=user,
            )
            incident.version = before.version + 1
        incident.distribution = distribution
        incident.updated_by = user
        incident.updated_at = timezone.now()
        incident.save()
        incident.shared_with.set(codes)
        if linked is not None:
            # Links to reports the user cannot see are kept as they are.
            hidden = incident.related.exclude(pk__in=Incident.objects.restrict(user).values("pk"))
            incident.related.set([*hidden, *linked])
        _write_entities([(incident, rows)], replace=True)
        changed = [f for f in FIELDS if getattr(locked_before, f) != getattr(incident, f)]
        audit.log(AuditAction.ALTERATION, actor=user, obj=incident, detail={"fields": changed})
        if incident.status == Status.VALIDATED:
            added = recipients_of(incident) - audience_before
            if added:
                disclose(user, [incident], recipients=sorted(added), channel="share")
    return incident


def _check_editable(user, incident: Incident):
    """Who may change a report in its present state: the author a draft or
    returned report, any officer of the owner country a validated one; a
    submitted report waits for the supervisor."""
    if incident.status == Status.SUBMITTED:
        raise StaleState(
            _("A submitted report waits for the supervisor; it cannot be changed now.")
        )
    if incident.status in {Status.DRAFT, Status.RETURNED} and incident.created_by_id != user.pk:
        raise PermissionDenied


def entities_of(incident: Incident) -> Entities:
    return Entities(
        counts=list(
            incident.counts.values("nationality", "sex", "age_group", "count", "unaccompanied")
        ),
        persons=list(
            incident.persons.values(
                "role", "category", "surname", "given_names", "date_of_birth", "nationality"
            )
        ),
        vehicles=list(
            incident.vehicles.values("plate", "registration_country", "make", "model", "colour")
        ),
        phones=list(incident.phones.values("number")),
        documents=list(
            incident.documents.values("type", "number", "issuing_country", "fraudulent")
        ),
    )


def update_and_submit_incident(*, user, incident: Incident, **kwargs) -> Incident:
    """Saves the author's changes and submits the report for validation in
    one transaction: if either step is refused, the report stays as it was
    (no change saved, not submitted)."""
    with transaction.atomic():
        update_incident(user=user, incident=incident, **kwargs)
        return submit_incident(user=user, incident=incident)


def submit_incident(*, user, incident: Incident) -> Incident:
    if incident.created_by_id != user.pk:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic(), mapcells.tracking([incident.pk]):
        lock(
            incident,
            field="status",
            expected={Status.DRAFT, Status.RETURNED},
            message=_(
                "Only a draft or returned report can be submitted; this one is “%(state)s” now."
            ),
        )
        incident.status = Status.SUBMITTED
        if incident.submitted_at is None:
            incident.submitted_at = now
            # docs/rules.md §4: a first report is due within 24 hours of awareness.
            incident.late_report = incident.is_late(now)
        incident.save(update_fields=["status", "submitted_at", "late_report"])
        audit.log(AuditAction.ALTERATION, actor=user, obj=incident, detail={"status": "submitted"})
    return incident


def check_validator(*, user, incident: Incident):
    """Raises if `user` may not validate or return `incident` (role, country,
    four eyes): what a page checks before it looks at the supervisor's form."""
    _check_supervisor(user, incident)


def _check_supervisor(user, incident):
    if not user.has_perm_code(Perm.VALIDATE_REPORTS):
        raise PermissionDenied
    if not Incident.objects.restrict(user, Action.CHANGE).filter(pk=incident.pk).exists():
        raise PermissionDenied
    if incident.created_by_id == user.pk:
        # Four eyes: nobody validates their own report.
        raise ValidationError(_("Another supervisor must validate your own report."))


def _lock_submitted(incident):
    """Inside the transaction: the report's row, locked, still submitted
    (another supervisor may have validated or returned it a moment ago)."""
    lock(
        incident,
        field="status",
        expected={Status.SUBMITTED},
        message=_(
            "Only a submitted report can be validated or returned; this one is “%(state)s” now."
        ),
    )


def validate_incident(
    *, user, incident: Incident, distribution=None, shared_with=None, require_decision=False
) -> Incident:
    """A supervisor of the same country validates: the report now counts and
    reaches the partners it is shared with. The supervisor may decide the
    sharing at the same time; with `require_decision` (the page and the API,
    where a supervisor validates) the decision must be given: nothing is
    shared, or kept national, by a default nobody chose."""
    _check_supervisor(user, incident)
    undecided = require_decision and distribution is None and user.has_perm_code(Perm.SHARE_RECORDS)
    if distribution is not None:
        if not user.has_perm_code(Perm.SHARE_RECORDS):
            raise ValidationError({"distribution": _("Your roles do not allow sharing records.")})
        codes = validate_distribution(
            user=user, distribution=distribution, countries=shared_with or ()
        )
    with transaction.atomic(), mapcells.tracking([incident.pk]):
        _lock_submitted(incident)
        if undecided:
            # After the state check: a report validated meanwhile is a conflict.
            raise ValidationError(
                {
                    "distribution": _(
                        "Decide with whom the report is shared: national only, "
                        "all partners or named partners."
                    )
                }
            )
        if distribution is not None:
            incident.distribution = distribution
            incident.save(update_fields=["distribution"])
            incident.shared_with.set(codes)
        incident.status = Status.VALIDATED
        incident.validated_by = user
        incident.validated_at = timezone.now()
        incident.return_comment = ""
        incident.save(update_fields=["status", "validated_by", "validated_at", "return_comment"])
        audit.log(AuditAction.ALTERATION, actor=user, obj=incident, detail={"status": "validated"})
        recipients = recipients_of(incident)
        if recipients:
            disclose(user, [incident], recipients=sorted(recipients), channel="share")
    return incident


def return_incident(*, user, incident: Incident, comment: str) -> Incident:
    _check_supervisor(user, incident)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what must be corrected.")})
    if len(comment) > 1000:
        raise ValidationError({"comment": _("Keep the comment under 1,000 characters.")})
    with transaction.atomic(), mapcells.tracking([incident.pk]):
        _lock_submitted(incident)
        incident.status = Status.RETURNED
        incident.return_comment = comment
        incident.save(update_fields=["status", "return_comment"])
        audit.log(AuditAction.ALTERATION, actor=user, obj=incident, detail={"status": "returned"})
    return incident
