"""Every write to reference data (countries, agencies, units), with its audit entry.

A node administrator manages the agencies and units of their own country
only; the countries' partnership is the node's own configuration (which
partners it exchanges with, docs/roles.md). Each change is an alteration
entry naming the fields that changed, from what to what.
"""

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import Agency, Country, Unit
from tromeja.core.roles import Perm

COUNTRY_FIELDS = ("partnership", "is_eu", "is_schengen", "time_zone")
AGENCY_FIELDS = ("country", "code", "name", "name_en", "kind")
UNIT_FIELDS = ("agency", "parent", "code", "name", "name_en", "kind", "city", "is_contact_point")


def check_administers(by, country_code: str | None) -> None:
    """`by` administers the node for `country_code`. `by=None` is the node's
    operator at the command line (`tromeja create-node-admin`, the demo)."""
    if by is None:
        return
    if not getattr(by, "is_authenticated", False) or not by.has_perm_code(Perm.ADMINISTER_NODE):
        raise PermissionDenied(_("Only a node administrator may change this."))
    if not country_code or country_code != by.country_code:
        raise PermissionDenied(_("You administer only the users and units of your own country."))


def audit_value(value):
    """A field's value as the audit trail shows it: related rows by their
    code (or key), everything else as JSON-friendly plain values."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or str(value.pk)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def refuse_unknown_fields(changes: dict, allowed) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"not a field that can be changed here: {', '.join(sorted(unknown))}")


def apply_changes(obj, changes: dict, allowed) -> dict:
    """Sets the changed fields on `obj` and returns the audit detail
    {field: {"from": ..., "to": ...}} of those whose value really changed."""
    refuse_unknown_fields(changes, allowed)
    detail = {}
    for name, value in changes.items():
        before = getattr(obj, name)
        if before == value:
            continue
        detail[name] = {"from": audit_value(before), "to": audit_value(value)}
        setattr(obj, name, value)
    return detail


def _agency_country(agency) -> str | None:
    return agency.country_id if agency is not None else None


def _check_unit_fields(by, fields: dict, unit=None) -> None:
    agency = fields.get("agency", unit.agency if unit else None)
    check_administers(by, _agency_country(agency))
    parent = fields.get("parent")
    if parent is not None:
        check_administers(by, parent.agency.country_id)


def _save_changes(obj, changes: dict, allowed, by) -> dict:
    """Inside the caller's transaction: the changes applied, checked, saved
    and written to the audit trail as what changed (nothing if nothing did)."""
    detail = apply_changes(obj, changes, allowed)
    if detail:
        obj.full_clean()
        obj.save(update_fields=list(detail))
        audit.log(AuditAction.ALTERATION, actor=by, obj=obj, detail=detail)
    return detail


def _create(model, fields: dict, names, by):
    """Inside the caller's transaction: a new row, checked, saved and
    collected in the audit trail with its values."""
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    detail = {name: audit_value(getattr(obj, name)) for name in names}
    audit.log(AuditAction.COLLECTION, actor=by, obj=obj, detail=detail)
    return obj


def update_country(*, country: Country, by, **changes) -> dict:
    """Changes how the node treats a country: partnership, EU and Schengen
    membership, the time zone its contact point counts days in."""
    if by is not None and not by.has_perm_code(Perm.ADMINISTER_NODE):
        raise PermissionDenied(_("Only a node administrator may change this."))
    with transaction.atomic():
        country = Country.objects.select_for_update().get(pk=country.pk)
        return _save_changes(country, changes, COUNTRY_FIELDS, by)


def create_agency(*, by, **fields) -> Agency:
    refuse_unknown_fields(fields, AGENCY_FIELDS)
    check_administers(by, _agency_country(fields.get("country")))
    with transaction.atomic():
        return _create(Agency, fields, AGENCY_FIELDS, by)


def update_agency(*, agency: Agency, by, **changes) -> dict:
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        check_administers(by, agency.country_id)
        if "country" in changes:
            check_administers(by, _agency_country(changes["country"]))
        return _save_changes(agency, changes, AGENCY_FIELDS, by)


def create_unit(*, by, **fields) -> Unit:
    refuse_unknown_fields(fields, UNIT_FIELDS)
    _check_unit_fields(by, fields)
    with transaction.atomic():
        return _create(Unit, fields, UNIT_FIELDS, by)


def update_unit(*, unit: Unit, by, **changes) -> dict:
    with transaction.atomic():
        unit = Unit.objects.select_for_update().select_related("agency").get(pk=unit.pk)
        check_administers(by, unit.agency.country_id)
        _check_unit_fields(by, changes, unit)
        return _save_changes(unit, changes, UNIT_FIELDS, by)


def _snapshot() -> dict:
    return {
        "countries": {
            c.code: {f: audit_value(getattr(c, f)) for f in COUNTRY_FIELDS}
            for c in Country.objects.all()
        },
        "agencies": {
            a.code: {f: audit_value(getattr(a, f)) for f in AGENCY_FIELDS}
            for a in Agency.objects.select_related("country")
        },
        "units": {
            u.code: {f: audit_value(getattr(u, f)) for f in UNIT_FIELDS}
            for u in Unit.objects.select_related("agency", "parent")
        },
    }


def load_reference(*, by=None) -> dict:
    """Creates or updates the reference rows from `core/reference.py`
    (`tromeja load-reference`); one alteration entry lists the rows added
    and the fields changed."""
    from tromeja.core import reference

    with transaction.atomic():
        before = _snapshot()
        reference.load(Country, Agency, Unit)
        after = _snapshot()
        detail = {}
        for kind, rows in after.items():
            added = sorted(set(rows) - set(before[kind]))
            changed = {}
            for code, fields in rows.items():
                old = before[kind].get(code)
                if old is None:
                    continue
                diff = {f: {"from": old[f], "to": v} for f, v in fields.items() if old[f] != v}
                if diff:
                    changed[code] = diff
            if added or changed:
                detail[kind] = {"added": added, "changed": changed}
        if detail:
            audit.log(AuditAction.ALTERATION, actor=by, object_type="core.reference", detail=detail)
    return detail
