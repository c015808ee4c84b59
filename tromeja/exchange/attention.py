"""What needs the contact point's attention: the home panel, the badge of
the navigation entry (polled by the pages), the browser notifications of new
urgent requests, and how urgent each request of the inbox is, in colour and
in words.

Everything starts from the visibility rule (`Leg.objects.restrict`,
`Message.objects.received`) and asks the database a fixed number of
questions, whatever the number of requests: the badge two, the panel five.

"Since I last looked": an officer's answers are new until they open the
inbox (`mark_inbox_seen`, one row per officer) or the answer's case
(`mark_case_seen`, one row per officer and case); each is one statement.
"""

import functools
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from tromeja.core.countries import country_name
from tromeja.core.modules import BadgeCounts, Notify
from tromeja.core.records import RECIPIENT, SENDER
from tromeja.core.roles import Perm
from tromeja.exchange import duty
from tromeja.exchange.choices import OPEN_STATES, LegState, MessageKind, Urgency
from tromeja.exchange.models import CaseLooked, LastLooked, Leg, Message
from tromeja.exchange.templatetags.exchange import time_left

# A request with less than this left stands out.
SOON = timedelta(hours=2)
URGENT = frozenset({Urgency.URGENT_DIRECT, Urgency.URGENT_INDIRECT})
# The panel lists this many pressing requests, the most pressing first.
PANEL_ROWS = 5
# Browser notifications: new urgent requests received in this window, at most
# NOTIFY_ROWS of them (the newest).
NOTIFY_WINDOW = timedelta(hours=24)
NOTIFY_ROWS = 5
# Answers count as new for at most this long, looked at or not.
ANSWERS_WINDOW = timedelta(days=7)
ANSWER_KINDS = (MessageKind.ANSWER, MessageKind.PARTIAL_ANSWER, MessageKind.REFUSAL)


def _may(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm_code(Perm.EXCHANGE_MESSAGES)
        and bool(user.country_code)
    )


# --- Since I last looked ------------------------------------------------------


