from datetime import datetime, time

from django.utils import timezone

SORTS = {"-occurred_at", "occurred_at", "reference", "-persons_total"}


def period(data: dict) -> tuple[datetime | None, datetime | None]:
    """The first and last instant of the dates asked for, in the user's time
    zone (None: open-ended)."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(data["since"], time.min, zone) if data.get("since") else None
    until = datetime.combine(data["until"], time.max, zone) if data.get("until") else None
    return since, until


def apply_filters(queryset, data: dict):
    """Filters shared by the list page, the map, exports and the API."""
    since, until = period(data)
    if since:
        queryset = queryset.filter(occurred_at__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__lte=until)
    for name in ("type", "status", "border_section"):
        if data.get(name):
            queryset = queryset.filter(**{name: data[name]})
    if data.get("country"):
        queryset = queryset.filter(owner_country_id=data["country"])
    if data.get("q"):
        queryset = queryset.filter(reference__icontains=data["q"].strip())
    bbox = data.get("bbox")
    if bbox:
        west, south, east, north = bbox
        queryset = queryset.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
    sort = data.get("sort") or "-occurred_at"
    return queryset.order_by(sort if sort in SORTS else "-occurred_at", "pk")
