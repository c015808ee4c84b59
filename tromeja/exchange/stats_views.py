"""The yearly statistics of the contact point (Directive (EU) 2023/977
art. 18) as a page and a CSV file: always the user's own country."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tromeja.core.countries import country_name
from tromeja.exchange import stats
from tromeja.exchange.choices import RefusalGround, Urgency


def _year(request) -> tuple[int | None, str]:
    """The asked year (this year if none), or None and why it is refused."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return stats.current_year(), ""
    year = int(raw) if raw.isascii() and raw.isdigit() else None
    if year is None or not stats.is_valid_year(year):
        return None, stats.year_error()
    return year, ""


def _hours_minutes(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


def _table(part: dict, direction: str) -> dict:
    """One direction's figures as rows of a table: a measure per row, an
    urgency per column, the total last."""
    columns = [part["by_urgency"][u] for u in Urgency.values] + [part["total"]]
    rows = [
        {"label": stats.LABELS[direction, m], "values": [c[m] for c in columns]}
        for m in stats.MEASURES
    ]
    median = {
        "label": _("Median answer time"),
        "values": [_hours_minutes(c["median_seconds"]) for c in columns],
    }
    refusals = [
        {"label": RefusalGround(ground).label, "count": count}
        for ground, count in part["refusals"].items()
    ]
    return {
        "direction": direction,
        "title": stats.DIRECTION_LABELS[direction],
        "rows": rows,
        "median": median,
        "refusals": refusals,
        "refused": part["total"]["refused"],
    }


@login_required
@require_GET
def statistics(request):
    stats.require_viewer(request.user)
    country = request.user.country_code
    year, error = _year(request)
    years = stats.years_available(request.user)
    context = {
        "country": country,
        "year": year,
        "error": error,
        "years": years,
        "time_zone": stats.node_zone().key,
        "country_name": country_name(country, get_language()),
    }
    if year is not None:
        if year not in years:
            context["years"] = sorted({*years, year}, reverse=True)
        figures = stats.yearly(request.user, year)
        context.update(
            figures=figures,
            empty=stats.is_empty(figures),
            tables=[_table(figures[d], d) for d in stats.DIRECTIONS],
            urgencies=[*Urgency.labels, _("All")],
        )
    return render(request, "exchange/statistics.html", context, status=400 if error else 200)


@login_required
@require_GET
def statistics_csv(request):
    stats.require_viewer(request.user)
    country = request.user.country_code
    year, error = _year(request)
    if year is None:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    csv.writer(out).writerows(stats.csv_rows(stats.yearly(request.user, year)))
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    name = f"exchange-statistics-{country}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
