from datetime import datetime, time

from django.utils import timezone


def apply_filters(queryset, data: dict):
    """Filters shared by the search page, the export job and the API."""
    if data.get("user"):
        queryset = queryset.filter(actor_username=data["user"])
    if data.get("action"):
        queryset = queryset.filter(action=data["action"])
    if data.get("record"):
        queryset = queryset.filter(object_id=data["record"])
    if data.get("purpose"):
        queryset = queryset.filter(purpose__icontains=data["purpose"])
    zone = timezone.get_current_timezone()
    if data.get("since"):
        queryset = queryset.filter(at__gte=datetime.combine(data["since"], time.min, zone))
    if data.get("until"):
        queryset = queryset.filter(at__lte=datetime.combine(data["until"], time.max, zone))
    return queryset
