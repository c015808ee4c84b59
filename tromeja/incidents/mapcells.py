"""Counted map grids: how the zoomed-out map answers for any period.

A viewport over a whole border and every date holds hundreds of thousands of
reports; grouping them into cells one by one takes longer than a map may. So
the reports are also counted in `MapCell`: per cell of fixed grids (2 to 32
cells per degree), month (UTC), owner country, status, border section and
audience, one column per type. The map then sums the whole months of the
period from the counts and groups only the partial months at both ends, and
the user's own drafts, from the reports themselves. Both use the same grid,
so a cell's count is exact: every report in the cell, counted once.

The counts change in the transaction that changes the reports (`tracking`),
by the difference between what the reports contributed before and after;
`rebuild` recounts everything (`tromeja rebuild-map-cells`), for data loaded
around the services.
"""

import math
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Sum
from django.db.models.functions import Cast, Floor

from tromeja.core.choices import Distribution
from tromeja.core.records import audience_condition, audiences
from tromeja.incidents.choices import UNCOUNTED, Status
from tromeja.incidents.filters import apply_filters, period
from tromeja.incidents.models import MAP_CELL_LEVELS, MAP_CELL_TYPE_COLUMNS, Incident, MapCell

KEY_COLUMNS = (
    "level",
    "x",
    "y",
    "month",
    "owner_country_id",
    "status",
    "border_section",
    "audience",
)
TYPES = tuple(MAP_CELL_TYPE_COLUMNS)
_TYPE_INDEX = {t: i for i, t in enumerate(TYPES)}
# About this many cells across the wider side of a viewport.
CELLS_ACROSS = 32
_CHUNK = 5000


def level_for(bbox) -> int:
    """Cells per degree for a viewport: the power of two that puts about 32
    cells across it."""
    west, south, east, north = bbox
    span = max(east - west, north - south, 1e-6)
    return 2 ** min(20, max(0, round(math.log2(CELLS_ACROSS / span))))


def month_of(at: datetime) -> date:
    at = at.astimezone(UTC)
    return date(at.year, at.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


# --- What reports contribute -------------------------------------------------------


def contributions(pks=None) -> dict[tuple, list[int]]:
    """The counts these reports (every report when `pks` is None) add to the
    grids: key (as KEY_COLUMNS) -> one count per type."""
    out: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(TYPES))
    counted = Incident.objects.exclude(status__in=UNCOUNTED).order_by()
    shared = Incident.shared_with.through.objects.filter(
        incident__distribution=Distribution.NAMED
    ).exclude(incident__status__in=UNCOUNTED)
    pks = None if pks is None else list(pks)
    chunks = [None] if pks is None else [pks[i : i + _CHUNK] for i in range(0, len(pks), _CHUNK)]
    for chunk in chunks:
        rows, named = counted, shared
        if chunk is not None:
            rows, named = rows.filter(pk__in=chunk), named.filter(incident_id__in=chunk)
        codes = defaultdict(list)
        for pk, code in named.values_list("incident_id", "country_id").iterator(20_000):
            codes[pk].append(code)
        columns = ("pk", "longitude", "latitude", "occurred_at", "owner_country_id", "status")
        columns += ("border_section", "distribution", "type")
        for pk, lon, lat, at, owner, status, section, dist, kind in rows.values_list(
            *columns
        ).iterator(20_000):
            month = month_of(at)
            heard = audiences(dist, codes.get(pk, ()))
            column = _TYPE_INDEX[kind]
            for level in MAP_CELL_LEVELS:
                x, y = math.floor(lon * level), math.floor(lat * level)
                for audience in heard:
                    out[(level, x, y, month, owner, status, section, audience)][column] += 1
    return out


def _difference(after: dict, before: dict) -> dict:
    delta = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key), before.get(key)
        counts = [x - y for x, y in zip(a or [0] * len(TYPES), b or [0] * len(TYPES), strict=True)]
        if any(counts):
            delta[key] = counts
    return delta


def _table_sql():
    q = connection.ops.quote_name
    table = q(MapCell._meta.db_table)
    counts = ("total", *MAP_CELL_TYPE_COLUMNS.values())
    columns = ", ".join(q(c) for c in (*KEY_COLUMNS, *counts))
    marks = ", ".join(["%s"] * (len(KEY_COLUMNS) + len(counts)))
    sums = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in counts)
    keys = ", ".join(q(c) for c in KEY_COLUMNS)
    # Names from the model, values as parameters.
    insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    upsert = f"{insert} ON CONFLICT ({keys}) DO UPDATE SET {sums}"
    where = " AND ".join(f"{q(c)} = %s" for c in KEY_COLUMNS)
    empty = f"DELETE FROM {table} WHERE {q('total')} = 0 AND {where}"  # noqa: S608
    return upsert, empty


def _row(key: tuple) -> list:
    key = list(key)
    key[3] = connection.ops.adapt_datefield_value(key[3])
    return key


