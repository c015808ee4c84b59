"""Yearly statistics of the contact-point exchange, as each country reports
them to the Commission (Directive (EU) 2023/977 art. 18): requests sent and
received, by urgency; answered within and after the deadline; still open;
refused, by ground; the median time to answer.

A request counts in the year its leg was received, in the node's time zone.
A country's figures come from the legs its user may see, by the one rule
(`LegQuerySet.restrict`): no figure ever says anything about an exchange
between two other countries, and a user who may read no request (signed
off, deactivated, without the role) gets only zeros.
"""

import statistics
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tromeja.core.exports import safe_cell
from tromeja.core.records import RECIPIENT, SENDER
from tromeja.core.roles import Perm
from tromeja.exchange.choices import OPEN_STATES, LegState, MessageKind, RefusalGround, Urgency
from tromeja.exchange.models import Leg, Message

FIRST_YEAR = 2000
DIRECTIONS = ("sent", "received")

# The counted measures of one direction, in the order pages and files show them.
MEASURES = (
    "requests",
    "cases",
    "answered",
    "refused",
    "within_deadline",
    "after_deadline",
    "open",
    "overdue_open",
    "closed_unanswered",
)

_EITHER_WAY = {
    "within_deadline": gettext_lazy("Answered or refused within the deadline"),
    "after_deadline": gettext_lazy("Answered or refused after the deadline"),
    "open": gettext_lazy("Still open"),
    "overdue_open": gettext_lazy("Still open, deadline passed"),
    "median": gettext_lazy("Median answer time (hours)"),
}
# A measure's name under its direction's heading; the CSV file names both.
LABELS = {
    ("sent", "requests"): gettext_lazy("Requests (one per recipient)"),
    ("sent", "cases"): gettext_lazy("Cases"),
    ("sent", "answered"): gettext_lazy("Answered by the partner"),
    ("sent", "refused"): gettext_lazy("Refused by the partner"),
    ("sent", "refusal"): gettext_lazy("Refused by the partner: %(ground)s"),
    ("sent", "closed_unanswered"): gettext_lazy("Closed by us before an answer"),
    ("received", "requests"): gettext_lazy("Requests"),
    ("received", "cases"): gettext_lazy("Cases"),
    ("received", "answered"): gettext_lazy("Answered by us"),
    ("received", "refused"): gettext_lazy("Refused by us"),
    ("received", "refusal"): gettext_lazy("Refused by us: %(ground)s"),
    ("received", "closed_unanswered"): gettext_lazy("Closed by the requester before an answer"),
    **{(d, m): label for d in DIRECTIONS for m, label in _EITHER_WAY.items()},
}
DIRECTION_LABELS = {
    "sent": gettext_lazy("Requests we sent"),
    "received": gettext_lazy("Requests we received"),
}


def node_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def current_year() -> int:
    return timezone.now().astimezone(node_zone()).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next, in the node's zone."""
    zone = node_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def is_valid_year(year) -> bool:
    return isinstance(year, int) and FIRST_YEAR <= year <= current_year() + 1


def year_error() -> str:
    return _("Choose a year between %(first)d and %(last)d.") % {
        "first": FIRST_YEAR,
        "last": current_year() + 1,
    }


def require_viewer(user):
    """The contact point's officers and those who follow the situational
    picture see their own country's figures; a user of no country has none."""
    if not user.country_code or not (
        user.has_perm_code(Perm.EXCHANGE_MESSAGES) or user.has_perm_code(Perm.VIEW_SITUATION)
    ):
        raise PermissionDenied


_SIDES = {"sent": SENDER, "received": RECIPIENT}


def _legs(user, direction: str | None = None):
    """The legs the figures count: those `user` may see, of one direction."""
    return Leg.objects.restrict(user, side=_SIDES[direction] if direction else None)


def _empty() -> dict:
    return {**dict.fromkeys(MEASURES, 0), "median_seconds": None, "median_hours": None}


def _median(durations) -> tuple[int | None, float | None]:
    seconds = [d.total_seconds() for d in durations]
    if not seconds:
        return None, None
    middle = statistics.median(seconds)
    return round(middle), round(middle / 3600, 2)


def _has(user, kind: str) -> Exists:
    """Whether a leg has a message of this kind the user may read."""
    return Exists(Message.objects.restrict(user).filter(leg=OuterRef("pk"), kind=kind))


