from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tromeja.core.consult import consult, disclose
from tromeja.core.countries import country_name
from tromeja.core.models import Country
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.notices import services
from tromeja.notices.filters import apply_filters
from tromeja.notices.forms import NoticeFilterForm, NoticeForm
from tromeja.notices.models import Notice
from tromeja.notices.queries import visible_notices


def _require(user, perm):
    if not user.has_perm_code(perm):
        raise PermissionDenied


def _notices():
    return Notice.objects.select_related("owner_agency", "owner_country").prefetch_related(
        "shared_with"
    )


def _filter_form(request):
    countries = [
        (c.code, country_name(c.code, request.LANGUAGE_CODE))
        for c in Country.objects.exclude(partnership="none")
    ]
    form = NoticeFilterForm(request.GET or None, countries=countries)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data


@login_required
def notice_list(request):
    _require(request.user, Perm.VIEW_RECORDS)
    form, data = _filter_form(request)
    notices = apply_filters(visible_notices(request.user), data)
    page = Paginator(notices, 25).get_page(request.GET.get("page"))
    template = "notices/partials/table.html" if request.htmx else "notices/notice_list.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "filter_form": form,
            "page": page,
            "query": query.urlencode(),
            "may_create": request.user.has_perm_code(Perm.CREATE_RECORDS),
            "may_export": request.user.has_perm_code(Perm.EXPORT_RECORDS),
        },
    )


@login_required
def notice_detail(request, pk):
    notice = _notices().get_visible(request.user, pk)
    consult(request.user, [notice])
    user = request.user
    own = notice.owner_country_id == user.country_code
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "may_change": own and user.has_perm_code(Perm.CREATE_RECORDS),
            "may_export": user.has_perm_code(Perm.EXPORT_RECORDS),
        },
    )


def _form_initial(notice: Notice) -> dict:
    initial = {name: getattr(notice, name) for name in services.EDITABLE}
    initial["distribution"] = notice.distribution
    initial["shared_with"] = list(notice.shared_with.values_list("code", flat=True))
    return initial


def _save(request, form, notice=None):
    data = dict(form.cleaned_data)
    if form.fields["distribution"].disabled:
        data.pop("distribution", None)
        data.pop("shared_with", None)
    try:
        if notice is None:
            return services.create_notice(user=request.user, **data)
        return services.update_notice(user=request.user, notice=notice, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    return None


@login_required
def notice_create(request):
    _require(request.user, Perm.CREATE_RECORDS)
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        notice = _save(request, form)
        if notice is not None:
            messages.success(request, _("The notice is saved."))
            return redirect("notices:notice_detail", pk=notice.pk)
    return render(request, "notices/notice_form.html", {"form": form, "notice": None})


@login_required
def notice_edit(request, pk):
    notice = Notice.objects.get_visible(request.user, pk, Action.CHANGE)
    consult(request.user, [notice])
    form = NoticeForm(request.POST or None, user=request.user, initial=_form_initial(notice))
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, notice)
        if saved is not None:
            messages.success(request, _("The notice is saved."))
            return redirect("notices:notice_detail", pk=notice.pk)
        notice.refresh_from_db()
    return render(request, "notices/notice_form.html", {"form": form, "notice": notice})


@login_required
def notice_erase(request, pk):
    notice = Notice.objects.get_visible(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.erase_notice(user=request.user, notice=notice)
        messages.success(request, _("The notice is erased."))
        return redirect("notices:notice_list")
    return render(request, "notices/notice_erase.html", {"notice": notice})


@login_required
def notice_print(request, pk):
    notice = _notices().get_visible(request.user, pk, Action.EXPORT)
    consult(request.user, [notice])
    disclose(request.user, [notice], channel="print")
    return render(request, "notices/notice_print.html", {"notice": notice, "now": timezone.now()})


@login_required
@require_POST
def notice_export(request):
    from tromeja.core.models import Job
    from tromeja.notices import exports

    _form, data = _filter_form(request)
    try:
        outcome = exports.start_export(user=request.user, filters=data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('notices:notice_list')}?{request.GET.urlencode()}")
    if isinstance(outcome, Job):
        return redirect("notices:export_job", pk=outcome.pk)
    response = HttpResponse(outcome.content, content_type=outcome.content_type)
    response["Content-Disposition"] = f'attachment; filename="{outcome.name}"'
    return response


@login_required
def notice_export_job(request, pk: int):
    """A large export's progress, polled by htmx, then its download."""
    from tromeja.core.exports import own_export_job
    from tromeja.notices import exports

    job = own_export_job(request.user, pk, exports.KIND)
    template = "notices/partials/export_job.html" if request.htmx else "notices/export_job.html"
    return render(request, template, {"job": job})


@login_required
def notice_export_file(request, pk: int):
    from tromeja.core.exports import export_file, own_export_job
    from tromeja.notices import exports

    path = export_file(own_export_job(request.user, pk, exports.KIND))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