def apply(delta: dict) -> None:
    """Adds the differences to the counts (in key order, so that concurrent
    writers take row locks in the same order); empty rows are removed."""
    if not delta:
        return
    upsert, empty = _table_sql()
    keys = sorted(delta)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(upsert, [[*_row(k), sum(delta[k]), *delta[k]] for k in keys])
        shrunk = [_row(k) for k in keys if sum(delta[k]) < 0]
        if shrunk:
            cursor.executemany(empty, shrunk)


@contextmanager
def tracking(pks):
    """Keeps the counts true for whatever the block does to these reports.
    Use inside the transaction that changes them; the reports are locked
    first (PostgreSQL), so that concurrent changes are counted in turn."""
    pks = list(pks)
    for start in range(0, len(pks), _CHUNK):
        list(
            Incident.objects.select_for_update()
            .filter(pk__in=pks[start : start + _CHUNK])
            .values_list("pk", flat=True)
        )
    before = contributions(pks)
    yield
    apply(_difference(contributions(pks), before))


def rebuild(progress=None) -> int:
    """Recounts every report; returns the number of count rows."""
    with transaction.atomic():
        MapCell.objects.all().delete()
        counts = contributions()
        if progress:
            progress(len(counts))
        names = ("total", *MAP_CELL_TYPE_COLUMNS.values())
        field_names = [c.removesuffix("_id") for c in KEY_COLUMNS]
        batch = []
        for key, values in counts.items():
            fields = dict(zip(field_names, key, strict=True))
            fields["owner_country_id"] = fields.pop("owner_country")
            batch.append(MapCell(**fields, **dict(zip(names, (sum(values), *values), strict=True))))
            if len(batch) >= 5000:
                MapCell.objects.bulk_create(batch)
                batch = []
        MapCell.objects.bulk_create(batch)
    return len(counts)


# --- Cells of a viewport ----------------------------------------------------------


def _grouped(queryset, level: int) -> list[tuple[int, int, int]]:
    return list(
        queryset.annotate(
            cx=Cast(Floor(F("longitude") * level), IntegerField()),
            cy=Cast(Floor(F("latitude") * level), IntegerField()),
        )
        .values_list("cx", "cy")
        .annotate(n=Count("pk"))
        .order_by()
    )


def cells(user, visible, data: dict, level: int) -> dict[tuple[int, int], int]:
    """Reports per cell (x, y) of the grid with `level` cells per degree,
    for the viewport and filters in `data`, among those `visible` to
    `user` (Incident.objects.restrict(user)). Counted where the counts
    answer, else grouped from the reports."""
    found: dict[tuple[int, int], int] = defaultdict(int)
    if level not in MAP_CELL_LEVELS or data.get("q") or data.get("status") == Status.DRAFT:
        for x, y, n in _grouped(apply_filters(visible, data).order_by(), level):
            found[(x, y)] += n
        return found
    west, south, east, north = data["bbox"]
    x0, y0 = math.floor(west * level), math.floor(south * level)
    x1, y1 = math.floor(east * level), math.floor(north * level)
    since, until = period(data)
    # Whole months of the period from the counts, the rest from the reports.
    first = None if since is None else month_of(since)
    if first is not None and _start(first) < since:
        first = _next_month(first)
    end = None if until is None else month_of(until + timedelta(microseconds=1))
    some_months = first is None or end is None or first < end
    live = []
    if not some_months:
        live.append((since, until))
    else:
        if since is not None and _start(first) > since:
            live.append((since, _start(first) - timedelta(microseconds=1)))
        if until is not None:
            live.append((_start(end), until))

    condition = audience_condition(MapCell, user)
    if condition is not None and some_months:
        counted = MapCell.objects.filter(
            condition, level=level, x__gte=x0, x__lte=x1, y__gte=y0, y__lte=y1
        )
        if first is not None:
            counted = counted.filter(month__gte=first)
        if end is not None:
            counted = counted.filter(month__lt=end)
        if data.get("status"):
            counted = counted.filter(status=data["status"])
        if data.get("country"):
            counted = counted.filter(owner_country_id=data["country"])
        if data.get("border_section"):
            counted = counted.filter(border_section=data["border_section"])
        column = MAP_CELL_TYPE_COLUMNS.get(data.get("type") or "", "total")
        for x, y, n in counted.values_list("x", "y").annotate(n=Sum(column)).order_by():
            if n:
                found[(x, y)] += n

    rest = {k: v for k, v in data.items() if k not in {"bbox", "since", "until"}}
    base = (
        apply_filters(visible, rest)
        .order_by()
        .filter(
            longitude__gte=x0 / level,
            longitude__lt=(x1 + 1) / level,
            latitude__gte=y0 / level,
            latitude__lt=(y1 + 1) / level,
        )
    )
    parts = [
        base.exclude(status__in=UNCOUNTED).filter(occurred_at__gte=lo, occurred_at__lte=hi)
        for lo, hi in live
    ]
    # The user's own drafts are not counted: only they see them.
    drafts = base.filter(status=Status.DRAFT, owner_country_id=user.country_code, created_by=user)
    if since is not None:
        drafts = drafts.filter(occurred_at__gte=since)
    if until is not None:
        drafts = drafts.filter(occurred_at__lte=until)
    for part in [*parts, drafts]:
        for x, y, n in _grouped(part, level):
            found[(x, y)] += n
    return found
