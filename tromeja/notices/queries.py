from datetime import timedelta

from django.utils import timezone

from tromeja.core.records import Action
from tromeja.notices.models import Notice


def visible_notices(user, action=Action.VIEW):
    return Notice.objects.restrict(user, action).select_related("owner_agency", "owner_country")


def attention_panel(user) -> dict | None:
    """Notices partners shared with the user's country in the last 7 days."""
    since = timezone.now() - timedelta(days=7)
    shared = (
        Notice.objects.received(user)
        .select_related("owner_agency", "owner_country")
        .filter(created_at__gte=since)
    )
    latest = list(shared.order_by("-created_at")[:5])
    if not latest:
        return None
    return {"latest": latest, "count": shared.count()}
