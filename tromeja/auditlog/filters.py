from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tromeja.auditlog.records import record_condition
from tromeja.entities import fold_name


def _folded(user) -> str:
    return " ".join(
        fold_name(part) for part in (user["first_name"], user["last_name"], user["username"])
    )


def matching_user_ids(text: str, candidates=None) -> list[int]:
    """The users whose full name or user name holds `text`, case, accents and
    the region's spellings ignored ("djordjevic" finds "Đorđević")."""
    wanted = fold_name(text)
    if not wanted:
        return []
    users = candidates if candidates is not None else get_user_model().objects.all()
    rows = users.values("pk", "username", "first_name", "last_name")
    words = wanted.split()
    return [u["pk"] for u in rows if all(word in _folded(u) for word in words)]


def user_condition(text: str) -> Q:
    text = (text or "").strip()
    if not text:
        return Q()
    # A user name as written in the entry (also of a user since removed).
    return Q(actor_id__in=matching_user_ids(text)) | Q(actor_username__iexact=text)


def apply_filters(queryset, data: dict):
    """Filters shared by the search page, the export job and the API."""
    if data.get("user"):
        queryset = queryset.filter(user_condition(data["user"]))
    if data.get("action"):
        queryset = queryset.filter(action=data["action"])
    if data.get("record"):
        queryset = queryset.filter(record_condition(data["record"]))
    if data.get("purpose"):
        queryset = queryset.filter(purpose__icontains=data["purpose"])
    zone = timezone.get_current_timezone()
    if data.get("since"):
        queryset = queryset.filter(at__gte=datetime.combine(data["since"], time.min, zone))
    if data.get("until"):
        queryset = queryset.filter(at__lte=datetime.combine(data["until"], time.max, zone))
    return queryset
