"""The contact point's inbox: requests to my country by time left, what my
country asked of the partners, and the information partners sent."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone

from tromeja.core.records import RECIPIENT, SENDER
from tromeja.exchange import attention
from tromeja.exchange.choices import OPEN_STATES, LegState, MessageKind
from tromeja.exchange.models import Case, Leg, Message
from tromeja.exchange.views import _require, _rows

# The inbox shows this many open requests (the most urgent), or on asking
# at most INBOX_ALL_ROWS; and our latest OUTGOING_CASES cases.
INBOX_ROWS = 50
INBOX_ALL_ROWS = 1000
OUTGOING_CASES = 30


@login_required
def inbox(request):
    """Requests to my country, most urgent first (time left), then what my
    country asked of the partners and the information partners sent."""
    _require(request.user)
    now = timezone.now()
    # Most urgent first; suspended requests (no deadline while a
    # clarification is pending) last. From the (recipient, state, due) index.
    rows = INBOX_ALL_ROWS if request.GET.get("all") else INBOX_ROWS
    mine = Leg.objects.restrict(request.user, side=RECIPIENT).select_related("case", "assigned_to")
    # New requests, not yet acknowledged, newest first: they are read first,
    # whatever the deadlines of the others.
    fresh = list(mine.filter(state=LegState.NEW).order_by("-received_at", "-pk")[: rows + 1])
    incoming = mine.filter(state__in=OPEN_STATES - {LegState.NEW}).order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )
    shown = list(incoming[: rows + 1])
    # Our latest cases first (the (owner country, created) index), then their legs.
    ours = Case.objects.own(request.user).order_by("-created_at")
    outgoing = (
        Leg.objects.restrict(request.user, side=SENDER)
        .filter(case__in=list(ours.values_list("pk", flat=True)[:OUTGOING_CASES]))
        .select_related("case")
        .order_by("-case__created_at", "recipient_country_id")
    )
    received = (
        Message.objects.received(request.user)
        .filter(kind=MessageKind.SPONTANEOUS)
        .select_related("case")
        .order_by("-created_at")[:20]
    )
    if not request.htmx:
        # Opening the inbox shows every answer: none is new any more. (Its
        # refresh in the background does not count as looking.)
        attention.mark_inbox_seen(request.user, now)
    template = "exchange/partials/inbox_tables.html" if request.htmx else "exchange/inbox.html"
    return render(
        request,
        template,
        {
            "fresh": attention.with_status(_rows(fresh[:rows], now), now),
            "incoming": attention.with_status(_rows(shown[:rows], now), now),
            "more": len(shown) > rows or len(fresh) > rows,
            "outgoing": attention.with_status(_rows(outgoing, now), now),
            "attention": attention.panel(request.user),
            "received": received,
        },
    )
