"""Pagination for lists that may hold millions of records.

An exact COUNT(*) reads every record the user may see, through the
visibility rule; these paginators count at most COUNT_CAP and say "more
than" beyond it (docs/performance.md, "Incident reports").
"""

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from ninja import Schema
from ninja.pagination import PageNumberPagination

COUNT_CAP = 10_000


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
    it `count` is COUNT_CAP and `count_capped` is true."""

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
