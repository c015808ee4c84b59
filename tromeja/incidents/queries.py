from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from tromeja.core.consult import combine
from tromeja.core.records import Action
from tromeja.incidents.choices import Status
from tromeja.incidents.models import EntityRef, Incident


def visible_incidents(user, action=Action.VIEW):
    return Incident.objects.restrict(user, action).select_related(
        "owner_country", "owner_agency", "responsible_unit"
    )


@dataclass
class Sighting:
    kind: str
    label: str
    incident_id: str
    reference: str
    occurred_at: object
    country: str


def sightings(user, keys: list[tuple[str, str]], *, exclude=None, limit: int = 50):
    """Where these entities (kind, normalised key) were seen before, in the
    reports the user may see: their own country's and those partners shared.
    Newest first, at most `limit`.

    One query per key: the (kind, key, -occurred_at) index gives that key's
    references newest first, the visibility rule is checked on each one's
    report, and the query stops after `limit` visible hits, however often
    the key was seen (a ring's van may have thousands of references)."""
    if not keys:
        return []
    visible = Incident.objects.restrict(user)
    if visible.query.is_empty():
        return []
    seen = Exists(visible.filter(pk=OuterRef("incident_id")))
    exclude_pk = getattr(exclude, "pk", exclude)
    rows = []
    for kind, key in sorted(set(keys)):
        refs = EntityRef.objects.filter(seen, kind=kind, key=key)
        if exclude_pk is not None:
            refs = refs.exclude(incident_id=exclude_pk)
        rows += refs.order_by("-occurred_at").values_list(
            "kind",
            "label",
            "incident_id",
            "incident__reference",
            "occurred_at",
            "incident__owner_country_id",
        )[:limit]
    rows.sort(key=lambda row: row[4], reverse=True)
    return [
        Sighting(kind, label, str(incident_id), reference, occurred_at, country)
        for kind, label, incident_id, reference, occurred_at, country in rows[:limit]
    ]


def sightings_for(user, incident) -> list[Sighting]:
    """Hits for every entity of a report; showing them combines records, so
    each shown set is written to the audit trail (Directive 2016/680 art. 25)."""
    keys = list(incident.entity_refs.values_list("kind", "key"))
    hits = sightings(user, keys, exclude=incident)
    if hits:
        combine(user, incident, {h.incident_id for h in hits})
    return hits


def attention_panel(user) -> dict | None:
    """For supervisors: reports of their country waiting for validation that
    others wrote; for whoever writes reports: their drafts and their reports
    returned for correction; for everyone: reports partners shared in the
    last 24 hours. Two queries, through the visibility rule."""
    from django.db.models import Count, Q

    from tromeja.core.roles import Perm

    panel = {"waiting": 0, "drafts": 0, "returned": 0}
    if user.has_perm_code(Perm.CREATE_RECORDS) or user.has_perm_code(Perm.VALIDATE_REPORTS):
        counted = {
            "drafts": Count("pk", filter=Q(status=Status.DRAFT, created_by=user)),
            "returned": Count("pk", filter=Q(status=Status.RETURNED, created_by=user)),
        }
        if user.has_perm_code(Perm.VALIDATE_REPORTS):
            # Nobody validates their own report.
            waiting = Q(status=Status.SUBMITTED) & ~Q(created_by=user)
            counted["waiting"] = Count("pk", filter=waiting)
        panel.update(Incident.objects.restrict(user, Action.CHANGE).aggregate(**counted))
    since = timezone.now() - timedelta(hours=24)
    panel["shared"] = Incident.objects.received(user).filter(validated_at__gte=since).count()
    if not any(panel.values()):
        return None
    return panel


# Above this many reports in a viewport the map gets aggregated cells.
MAP_POINT_LIMIT = 1500


