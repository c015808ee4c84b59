"""Pagination for lists that may hold millions of records.

An exact COUNT(*) reads every record the user may see, through the
visibility rule; these paginators count at most COUNT_CAP and say "more
than" beyond it (docs/performance.md, "Incident reports").
"""

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import PageNumberPagination

COUNT_CAP = 10_000
# The largest page an API list returns; larger page_size values are refused.
MAX_PAGE_SIZE = ninja_settings.PAGINATION_MAX_PER_PAGE_SIZE


def bounded_count(queryset, cap: int | None = None) -> int:
    """min(rows, cap + 1): the database stops reading once it has found cap + 1
    rows (SELECT COUNT(*) FROM (... LIMIT cap + 1))."""
    cap = COUNT_CAP if cap is None else cap
    if not hasattr(queryset, "order_by"):
        return len(queryset)
    return queryset.order_by()[: cap + 1].count()


class BoundedPaginator(Paginator):
    """Django's paginator, counting at most COUNT_CAP records: beyond that
    `count` is COUNT_CAP, `capped` is true and the list offers the first
    COUNT_CAP // per_page pages."""

    @cached_property
    def _counted(self) -> int:
        return bounded_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination whose `count` is exact up to COUNT_CAP; beyond
    it `count` is COUNT_CAP and `count_capped` is true. Every API list uses
    it: page and page_size are bounded in the schema, so a page number no
    database can offset to is a 422, not a server error."""

    class Input(Schema):
        page: int = Field(
            1,
            ge=1,
            le=COUNT_CAP,
            description=f"Page number, from 1 (lists count {COUNT_CAP} records at most)",
        )
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description=f"Records per page, at most {MAX_PAGE_SIZE}"
        )

    def __init__(self, *, page_size: int = 50, **kwargs):
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        counted = bounded_count(queryset)
        return {
            self.items_attribute: queryset[offset : offset + page_size],
            "count": min(counted, COUNT_CAP),
            "count_capped": counted > COUNT_CAP,
        }
