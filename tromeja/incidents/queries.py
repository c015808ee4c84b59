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
        Incident.objects.restrict(user)
        .exclude(owner_country_id=user.country_code)
        .filter(validated_at__gte=since)
    )
    panel["shared"] = shared.count()
    if not any(panel.values()):
        return None
    return panel


# Above this many reports in a viewport the map gets aggregated cells.
MAP_POINT_LIMIT = 1500


def map_features(queryset, data: dict) -> dict:
    """GeoJSON for the map: single reports when few, else counts per cell of
    a 32 x 32 grid over the viewport (the page draws them as clusters).

    Two queries whatever the viewport: the ids of at most one report more
    than the map shows as points (read from an index, the reports
    themselves are not touched), then either those reports or the cells.
    A busy viewport is not counted on its own: its total is the sum of the
    cells."""
    from django.db.models import Count, FloatField, IntegerField
    from django.db.models.functions import Cast, Floor

    from tromeja.incidents.filters import apply_filters

    west, south, east, north = data["bbox"]
    filtered = apply_filters(queryset, data).order_by()
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
    cell_w = max((east - west) / 32, 1e-6)
    cell_h = max((north - south) / 32, 1e-6)
    cells = list(
        filtered.annotate(
            cx=Cast(Floor((Cast("longitude", FloatField()) - west) / cell_w), IntegerField()),
            cy=Cast(Floor((Cast("latitude", FloatField()) - south) / cell_h), IntegerField()),
        )
        .values("cx", "cy")
        .annotate(n=Count("id"))
    )
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [west + (c["cx"] + 0.5) * cell_w, south + (c["cy"] + 0.5) * cell_h],
            },
            "properties": {"count": c["n"]},
        }
        for c in cells
    ]
    return {
        "type": "FeatureCollection",
        "aggregated": True,
        "total": sum(c["n"] for c in cells),
        "features": features,
    }