def map_features(user, data: dict) -> dict:
    """GeoJSON for the map: single reports when few, else counts per cell of
    a grid with about 32 cells across the viewport (the page draws them as
    clusters). The grid is fixed to the globe (a power of two cells per
    degree), so cells do not move when the map is panned.

    A constant number of queries whatever the viewport and period: the ids
    of at most one report more than the map shows as points (read from an
    index, the reports themselves are not touched), then either those
    reports or the cells (tromeja.incidents.mapcells: whole months from the
    counted grids, the rest from the reports). A busy viewport is not
    counted on its own: its total is the sum of the cells."""
    from tromeja.incidents import mapcells
    from tromeja.incidents.filters import apply_filters

    visible = Incident.objects.restrict(user)
    filtered = apply_filters(visible, data).order_by()
    probe = list(filtered.values_list("pk", flat=True)[: MAP_POINT_LIMIT + 1])
    if len(probe) <= MAP_POINT_LIMIT:
        rows = filtered.filter(pk__in=probe).values_list(
            "id",
            "reference",
            "type",
            "status",
            "latitude",
            "longitude",
            "persons_total",
            "occurred_at",
        )
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": str(pk),
                    "reference": ref,
                    "type": kind,
                    "status": status,
                    "persons": persons,
                    "occurred_at": at.isoformat(),
                },
            }
            for pk, ref, kind, status, lat, lon, persons, at in rows
        ]
        return {
            "type": "FeatureCollection",
            "aggregated": False,
            "total": len(features),
            "features": features,
        }
    level = mapcells.level_for(data["bbox"])
    found = mapcells.cells(user, visible, data, level)
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [(x + 0.5) / level, (y + 0.5) / level],
            },
            "properties": {"count": n},
        }
        for (x, y), n in sorted(found.items())
    ]
    return {
        "type": "FeatureCollection",
        "aggregated": True,
        "cell_degrees": 1 / level,
        "total": sum(found.values()),
        "features": features,
    }


# Versions -----------------------------------------------------------------
#
# An earlier version is shown to a reader who may see the report now and whose
# country could read that version when it was current (Directive 2016/680
# art. 7(3) and 16: a country the owner stopped sharing with loses the report
# and its versions alike). The stored copy holds internal ids (users, units,
# linked reports); a version is shown in words, field by field, with only the
# links the reader may see now and no user ids.

# The report's own fields, in the detail page's order. Users (created_by,
# updated_by, validated_by) and the bookkeeping are never shown.
VERSION_FIELDS = (
    "type",
    "status",
    "occurred_at",
    "aware_at",
    "place_name",
    "latitude",
    "longitude",
    "border_section",
    "responsible_unit",
    "nearest_crossing",
    "location_override_reason",
    "detection_method",
    "transport",
    "stage",
    "crossing_mode",
    "direction",
    "evasion",
    "embarkation_country",
    "destination_country",
    "persons_total",
    "impact_level",
    "confidence",
    "follows",
    "narrative",
    "handling_code",
    "handling_note",
    "source_reliability",
    "information_accuracy",
    "distribution",
    "shared_with",
    "has_personal_data",
    "data_subject_category",
    "review_by",
)
VERSION_LISTS = ("counts", "persons", "vehicles", "phones", "documents")


@dataclass
class VersionRow:
    label: str
    value: str
    changed: bool


@dataclass
class VersionList:
    title: str
    lines: list[str]
    changed: bool


@dataclass
class VersionView:
    version: int
    changed_at: object
    rows: list[VersionRow]
    lists: list[VersionList]


def readable_versions(user, incident) -> list[VersionView]:
    """The earlier versions of a report this user may read, newest first, in
    words. Each field says whether the next version changed it."""
    from tromeja.incidents.models import IncidentVersion
    from tromeja.incidents.services import _snapshot

    if not Incident.objects.restrict(user).filter(pk=incident.pk).exists():
        return []
    versions = [
        v
        for v in IncidentVersion.objects.filter(incident=incident).order_by("-version")
        if user.country_code in v.audience
    ]
    if not versions:
        return []
    later = {v.version: v.snapshot for v in IncidentVersion.objects.filter(incident=incident)}
    current = _snapshot(incident)
    words = _Words(user, [v.snapshot for v in versions])
    views = []
    for v in versions:
        newer = later.get(v.version + 1, current)
        rows = []
        for name in VERSION_FIELDS:
            value = words.value(name, v.snapshot)
            if value is None:
                continue
            rows.append(VersionRow(words.label(name), value, words.value(name, newer) != value))
        lists = []
        for name in VERSION_LISTS:
            lines = words.lines(name, v.snapshot.get(name) or [])
            if lines:
                changed = words.lines(name, newer.get(name) or []) != lines
                lists.append(VersionList(words.list_title(name), lines, changed))
        views.append(VersionView(v.version, v.changed_at, rows, lists))
    return views


