from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from tromeja.core import audit
from tromeja.core.choices import AuditAction
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
        audit.log(
            AuditAction.COMBINATION,
            actor=user,
            obj=incident,
            detail={"matched": sorted({h.incident_id for h in hits})},
        )
    return hits


def attention_panel(user) -> dict | None:
    """For supervisors: reports waiting for validation; for everyone: reports
    partners shared in the last 24 hours."""
    from tromeja.core.roles import Perm

    panel = {}
    if user.has_perm_code(Perm.VALIDATE_REPORTS):
        waiting = Incident.objects.restrict(user, Action.CHANGE).filter(status=Status.SUBMITTED)
        panel["waiting"] = waiting.count()
    since = timezone.now() - timedelta(hours=24)
    shared = (
        Incident.objects.received(user)
        .filter(validated_at__gte=since)
    )
    panel["shared"] = shared.count()
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
