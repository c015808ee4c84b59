"""Answer deadlines between single points of contact (Directive (EU) 2023/977
art. 5; docs/rules.md §3), kept in UTC and correct across daylight-saving changes.

- urgent, information directly accessible: 8 hours, counted in real time from
  receipt (a night when clocks change has 7 or 9 wall-clock hours of it);
- urgent, indirectly accessible: 3 calendar days; any other request: 7
  calendar days. A period in days starts with the day after receipt and ends
  with the last hour of its last day in the receiving contact point's time
  zone (Regulation (EEC, Euratom) No 1182/71 art. 3);
- a request for clarification suspends the deadline until the clarification
  arrives: the time it was pending is added to the deadline.

Pure functions of their arguments, so inbox sorting, countdowns and the
escalation at 50 %, 90 % and expiry all compute the same instants.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tromeja.exchange.choices import Urgency

HOURS = {Urgency.URGENT_DIRECT: 8}
CALENDAR_DAYS = {Urgency.URGENT_INDIRECT: 3, Urgency.NOT_URGENT: 7}


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry its time zone")
    return value.astimezone(UTC)


def base_due(received_at: datetime, urgency: str, zone: str) -> datetime:
    """The deadline without suspensions, in UTC."""
    received = _aware(received_at, "received_at")
    urgency = Urgency(urgency)
    if urgency in HOURS:
        return received + timedelta(hours=HOURS[urgency])
    local_day = received.astimezone(ZoneInfo(zone)).date()
    # The end of the last day is the start of the next one, local time.
    end = local_day + timedelta(days=CALENDAR_DAYS[urgency] + 1)
    return datetime.combine(end, time.min, ZoneInfo(zone)).astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """A request's clock: when it was received, how urgent it is, in which
    time zone its days are counted, and the periods a clarification was
    pending ((asked, answered); answered is None while it still is)."""

    received_at: datetime
    urgency: str
    zone: str
    suspensions: tuple[tuple[datetime, datetime | None], ...] = ()

    @classmethod
    def of(cls, received_at, urgency, zone, suspensions: Iterable = ()) -> "Clock":
        checked = []
        for asked, answered in suspensions:
            asked = _aware(asked, "a suspension's start")
            answered = _aware(answered, "a suspension's end") if answered else None
            if answered is not None and answered < asked:
                raise ValueError("a suspension ends before it starts")
            checked.append((asked, answered))
        checked.sort(key=lambda s: s[0])
        if any(a is None for _s, a in checked[:-1]):
            raise ValueError("only the last suspension may still be open")
        return cls(_aware(received_at, "received_at"), Urgency(urgency), zone, tuple(checked))

    @property
    def allowed(self) -> timedelta:
        """The time the receiver has, in real time."""
        return base_due(self.received_at, self.urgency, self.zone) - self.received_at

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions) and self.suspensions[-1][1] is None

    def _paused_until(self, now: datetime) -> timedelta:
        total = timedelta()
        for asked, answered in self.suspensions:
            end = min(answered or now, now)
            if end > asked:
                total += end - asked
        return total

    def used(self, now: datetime) -> timedelta:
        """Running time used so far (suspensions not counted)."""
        now = _aware(now, "now")
        return max(timedelta(), now - self.received_at - self._paused_until(now))

    def due(self, now: datetime | None = None) -> datetime | None:
        """The deadline in UTC; None while a clarification is pending (the
        clock stands still: `remaining` says how much is left)."""
        if self.suspended:
            return None
        paused = self._paused_until(datetime.max.replace(tzinfo=UTC))
        return self.received_at + self.allowed + paused

    def remaining(self, now: datetime) -> timedelta:
        """Time left (negative once overdue)."""
        return self.allowed - self.used(now)

    def fraction_used(self, now: datetime) -> float:
        return self.used(now) / self.allowed