def yearly(user, year: int) -> dict:
    """All figures of one country for one calendar year:

        {"country", "year", "time_zone",
         "sent" | "received": {"total": figures, "by_urgency": {urgency: figures},
                               "refusals": {ground: count}}}

    where figures hold the MEASURES and the median answer time (seconds and
    hours; None when nothing was answered), for the user's country and what
    they may see of it. Four queries, whatever the number of requests."""
    country_code = user.country_code
    start, end = year_bounds(year)
    now = timezone.now()

    def legs_of(direction=None):
        return (
            _legs(user, direction)
            .filter(received_at__gte=start, received_at__lt=end)
            .annotate(
                has_answer=_has(user, MessageKind.ANSWER),
                has_refusal=_has(user, MessageKind.REFUSAL),
            )
        )

    legs = legs_of()
    # Closing a case closes its answered and refused requests too: what
    # they were closed by is in their messages.
    answered = Q(state=LegState.ANSWERED) | Q(state=LegState.CLOSED, has_answer=True)
    refused = Q(state=LegState.REFUSED) | Q(state=LegState.CLOSED, has_refusal=True)
    closed = (answered | refused) & Q(closed_at__isnull=False)
    result = {"country": country_code, "year": year, "time_zone": settings.TIME_ZONE}
    for direction in DIRECTIONS:
        rows = (
            legs_of(direction)
            .order_by()
            .values("urgency")
            .annotate(
                requests=Count("pk"),
                cases=Count("case", distinct=True),
                answered=Count("pk", filter=answered),
                refused=Count("pk", filter=refused),
                within_deadline=Count("pk", filter=closed & Q(closed_at__lte=F("due_at"))),
                after_deadline=Count("pk", filter=closed & Q(closed_at__gt=F("due_at"))),
                open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                # A suspended request has no deadline: it cannot be overdue.
                overdue_open=Count("pk", filter=Q(state__in=OPEN_STATES, due_at__lt=now)),
                closed_unanswered=Count(
                    "pk", filter=Q(state=LegState.CLOSED, has_answer=False, has_refusal=False)
                ),
            )
        )
        by_urgency = {urgency: _empty() for urgency in Urgency.values}
        for row in rows:
            for measure in MEASURES:
                by_urgency[row["urgency"]][measure] += row[measure]
        total = _empty()
        for figures in by_urgency.values():
            # A case's legs all carry its urgency, so cases add up too.
            for measure in MEASURES:
                total[measure] += figures[measure]
        result[direction] = {
            "total": total,
            "by_urgency": by_urgency,
            "refusals": dict.fromkeys(RefusalGround.values, 0),
        }

    # The one refusal that closed each refused leg, by ground.
    refusals = (
        Message.objects.restrict(user)
        .filter(kind=MessageKind.REFUSAL, leg__in=legs.values("pk"))
        .order_by()
        .values("leg__recipient_country_id", "refusal_ground")
        .annotate(n=Count("leg", distinct=True))
    )
    for row in refusals:
        direction = "received" if row["leg__recipient_country_id"] == country_code else "sent"
        grounds = result[direction]["refusals"]
        if row["refusal_ground"] in grounds:
            grounds[row["refusal_ground"]] += row["n"]

    # Only the durations leave the database; the median is taken here, the
    # same way on SQLite and PostgreSQL.
    durations = (
        legs.filter(closed)
        .order_by()
        .annotate(
            took=ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
        )
        .values_list("recipient_country_id", "urgency", "took")
    )
    taken = {(d, u): [] for d in DIRECTIONS for u in [*Urgency.values, None]}
    for recipient, urgency, took in durations:
        direction = "received" if recipient == country_code else "sent"
        taken[direction, urgency].append(took)
        taken[direction, None].append(took)
    for direction in DIRECTIONS:
        part = result[direction]
        for urgency in [*Urgency.values, None]:
            figures = part["by_urgency"][urgency] if urgency else part["total"]
            figures["median_seconds"], figures["median_hours"] = _median(taken[direction, urgency])
    return result


def is_empty(figures: dict) -> bool:
    return not any(figures[d]["total"]["requests"] for d in DIRECTIONS)


def years_available(user) -> list[int]:
    """The years from the first exchange the user may see to now, newest
    first (the current year always among them)."""
    span = _legs(user).aggregate(first=Min("received_at"), last=Max("received_at"))
    zone = node_zone()
    this_year = current_year()
    first = span["first"].astimezone(zone).year if span["first"] else this_year
    last = span["last"].astimezone(zone).year if span["last"] else this_year
    return list(range(max(last, this_year), min(first, this_year) - 1, -1))


def urgency_label(urgency: str | None) -> str:
    return str(Urgency(urgency).label) if urgency else _("All")


def _measure(direction: str, label) -> str:
    return _("%(direction)s: %(measure)s") % {
        "direction": DIRECTION_LABELS[direction],
        "measure": label,
    }


def csv_rows(figures: dict) -> list[list]:
    """One row per measure (measure, urgency, value), the header in the
    reader's language; text cells made safe for spreadsheets."""
    rows = [[_("Measure"), _("Urgency"), _("Value")]]
    for direction in DIRECTIONS:
        part = figures[direction]
        for measure in [*MEASURES, "median"]:
            label = _measure(direction, LABELS[direction, measure])
            for urgency in [*Urgency.values, None]:
                cell = part["by_urgency"][urgency] if urgency else part["total"]
                value = cell["median_hours" if measure == "median" else measure]
                rows.append([label, urgency_label(urgency), "" if value is None else value])
        for ground, count in part["refusals"].items():
            ground = str(LABELS[direction, "refusal"]) % {"ground": RefusalGround(ground).label}
            label = _measure(direction, ground)
            rows.append([label, urgency_label(None), count])
    return [[safe_cell(v) if isinstance(v, str) else v for v in row] for row in rows]
