from django.db.models import Q


def apply_filters(queryset, data: dict):
    """Filters shared by the list page, the export and the API."""
    q = (data.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("country"):
        queryset = queryset.filter(owner_country_id=data["country"])
    sort = data.get("sort") or "-created_at"
    if sort not in {"-created_at", "created_at", "title"}:
        sort = "-created_at"
    return queryset.order_by(sort, "pk")