class _Words:
    """Turns the values of stored copies into what the reader reads."""

    def __init__(self, user, snapshots):
        from django.utils.translation import get_language

        from tromeja.core.models import Unit

        self.language = get_language()
        units = {s.get("responsible_unit") for s in snapshots} - {None}
        self.units = {u.pk: str(u) for u in Unit.objects.filter(pk__in=units)}
        linked = {s.get("follows") for s in snapshots} - {None}
        # Only the linked reports the reader may see now, by their reference.
        self.reports = {
            str(pk): reference
            for pk, reference in Incident.objects.restrict(user)
            .filter(pk__in=linked)
            .values_list("pk", "reference")
        }

    @staticmethod
    def label(name):
        from django.utils.text import capfirst
        from django.utils.translation import gettext as _

        if name == "shared_with":
            return str(_("Named partner countries"))
        return str(capfirst(Incident._meta.get_field(name).verbose_name))

    def country(self, code):
        from tromeja.core.countries import country_name

        return country_name(code, self.language) if code else ""

    def value(self, name, snapshot) -> str | None:
        """The value in words, or None when there is nothing to show."""
        from django.utils import formats
        from django.utils.dateparse import parse_date, parse_datetime
        from django.utils.translation import gettext as _

        from tromeja.geography.locate import crossings, sections

        raw = snapshot.get(name)
        if raw in (None, "", []):
            return None
        if name == "follows":
            return self.reports.get(str(raw))
        if name == "responsible_unit":
            return self.units.get(raw)
        if name == "border_section":
            section = sections().get(raw)
            return section.name(self.language) if section else raw
        if name == "nearest_crossing":
            crossing = crossings().get(raw)
            return " / ".join(crossing.names.values()) if crossing else raw
        if name in ("embarkation_country", "destination_country"):
            return self.country(raw)
        if name == "shared_with":
            return ", ".join(self.country(code) for code in raw)
        if name in ("occurred_at", "aware_at"):
            at = parse_datetime(raw)
            return formats.date_format(timezone.localtime(at), "DATETIME_FORMAT") if at else raw
        if name == "review_by":
            day = parse_date(raw)
            return formats.date_format(day, "SHORT_DATE_FORMAT") if day else raw
        if isinstance(raw, bool):
            return str(_("yes")) if raw else str(_("no"))
        field = Incident._meta.get_field(name)
        if field.choices:
            return str(dict(field.flatchoices).get(raw, raw))
        if isinstance(raw, float):
            return formats.number_format(raw, 5)
        return str(raw)

    @staticmethod
    def list_title(name):
        from django.utils.translation import gettext as _

        return str(
            {
                "counts": _("Persons by nationality, sex and age"),
                "persons": _("Named persons"),
                "vehicles": _("Vehicles"),
                "phones": _("Phone numbers"),
                "documents": _("Identity documents"),
            }[name]
        )

    def lines(self, name, items) -> list[str]:
        from django.utils import formats
        from django.utils.dateparse import parse_date
        from django.utils.translation import gettext as _

        from tromeja.core.choices import DataSubjectCategory
        from tromeja.incidents.choices import AgeGroup, DocumentType, PersonRole, Sex

        def label(choices, value):
            return str(dict(choices.choices).get(value, value))

        out = []
        for item in items:
            if name == "counts":
                text = _("%(count)s × %(nationality)s, %(sex)s, %(age)s") % {
                    "count": item.get("count"),
                    "nationality": self.country(item.get("nationality")) or "?",
                    "sex": label(Sex, item.get("sex")),
                    "age": label(AgeGroup, item.get("age_group")),
                }
                if item.get("unaccompanied"):
                    text += " " + _("(%(number)s unaccompanied)") % {
                        "number": item["unaccompanied"]
                    }
            elif name == "persons":
                text = ", ".join(
                    part for part in (item.get("surname"), item.get("given_names")) if part
                )
                birth = parse_date(item.get("date_of_birth") or "")
                if birth:
                    text += f" ({formats.date_format(birth, 'SHORT_DATE_FORMAT')})"
                text += " – " + ", ".join(
                    (
                        label(PersonRole, item.get("role")),
                        label(DataSubjectCategory, item.get("category")),
                    )
                )
            elif name == "vehicles":
                parts = [item.get("make"), item.get("model"), item.get("colour")]
                text = f"{item.get('plate')} ({item.get('registration_country')})"
                text = " ".join([text, *(p for p in parts if p)])
            elif name == "phones":
                text = str(item.get("number"))
            else:
                kind = label(DocumentType, item.get("type"))
                text = f"{kind} {item.get('number')} ({item.get('issuing_country')})"
                if item.get("fraudulent"):
                    text += " – " + str(_("forged or misused"))
            out.append(str(text))
        return sorted(out)
