"""The contact point's duty pages: assigning a request, the hand-over at
shift change, the duty roster and the supervisors' list of overdue
requests. The rules are in exchange.duty; these pages only ask and show."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tromeja.accounts.models import User
from tromeja.core.roles import Perm
from tromeja.exchange import duty
from tromeja.exchange.choices import DutyRole
from tromeja.exchange.models import Leg

ROSTER_DAYS = 7
OVERDUE_ROWS = 500


def _require(user):
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES) or not user.country_code:
        raise PermissionDenied


def _back(request, fallback: str) -> str:
    """Where a form posted from the inbox or a case page returns to."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class AssignForm(forms.Form):
    officer = OfficerChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, country, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = duty.contact_point_officers(country)


class HandOverForm(forms.Form):
    to = OfficerChoiceField(
        label=gettext_lazy("Hand over to"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the next shift"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        officers = duty.contact_point_officers(user.country_code).exclude(pk=user.pk)
        self.fields["to"].queryset = officers


_DATETIME_INPUT = {"class": "form-control"}


class ShiftForm(forms.Form):
    officer = OfficerChoiceField(
        label=gettext_lazy("Officer"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Duty"),
        choices=DutyRole.choices,
        initial=DutyRole.DUTY_OFFICER,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"),
        widget=forms.DateTimeInput(attrs=_DATETIME_INPUT),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until"),
        widget=forms.DateTimeInput(attrs=_DATETIME_INPUT),
    )

    def __init__(self, *args, country, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = duty.contact_point_officers(country)
        help_text = _("Your time zone: %(zone)s") % {"zone": zone.key}
        self.fields["starts_at"].help_text = help_text


@login_required
@require_POST
def leg_assign(request, pk):
    _require(request.user)
    leg = get_object_or_404(Leg.objects.restrict(request.user).select_related("case"), pk=pk)
    back = _back(request, reverse("exchange:case_detail", kwargs={"pk": leg.case_id}))
    form = AssignForm(request.POST, country=request.user.country_code)
    if not form.is_valid():
        messages.error(request, _("Choose an officer of your country's contact point."))
        return redirect(back)
    officer = form.cleaned_data["officer"]
    try:
        duty.assign(user=request.user, leg=leg, officer=officer)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(back)
    if officer.pk == request.user.pk:
        messages.success(
            request, _("You have taken request %(reference)s.") % {"reference": leg.case.reference}
        )
    else:
        messages.success(
            request,
            _("Request %(reference)s is assigned to %(officer)s.")
            % {"reference": leg.case.reference, "officer": officer},
        )
    return redirect(back)


@login_required
@require_POST
def hand_over(request):
    _require(request.user)
    back = _back(request, reverse("exchange:inbox"))
    form = HandOverForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the colleague who takes over."))
        return redirect(back)
    officer = form.cleaned_data["to"]
    try:
        count = duty.hand_over(
            user=request.user, to_officer=officer, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(back)
    if count:
        text = ngettext(
            "%(count)d request handed over to %(officer)s.",
            "%(count)d requests handed over to %(officer)s.",
            count,
        )
        messages.success(request, text % {"count": count, "officer": officer})
    else:
        messages.info(request, _("You had no open requests to hand over."))
    return redirect(back)


def _days(user, country: str, now: datetime) -> list[dict]:
    """The roster's next days: each day's shifts and the periods nobody is
    on duty, in the contact point's time zone."""
    zone = duty.zone_of(country)
    today = timezone.localtime(now, zone).date()

    def midnight(day):
        return datetime.combine(day, time.min, zone)

    start, end = midnight(today), midnight(today + timedelta(days=ROSTER_DAYS))
    shifts = list(
        duty.shifts_for(user)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("officer")
        .order_by("starts_at", "pk")
    )
    holes = duty.gaps(country, now, end)
    days = []
    for offset in range(ROSTER_DAYS):
        day = today + timedelta(days=offset)
        day_start, day_end = midnight(day), midnight(day + timedelta(days=1))
        days.append(
            {
                "date": day,
                "shifts": [
                    {"shift": s, "now": s.starts_at <= now < s.ends_at}
                    for s in shifts
                    if s.starts_at < day_end and s.ends_at > day_start
                ],
                "gaps": [
                    (max(g.start, day_start), min(g.end, day_end))
                    for g in holes
                    if g.start < day_end and g.end > day_start
                ],
            }
        )
    return days


@login_required
def roster(request):
    """The next seven days of the contact point's duty roster; supervisors
    add and remove shifts here."""
    user = request.user
    _require(user)
    country = user.country_code
    supervisor = duty.is_supervisor(user)
    zone = duty.user_zone(user)
    form = None
    if request.method == "POST":
        if not supervisor:
            raise PermissionDenied
        form = ShiftForm(request.POST, country=country, zone=zone)
        with timezone.override(zone):
            valid = form.is_valid()
        if valid:
            try:
                shift = duty.add_shift(user=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request, _("%(officer)s is on the roster.") % {"officer": shift.officer}
                )
                return redirect("exchange:roster")
    elif supervisor:
        form = ShiftForm(country=country, zone=zone)
    now = timezone.now()
    context = {
        "days": _days(user, country, now),
        "on_duty": list(duty.on_duty(country, now).order_by("last_name", "first_name")),
        "form": form,
        "is_supervisor": supervisor,
        "zone": duty.zone_of(country),
    }
    return render(request, "exchange/roster.html", context)


@login_required
@require_POST
def shift_delete(request, pk):
    _require(request.user)
    shift = get_object_or_404(duty.shifts_for(request.user).select_related("officer"), pk=pk)
    duty.delete_shift(user=request.user, shift=shift)
    messages.success(request, _("The shift is removed from the roster."))
    return redirect("exchange:roster")


@login_required
def overdue(request):
    """Supervisors: the requests to our country past their deadline, the most
    overdue first."""
    _require(request.user)
    now = timezone.now()
    legs = list(duty.overdue(request.user, now)[:OVERDUE_ROWS])
    rows = [{"leg": leg, "late": leg.due_at - now} for leg in legs]
    return render(request, "exchange/overdue.html", {"rows": rows})
