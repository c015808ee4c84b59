from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tromeja.core.consult import consult, consult_file, disclose
from tromeja.core.countries import country_name
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for
from tromeja.exchange import duty, services
from tromeja.exchange.choices import OPEN_STATES, LegState, MessageKind
from tromeja.exchange.forms import (
    ClarifyForm,
    CloseForm,
    ConsentForm,
    ForwardForm,
    InformationForm,
    ReplyForm,
    RequestForm,
    subject_formsets,
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
    return _new_case(request, RequestForm, services.send_request, _request_sent)


def _names(codes) -> str:
    """'Slovenia and Croatia': countries' names in the reader's language."""
    language = get_language()
    return get_text_list([country_name(c, language) for c in codes], _("and"))


def _request_sent(case) -> str:
    legs = list(case.legs.order_by("recipient_country_id"))
    dues = sorted({leg.due_at for leg in legs if leg.due_at})
    return _("Request sent to the contact points of %(countries)s, answer due by %(due)s.") % {
        "countries": _names([leg.recipient_country_id for leg in legs]),
        "due": get_text_list(
            [date_format(timezone.localtime(d), "SHORT_DATETIME_FORMAT") for d in dues], _("and")
        ),
    }


def _information_sent(case) -> str:
    codes = sorted(case.shared_with.values_list("code", flat=True))
    return _("Information sent to the contact points of %(countries)s; no answer is due.") % {
        "countries": _names(codes)
    }


# The form's fields above the rows of persons, documents, vehicles and phones.
_HEAD_FIELDS = ("recipients", "urgency", "subject", "body")


def _new_case(request, form_class, send, sent_message, **context):
    """The request and information forms: partners to choose, persons,
    documents, vehicles and phones as rows; every problem shown at once, on
    its field or row and in a summary at the top; the new case's page once
    sent, with what was sent to whom."""
    _require(request.user)
    countries = [
        (c.code, country_name(c.code, get_language())) for c in partner_countries_for(request.user)
    ]
    posted = request.method == "POST"
    form = form_class(request.POST or None, request.FILES or None, countries=countries)
    rows = subject_formsets(request.POST if posted else None)
    if posted:
        case = _send_new_case(request, form, rows, send)
        if case is not None:
            messages.success(request, sent_message(case))
            return redirect("exchange:case_detail", pk=case.pk)
    head = [form[name] for name in _HEAD_FIELDS if name in form.fields]
    tail = [field for field in form.visible_fields() if field.name not in _HEAD_FIELDS]
    return render(
        request,
        "exchange/request_form.html",
        {
            "form": form,
            "head_fields": head,
            "tail_fields": tail,
            "formsets": rows,
            "summary": _summary(form, rows) if posted else [],
            **context,
        },
    )


def _send_new_case(request, form, rows, send):
    """Validates the form, its rows and what the service checks, together;
    sends only when nothing is wrong."""
    # Every formset is validated, even after one is found wrong.
    checks = [form.is_valid(), *(formset.is_valid() for formset in rows.values())]
    valid = all(checks)
    data = dict(getattr(form, "cleaned_data", {}))
    about, shown = {}, {}
    for name, formset in rows.items():
        shown[name] = _live(formset)
        about[name] = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in shown[name]
        ]
    for name in ("places", "incidents"):
        data.setdefault(name, [])
    checked = dict(data, **about)
    checked.setdefault("subject", "")
    checked.setdefault("recipients", [])
    checked.pop("body", None)
    for name in ("handling_code", "handling_note"):
        checked.pop(name, None)
    if "urgency" in form.fields:
        checked["urgency"] = data.get("urgency") or None
    problems = services.new_case_errors(user=request.user, **checked)
    for key, errors in problems.items():
        head, _dot, index = key.partition(".")
        if head in shown and index.isdigit():
            target = shown[head][int(index)]
            if target.is_valid():  # a row with wrong fields shows those first
                for error in errors:
                    target.add_error(None, error)
            continue
        field = key if key in form.fields else None
        if field is None or field not in form.errors:
            for error in errors:
                form.add_error(field, error)
    if not valid or problems:
        return None
    try:
        return send(user=request.user, **data, **about)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    return None


def _live(formset) -> list:
    """The rows filled in and not removed, in their order: row n of these is
    "Person n" in the messages."""
    return [
        f
        for f in formset.forms
        if f.has_changed() and not getattr(f, "cleaned_data", {}).get("DELETE")
    ]


