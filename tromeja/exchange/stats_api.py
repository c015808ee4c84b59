"""The yearly statistics of the contact point (Directive (EU) 2023/977
art. 18) for national reporting systems: always the caller's own country."""

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from tromeja.exchange import stats

router = Router(tags=["contact-point exchange"])


class FiguresOut(Schema):
    requests: int
    cases: int
    answered: int
    refused: int
    within_deadline: int
    after_deadline: int
    open: int
    overdue_open: int
    closed_unanswered: int
    median_answer_hours: float | None


class DirectionOut(Schema):
    total: FiguresOut
    by_urgency: dict[str, FiguresOut]
    refusals_by_ground: dict[str, int]


class StatisticsOut(Schema):
    country: str
    year: int
    time_zone: str
    sent: DirectionOut
    received: DirectionOut


def _figures(cell: dict) -> FiguresOut:
    return FiguresOut(
        median_answer_hours=cell["median_hours"], **{m: cell[m] for m in stats.MEASURES}
    )


def _direction(part: dict) -> DirectionOut:
    return DirectionOut(
        total=_figures(part["total"]),
        by_urgency={u: _figures(cell) for u, cell in part["by_urgency"].items()},
        refusals_by_ground=part["refusals"],
    )


@router.get(
    "/statistics",
    response=StatisticsOut,
    summary="My country's requests of a calendar year: sent, received, on time, refused",
)
def statistics(request, year: int | None = None):
    stats.require_viewer(request.user)
    if year is None:
        year = stats.current_year()
    elif not stats.is_valid_year(year):
        raise ValidationError({"year": stats.year_error()})
    figures = stats.yearly(request.user, year)
    return StatisticsOut(
        country=figures["country"],
        year=figures["year"],
        time_zone=figures["time_zone"],
        sent=_direction(figures["sent"]),
        received=_direction(figures["received"]),
    )
