"""Names the record each existing audit entry is about (core/audit.py
writes it on new entries): the case of a message or a leg, the incident of a
version, the record itself otherwise, with its reference and owner country.
The entries' hashes do not cover these columns, so the chain still verifies."""

from django.db import migrations
from django.db.models import Case, F, Value, When

CHUNK = 500

# Parts logged on their own, and the field that names their record.
PARTS = (
    ("exchange", "message", "case_id", "exchange.case"),
    ("exchange", "leg", "case_id", "exchange.case"),
    ("incidents", "incidentversion", "incident_id", "incidents.incident"),
)
RECORDS = (("exchange", "case"), ("incidents", "incident"), ("notices", "notice"))


def _model(apps, app_label, name):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _set_by(entries, key, mapping, **fields):
    """Sets each field to mapping[key][field] on the entries whose `key`
    column is in the chunk: one statement per chunk."""
    for chunk in _chunks(mapping):
        values = {
            name: Case(
                *[When(**{key: k}, then=Value(mapping[k][name])) for k in chunk],
                default=F(name),
            )
            for name in fields
        }
        entries.filter(**{f"{key}__in": chunk}).update(**values)


def fill(apps, schema_editor):
    entry = apps.get_model("core", "AuditEntry")
    entry._base_manager.filter(root_type="").update(
        root_type=F("object_type"), root_id=F("object_id")
    )
    for app_label, name, parent, root_type in PARTS:
        model = _model(apps, app_label, name)
        if model is None:
            continue
        label = f"{app_label}.{name}"
        ids = set(entry._base_manager.filter(object_type=label).values_list("object_id", flat=True))
        mapping = {}
        for chunk in _chunks(ids):
            keys = []
            for value in chunk:
                try:
                    keys.append(model._meta.pk.to_python(value))
                except Exception:  # noqa: S112 - an id the model cannot hold names nothing
                    continue
            for pk, parent_pk in model._base_manager.filter(pk__in=keys).values_list("pk", parent):
                mapping[str(pk)] = {"root_type": root_type, "root_id": str(parent_pk)}
        _set_by(
            entry._base_manager.filter(object_type=label),
            "object_id",
            mapping,
            root_type=1,
            root_id=1,
        )
    for app_label, name in RECORDS:
        model = _model(apps, app_label, name)
        if model is None:
            continue
        label = f"{app_label}.{name}"
        entries = entry._base_manager.filter(root_type=label)
        ids = set(entries.values_list("root_id", flat=True))
        has_reference = any(f.name == "reference" for f in model._meta.get_fields())
        columns = ["pk", "owner_country_id"] + (["reference"] if has_reference else [])
        mapping = {}
        for chunk in _chunks(ids):
            keys = []
            for value in chunk:
                try:
                    keys.append(model._meta.pk.to_python(value))
                except Exception:  # noqa: S112
                    continue
            for row in model._base_manager.filter(pk__in=keys).values_list(*columns):
                reference = row[2] if has_reference else ""
                mapping[str(row[0])] = {
                    "root_country": row[1] or "",
                    "record_ref": "" if reference.startswith("~") else reference[:32],
                }
        _set_by(entries, "root_id", mapping, root_country=1, record_ref=1)


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0001_initial"),
        ("core", "0009_audit_record_root"),
        ("exchange", "0008_person_keys_transliterated"),
        ("incidents", "0005_import_staging"),
        ("notices", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
