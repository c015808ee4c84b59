"""The records whose access history the audit trail answers for, by the
short name pages use (/audit/records/case/<id>/): their model, and how a
typed reference or id finds their entries."""

import uuid
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class RecordType:
    slug: str
    label: str  # the entries' root_type, "app_label.model_name"

    @property
    def model(self):
        return apps.get_model(self.label)

    @property
    def has_reference(self) -> bool:
        return any(f.name == "reference" for f in self.model._meta.get_fields())


RECORD_TYPES = {
    t.slug: t
    for t in (
        RecordType("case", "exchange.case"),
        RecordType("incident", "incidents.incident"),
        RecordType("notice", "notices.notice"),
    )
}
BY_LABEL = {t.label: t for t in RECORD_TYPES.values()}


def as_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text.strip()))
    except (ValueError, AttributeError):
        return None


def record_condition(text: str) -> Q:
    """The entries about the record `text` names and its parts: a full id
    (the record's or one of its parts'), or a reference (HR-2026-000123,
    SI-C-2026-000045) in any case. Each branch is answered from an index."""
    text = (text or "").strip()
    if not text:
        return Q()
    found = as_uuid(text)
    if found:
        return Q(root_id=found) | Q(object_id=found)
    reference = text.upper()
    condition = Q(record_ref=reference) | Q(object_id=text)
    # Entries written before the record had its number carry no reference:
    # the record's id finds them.
    for kind in RECORD_TYPES.values():
        if not kind.has_reference:
            continue
        ids = [
            str(pk)
            for pk in kind.model._base_manager.filter(reference=reference).values_list(
                "pk", flat=True
            )[:1]
        ]
        if ids:
            condition |= Q(root_id__in=ids, root_type=kind.label)
    return condition


def references(entries) -> dict[tuple[str, str], str]:
    """(root_type, root_id) -> the record's reference, for entries written
    without one (one query per record type)."""
    wanted: dict[str, set] = {}
    for entry in entries:
        if not entry.record_ref and entry.root_type in BY_LABEL and as_uuid(entry.root_id):
            wanted.setdefault(entry.root_type, set()).add(entry.root_id)
    found = {}
    for label, ids in wanted.items():
        kind = BY_LABEL[label]
        if not kind.has_reference:
            continue
        rows = kind.model._base_manager.filter(pk__in=list(ids)).values_list("pk", "reference")
        for pk, reference in rows:
            if not reference.startswith("~"):
                found[(label, str(pk))] = reference
    return found