def mark_inbox_seen(user, now=None) -> None:
    """The officer has seen the inbox (and so every answer in it) now."""
    if not _may(user):
        return
    LastLooked.objects.bulk_create(
        [LastLooked(user=user, at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["at"],
    )


def mark_case_seen(user, case_id, now=None) -> None:
    """The officer has seen this case (and its answers) now."""
    if not _may(user):
        return
    CaseLooked.objects.bulk_create(
        [CaseLooked(user=user, case_id=case_id, at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "case"],
        update_fields=["at"],
    )


def marks_case_seen(view):
    """A case page that, once shown (200) to a contact-point officer, marks
    the case as seen by them."""

    @functools.wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        response = view(request, pk, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            mark_case_seen(request.user, pk)
        return response

    return wrapped


def new_answers(user, now=None):
    """Answers (also partial ones and refusals) partners sent to the user's
    country since the user last looked at the inbox or at their case."""
    now = now or timezone.now()
    looked = LastLooked.objects.filter(user=user).values_list("at", flat=True).first()
    since = max(looked, now - ANSWERS_WINDOW) if looked else now - ANSWERS_WINDOW
    seen_case = CaseLooked.objects.filter(
        user=user, case=OuterRef("case"), at__gte=OuterRef("created_at")
    )
    return (
        Message.objects.received(user)
        .filter(kind__in=ANSWER_KINDS, created_at__gt=since)
        .exclude(Exists(seen_case))
    )


# --- How urgent a request is ---------------------------------------------------


def status(leg, now) -> dict:
    """How pressing one request to us is: `tone` (overdue, soon, paused,
    urgent, normal; the row's colour and icon) and `text`, which says the
    same in words, e.g. "urgent · 1 h 40 min left"."""
    clock = leg.clock
    remaining = clock.remaining(now)
    open_ = leg.state in OPEN_STATES
    urgent = leg.urgency in URGENT
    if not open_:
        tone, text = "closed", leg.get_state_display()
    elif clock.suspended:
        tone = "paused"
        text = _("paused (clarification), %(time)s left") % {"time": time_left(remaining)}
    elif remaining.total_seconds() < 0:
        tone, text = "overdue", time_left(remaining)
    else:
        tone = "soon" if remaining < SOON else "urgent" if urgent else "normal"
        text = _("%(time)s left") % {"time": time_left(remaining)}
    if urgent and open_:
        text = _("urgent · %(status)s") % {"status": text}
    return {"tone": tone, "text": text, "remaining": remaining, "urgent": urgent}


def with_status(rows, now) -> list:
    """The inbox's rows, each with its `status`."""
    for row in rows:
        row["status"] = status(row["leg"], now)
    return rows


# --- The counts -----------------------------------------------------------------


def _pressing(now) -> Q:
    return Q(state=LegState.NEW) | Q(due_at__lt=now + SOON)


def counts(user, now=None) -> dict:
    """The open requests to the user's country by what they need, and the
    clarifications partners asked of the user's country: two queries."""
    now = now or timezone.now()
    received = (
        Leg.objects.restrict(user, side=RECIPIENT)
        .filter(state__in=OPEN_STATES)
        .aggregate(
            pressing=Count("pk", filter=_pressing(now)),
            new=Count("pk", filter=Q(state=LegState.NEW)),
            new_urgent=Count("pk", filter=Q(state=LegState.NEW, urgency__in=URGENT)),
            soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + SOON)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            paused=Count("pk", filter=Q(state=LegState.AWAITING_CLARIFICATION)),
            mine=Count("pk", filter=Q(assigned_to=user)),
        )
    )
    received["clarify"] = (
        Leg.objects.restrict(user, side=SENDER)
        .filter(state=LegState.AWAITING_CLARIFICATION)
        .count()
    )
    return received


def summary(found: dict) -> str:
    """The counts in words, e.g. "3 new, 1 overdue"."""
    parts = []
    if found["new"]:
        parts.append(ngettext("%(n)d new", "%(n)d new", found["new"]) % {"n": found["new"]})
    if found["soon"]:
        parts.append(
            ngettext(
                "%(n)d with under 2 hours left", "%(n)d with under 2 hours left", found["soon"]
            )
            % {"n": found["soon"]}
        )
    if found["overdue"]:
        parts.append(
            ngettext("%(n)d overdue", "%(n)d overdue", found["overdue"]) % {"n": found["overdue"]}
        )
    if found["clarify"]:
        parts.append(
            ngettext(
                "%(n)d clarification asked of us",
                "%(n)d clarifications asked of us",
                found["clarify"],
            )
            % {"n": found["clarify"]}
        )
    return _(", ").join(parts)


def notify_title(country_code: str) -> str:
    return _("New urgent request from %(country)s") % {
        "country": country_name(country_code, get_language())
    }


def _notifications(user, now) -> tuple[Notify, ...]:
    """The newest urgent requests to the user's country not yet acknowledged
    (one query)."""
    fresh = (
        Leg.objects.restrict(user, side=RECIPIENT)
        .filter(state=LegState.NEW, urgency__in=URGENT, received_at__gte=now - NOTIFY_WINDOW)
        .select_related("case")
        .order_by("-received_at", "-pk")[:NOTIFY_ROWS]
    )
    return tuple(
        Notify(
            key=f"leg-{leg.pk}",
            title=notify_title(leg.case.owner_country_id),
            body=_("%(reference)s · %(status)s")
            % {"reference": leg.case.reference, "status": status(leg, now)["text"]},
            url=reverse("exchange:case_detail", args=[leg.case_id]),
        )
        for leg in fresh
    )


def badge(user) -> BadgeCounts | None:
    """The navigation badge: the requests to us that are new or have under
    two hours left (or none), and the clarifications asked of us."""
    if not _may(user):
        return None
    now = timezone.now()
    found = counts(user, now)
    total = found["pressing"] + found["clarify"]
    return BadgeCounts(
        count=total,
        text=summary(found),
        urgent=bool(found["new_urgent"] or found["soon"] or found["overdue"]),
        notify=_notifications(user, now) if found["new_urgent"] else (),
    )


def panel(user) -> dict | None:
    """The home panel: what the badge counts, the most pressing requests
    with their time left, those assigned to me, and the answers received
    since I last looked (five queries)."""
    if not _may(user):
        return None
    now = timezone.now()
    found = counts(user, now)
    found["answers"] = new_answers(user, now).count()
    rows = list(
        Leg.objects.restrict(user, side=RECIPIENT)
        .filter(_pressing(now), state__in=OPEN_STATES)
        .select_related("case")
        .order_by(F("due_at").asc(nulls_last=True), "-received_at", "pk")[:PANEL_ROWS]
    )
    if not (rows or found["pressing"] or found["clarify"] or found["mine"] or found["answers"]):
        return None
    found["rows"] = [{"leg": leg, "status": status(leg, now)} for leg in rows]
    found["more"] = max(found["pressing"] - len(rows), 0)
    found["summary"] = summary(found)
    # Supervisors follow the overdue requests on a page of their own.
    found["overdue_url"] = reverse(
        "exchange:overdue" if duty.is_supervisor(user) else "exchange:inbox"
    )
    return found
