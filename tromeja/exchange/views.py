from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tromeja.core.consult import consult, consult_file, disclose
from tromeja.core.countries import country_name
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for
from tromeja.exchange import duty, services
from tromeja.exchange.choices import OPEN_STATES, LegState
from tromeja.exchange.forms import (
    ClarifyForm,
    CloseForm,
    ConsentForm,
    ForwardForm,
    InformationForm,
    ReplyForm,
    RequestForm,
)
from tromeja.exchange.models import Attachment, Case, Leg, Message


def _require(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES):
        raise PermissionDenied


def _rows(legs, now):
    rows = []
    for leg in legs:
        clock = leg.clock
        remaining = clock.remaining(now)
        overdue = remaining.total_seconds() < 0
        rows.append(
            {
                "leg": leg,
                "remaining": remaining,
                "due": leg.due_at,
                "suspended": clock.suspended,
                "overdue": overdue,
            }
        )
    return rows


@login_required
def request_create(request):
    return _new_case(request, RequestForm, services.send_request, _("The request is sent."))


def _new_case(request, form_class, send, sent_message, **context):
    """The request and information forms: partners to choose, the service's
    errors shown on their fields, the new case's page once sent."""
    _require(request.user)
    countries = [
        (c.code, country_name(c.code, get_language())) for c in partner_countries_for(request.user)
    ]
    form = form_class(request.POST or None, request.FILES or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        try:
            case = send(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, sent_message)
            return redirect("exchange:case_detail", pk=case.pk)
    return render(request, "exchange/request_form.html", {"form": form, **context})


@login_required
def case_detail(request, pk):
    # 404 for a case not shared with the user's country, 403 for a role
    # that does not work at the contact point.
    case = Case.objects.get_visible(request.user, pk)
    _require(request.user)
    shown = _messages(request.user, case)
    consult(request.user, [case, *shown])
    country = request.user.country_code
    legs = []
    now = timezone.now()
    for row in _rows(
        Leg.objects.restrict(request.user).filter(case=case).select_related("assigned_to"), now
    ):
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
        row["earlier"] = services.earlier_cases(user=request.user, leg=leg)
        legs.append(row)
    partners = [
        (c.code, country_name(c.code, get_language())) for c in partner_countries_for(request.user)
    ]
    items = []
    for message in shown:
        others = [(c, n) for c, n in partners if c != message.owner_country_id]
        received = message.owner_country_id != country
        items.append(
            {
                "message": message,
                "forward_form": ForwardForm(prefix=f"m{message.pk.hex[:8]}", countries=others)
                if received
                else None,
                "consent_form": ConsentForm(prefix=f"m{message.pk.hex[:8]}", countries=partners)
                if not received and not message.may_be_passed_on
                else None,
            }
        )
    assignable = any(
        row["leg"].recipient_country_id == country and row["leg"].state in OPEN_STATES
        for row in legs
    )
    officers = list(duty.contact_point_officers(country)) if assignable else []
    closable = case.owner_country_id == country and any(
        row["leg"].state != LegState.CLOSED for row in legs
    )
    return render(
        request,
        "exchange/case_detail.html",
        {
            "case": case,
            "items": items,
            "legs": legs,
            "close_form": CloseForm() if closable else None,
            "officers": officers,
            "may_print": request.user.has_perm_code(Perm.EXPORT_RECORDS),
        },
    )


def _messages(user, case) -> list:
    """The messages of a case the user may read, with what each shows, in a
    fixed number of queries."""
    return list(
        Message.objects.restrict(user)
        .filter(case=case)
        .select_related("leg", "owner_agency", "owner_country")
        .prefetch_related("subjects", "attachments", "shared_with")
    )


@login_required
def case_print(request, pk):
    """A case as printed: every message stamped with its handling code (H1
    and H3 restrictions written out); the print is logged as a disclosure.
    Partners' H2 messages are printed too: a print is the reader's own copy,
    not a passing-on (core/exports.py)."""
    case = Case.objects.get_visible(request.user, pk, Action.EXPORT)
    _require(request.user)
    shown = _messages(request.user, case)
    consult(request.user, [case, *shown])
    disclose(request.user, [case, *shown], channel="print")
    return render(
        request,
        "exchange/case_print.html",
        {"case": case, "messages": shown, "now": timezone.now()},
    )


@login_required
@require_POST
def case_close(request, pk):
    case = Case.objects.get_visible(request.user, pk)
    _require(request.user)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_case(user=request.user, case=case, **form.cleaned_data)
            messages.success(request, _("The case is closed; the partners are told."))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    return redirect("exchange:case_detail", pk=case.pk)


@login_required
def information_create(request):
    """Spontaneous information to partner contact points (no answer due)."""
    return _new_case(
        request,
        InformationForm,
        services.send_information,
        _("The information is sent."),
        information=True,
    )


def _received_message(request, pk):
    _require(request.user)
    return get_object_or_404(Message.objects.restrict(request.user).select_related("case"), pk=pk)


def _partner_choices(user):
    return [(c.code, c.code) for c in partner_countries_for(user)]


@login_required
@require_POST
def message_forward(request, pk):
    message = _received_message(request, pk)
    form = ForwardForm(
        request.POST, prefix=f"m{message.pk.hex[:8]}", countries=_partner_choices(request.user)
    )
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
    form = ConsentForm(
        request.POST, prefix=f"m{message.pk.hex[:8]}", countries=_partner_choices(request.user)
    )
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
    return get_object_or_404(Leg.objects.restrict(request.user).select_related("case"), pk=pk)


@login_required
@require_POST
def leg_reply(request, pk):
    leg = _leg(request, pk)
    form = ReplyForm(request.POST, request.FILES, prefix=f"leg{leg.pk}")
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
    form = ClarifyForm(request.POST, request.FILES, prefix=f"leg{leg.pk}")
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


@login_required
def attachment_download(request, pk):
    return attachment_response(request.user, pk)


def attachment_response(user, pk):
    """An attachment, to those who may read its message; always as a
    download, never rendered by the browser. Reading it is logged."""
    from django.http import FileResponse

    from tromeja.exchange import files

    _require(user)
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"),
        pk=pk,
        message__in=Message.objects.restrict(user),
    )
    try:
        handle = open(files.path_of(attachment.sha256), "rb")  # noqa: SIM115 (closed by the response)
    except (OSError, ValueError):
        raise Http404 from None
    consult_file(user, attachment.message, name=attachment.name, sha256=attachment.sha256)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