def _summary(form, rows) -> list[dict]:
    """Every problem of the form, each naming its field or row, for the box
    at the top of the page: {"text", "anchor"} (the field to go to)."""
    from tromeja import entities

    found = [{"text": str(e), "anchor": ""} for e in form.non_field_errors()]
    for field in form:
        found += [{"text": f"{field.label}: {e}", "anchor": _anchor(field)} for e in field.errors]
    for name, formset in rows.items():
        kind = entities.KINDS[name]
        found += [{"text": str(e), "anchor": ""} for e in formset.non_form_errors()]
        for line, row in enumerate(_live(formset), start=1):
            first = next(iter(row), None)
            found += [
                {"text": str(e), "anchor": _anchor(first) if first else ""}
                for e in row.non_field_errors()
            ]
            for field in row:
                found += [
                    {
                        "text": entities.message(kind, line, f"{field.label}: {e}"),
                        "anchor": _anchor(field),
                    }
                    for e in field.errors
                ]
    return found


def _anchor(field) -> str:
    return field.id_for_label or f"{field.auto_id}_0"


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
        row["seen"] = services.seen_before(user=request.user, leg=leg)
        for group in row["seen"]:
            for hit in group["hits"]:
                hit["country_name"] = country_name(hit["country"], get_language())
        row["country_name"] = country_name(leg.recipient_country_id, get_language())
        legs.append(row)
    partners = [
        (c.code, country_name(c.code, get_language())) for c in partner_countries_for(request.user)
    ]
    items = []
    for message in shown:
        others = [(c, n) for c, n in partners if c != message.owner_country_id]
        received = message.owner_country_id != country
        author = message.created_by
        items.append(
            {
                "message": message,
                "author": author.get_full_name() or author.username if author else "",
                "unit": author.unit.name if author and author.unit_id else "",
                "country": country_name(message.owner_country_id, get_language()),
                "to": _names(sorted(c.code for c in message.shared_with.all())),
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
            "requester": country_name(case.owner_country_id, get_language()),
        },
    )


def _messages(user, case) -> list:
    """The messages of a case the user may read, with what each shows, in a
    fixed number of queries."""
    return list(
        Message.objects.restrict(user)
        .filter(case=case)
        .select_related("leg", "owner_agency", "owner_country", "created_by__unit")
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
        {
            "case": case,
            "entries": [
                {
                    "message": m,
                    "author": (m.created_by.get_full_name() or m.created_by.username)
                    if m.created_by
                    else "",
                    "unit": m.created_by.unit.name if m.created_by and m.created_by.unit_id else "",
                    "country": country_name(m.owner_country_id, get_language()),
                }
                for m in shown
            ],
            "requester": country_name(case.owner_country_id, get_language()),
            "now": timezone.now(),
        },
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
            codes = sorted(case.shared_with.values_list("code", flat=True))
            messages.success(
                request,
                _("Case closed; the contact points of %(countries)s are told.")
                % {"countries": _names(codes)},
            )
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
        _information_sent,
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
    messages.success(
        request,
        _("Information passed on to the contact points of %(countries)s.")
        % {"countries": _names(form.cleaned_data["recipients"])},
    )
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
            message = services.record_consent(
                user=request.user, message=message, **form.cleaned_data
            )
            messages.success(
                request,
                _("Consent recorded: the message may be passed on to %(countries)s.")
                % {"countries": _names(message.forward_consent)},
            )
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
            sent = services.reply(user=request.user, leg=leg, **form.cleaned_data)
            messages.success(request, reply_confirmation(sent))
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
            sent = services.clarify(user=request.user, leg=leg, **form.cleaned_data)
            messages.success(request, reply_confirmation(sent))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.error(request, _("Write the text."))
    return redirect("exchange:case_detail", pk=leg.case_id)


def reply_confirmation(message: Message) -> str:
    """What a reply or a clarification did, in words: to whom it went and
    what became of the deadline."""
    leg = message.leg
    to = {
        "country": country_name(
            leg.case.owner_country_id
            if message.kind != MessageKind.CLARIFICATION
            else leg.recipient_country_id,
            get_language(),
        )
    }
    if message.kind == MessageKind.ACKNOWLEDGEMENT:
        return _("Request acknowledged; the contact point of %(country)s is told.") % to
    if message.kind == MessageKind.CLARIFICATION_REQUEST:
        return (
            _("Clarification requested from the contact point of %(country)s, deadline paused.")
            % to
        )
    if message.kind == MessageKind.PARTIAL_ANSWER:
        return (
            _("Partial answer sent to the contact point of %(country)s; the request stays open.")
            % to
        )
    if message.kind == MessageKind.ANSWER:
        return _("Answer sent to the contact point of %(country)s.") % to
    if message.kind == MessageKind.REFUSAL:
        return _("Request refused: %(reason)s. The contact point of %(country)s is told.") % {
            **to,
            "reason": message.get_refusal_ground_display(),
        }
    due = date_format(timezone.localtime(leg.due_at), "SHORT_DATETIME_FORMAT")
    return _(
        "Clarification sent to the contact point of %(country)s, deadline running again: "
        "answer due by %(due)s."
    ) % {**to, "due": due}


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
