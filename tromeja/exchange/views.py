from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tromeja.core.consult import consult
from tromeja.core.countries import country_name
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for
from tromeja.exchange import services
from tromeja.exchange.choices import OPEN_STATES, LegState
from tromeja.exchange.forms import (
    ClarifyForm,
    ConsentForm,
    ForwardForm,
    ReplyForm,
    RequestForm,
)
from tromeja.exchange.models import Case, Leg, Message


def _require(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES):
        raise PermissionDenied


def _rows(legs, now):
    rows = []
    for leg in legs:
        clock = leg.clock
        remaining = clock.remaining(now)
        overdue = remaining.total_seconds() < 0
        rows.append({"leg": leg, "remaining": remaining, "due": leg.due_at,
                     "suspended": clock.suspended, "overdue": overdue})  # fmt: skip
    return rows


@login_required
def inbox(request):
    """Requests to my country, most urgent first (time left), then what my
    country asked of the partners."""
    _require(request.user)
    country = request.user.country_code
    now = timezone.now()
    legs = Leg.objects.for_user(request.user).select_related("case", "assigned_to")
    incoming = legs.filter(recipient_country_id=country, state__in=OPEN_STATES)
    # Suspended requests (no deadline while a clarification is pending) last.
    incoming = sorted(incoming, key=lambda leg: (leg.due_at is None, leg.due_at or now))
    outgoing = legs.filter(case__owner_country_id=country).order_by("-case__created_at")[:50]
    template = "exchange/partials/inbox_tables.html" if request.htmx else "exchange/inbox.html"
    return render(
        request, template, {"incoming": _rows(incoming, now), "outgoing": _rows(outgoing, now)}
    )


@login_required
def request_create(request):
    _require(request.user)
    countries = [(c.code, country_name(c.code, get_language()))
                 for c in partner_countries_for(request.user)]  # fmt: skip
    form = RequestForm(request.POST or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.send_request(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The request is sent."))
            return redirect("exchange:case_detail", pk=case.pk)
    return render(request, "exchange/request_form.html", {"form": form})


@login_required
def case_detail(request, pk):
    # 404 for a case not shared with the user's country, 403 for a role
    # that does not work at the contact point.
    case = Case.objects.get_visible(request.user, pk)
    _require(request.user)
    shown = list(Message.objects.restrict(request.user).filter(case=case).select_related("leg"))
    consult(request.user, [case, *shown])
    country = request.user.country_code
    legs = []
    now = timezone.now()
    for row in _rows(Leg.objects.for_user(request.user).filter(case=case), now):
        leg = row["leg"]
        row["reply_form"] = (
            ReplyForm(prefix=f"leg{leg.pk}")
            if leg.recipient_country_id == country
            and leg.state in OPEN_STATES
            and leg.state != LegState.AWAITING_CLARIFICATION
            else None
        )
        row["clarify_form"] = (
            ClarifyForm(prefix=f"leg{leg.pk}")
            if case.owner_country_id == country and leg.state == LegState.AWAITING_CLARIFICATION
            else None
        )
        row["hits"] = services.cross_check(user=request.user, leg=leg)
        legs.append(row)
    partners = [(c.code, country_name(c.code, get_language()))
                for c in partner_countries_for(request.user)]  # fmt: skip
    items = []
    for message in shown:
        others = [(c, n) for c, n in partners if c != message.owner_country_id]
        received = message.owner_country_id != country
        items.append({
            "message": message,
            "forward_form": ForwardForm(prefix=f"m{message.pk.hex[:8]}", countries=others)
            if received else None,
            "consent_form": ConsentForm(prefix=f"m{message.pk.hex[:8]}", countries=partners)
            if not received and not message.may_be_passed_on else None,
        })  # fmt: skip
    return render(request, "exchange/case_detail.html",
                  {"case": case, "items": items, "legs": legs})  # fmt: skip


def _received_message(request, pk):
    _require(request.user)
    return get_object_or_404(Message.objects.restrict(request.user).select_related("case"), pk=pk)


def _partner_choices(user):
    return [(c.code, c.code) for c in partner_countries_for(user)]


@login_required
@require_POST
def message_forward(request, pk):
    message = _received_message(request, pk)
    form = ForwardForm(request.POST, prefix=f"m{message.pk.hex[:8]}",
                       countries=_partner_choices(request.user))  # fmt: skip
    if not form.is_valid():
        messages.error(request, _("Name the partner countries."))
        return redirect("exchange:case_detail", pk=message.case_id)
    try:
        case = services.forward(user=request.user, message=message, **form.cleaned_data)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("exchange:case_detail", pk=message.case_id)
    messages.success(request, _("The information is passed on."))
    return redirect("exchange:case_detail", pk=case.pk)


@login_required
@require_POST
def message_consent(request, pk):
    message = _received_message(request, pk)
    form = ConsentForm(request.POST, prefix=f"m{message.pk.hex[:8]}",
                       countries=_partner_choices(request.user))  # fmt: skip
    if form.is_valid():
        try:
            services.record_consent(user=request.user, message=message, **form.cleaned_data)
            messages.success(request, _("Your consent is recorded."))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.error(request, _("Name the partner countries."))
    return redirect("exchange:case_detail", pk=message.case_id)


def _leg(request, pk):
    _require(request.user)
    return get_object_or_404(Leg.objects.for_user(request.user).select_related("case"), pk=pk)


@login_required
@require_POST
def leg_reply(request, pk):
    leg = _leg(request, pk)
    form = ReplyForm(request.POST, prefix=f"leg{leg.pk}")
    if form.is_valid():
        try:
            services.reply(user=request.user, leg=leg, **form.cleaned_data)
            messages.success(request, _("The reply is sent."))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.error(request, _("Choose the kind of reply."))
    return redirect("exchange:case_detail", pk=leg.case_id)


@login_required
@require_POST
def leg_clarify(request, pk):
    leg = _leg(request, pk)
    form = ClarifyForm(request.POST, prefix=f"leg{leg.pk}")
    if form.is_valid():
        try:
            services.clarify(user=request.user, leg=leg, **form.cleaned_data)
            messages.success(
                request, _("The clarification is sent; the partner's clock runs again.")
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.error(request, _("Write the text."))
    return redirect("exchange:case_detail", pk=leg.case_id)
