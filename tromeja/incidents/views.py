import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tromeja.core.consult import consult, disclose
from tromeja.core.countries import country_name
from tromeja.core.models import Country, Job
from tromeja.core.pagination import BoundedPaginator
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.geography.locate import crossings, sections
from tromeja.incidents import services
from tromeja.incidents.choices import Status
from tromeja.incidents.filters import apply_filters
from tromeja.incidents.forms import (
    ImportForm,
    IncidentFilterForm,
    IncidentForm,
    ReturnForm,
    ValidateForm,
    make_formsets,
)
from tromeja.incidents.models import Incident
from tromeja.incidents.queries import readable_versions, sightings_for, visible_incidents


def _require(user, perm):
    if not user.has_perm_code(perm):
        raise PermissionDenied


def _detail_queryset():
    return Incident.objects.select_related(
        "owner_agency", "owner_country", "responsible_unit", "validated_by"
    ).prefetch_related("shared_with")


def _filter_form(request, initial=None):
    countries = [
        (c.code, country_name(c.code, get_language()))
        for c in Country.objects.exclude(partnership="none")
    ]
    form = IncidentFilterForm(request.GET or None, countries=countries, initial=initial)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def incident_list(request):
    _require(request.user, Perm.VIEW_RECORDS)
    form, data = _filter_form(request)
    incidents = apply_filters(visible_incidents(request.user), data)
    page = BoundedPaginator(incidents, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "incidents/partials/table.html" if request.htmx else "incidents/incident_list.html"
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


# The map opens on the last 90 days unless the user chose dates: a viewport
# over every report of several years is counted report by report
# (docs/performance.md, "Incident reports").
MAP_DEFAULT_DAYS = 90


@login_required
def incident_map(request):
    _require(request.user, Perm.VIEW_RECORDS)
    today = timezone.localdate()
    window = {"since": today - timedelta(days=MAP_DEFAULT_DAYS), "until": today}
    form, _data = _filter_form(request, initial=window)
    return render(
        request,
        "incidents/incident_map.html",
        {
            "filter_form": form,
            "tile_url": settings.MAP_TILE_URL,
            "default_since": window["since"].isoformat(),
            "default_until": window["until"].isoformat(),
        },
    )


def _entities_from(formsets) -> services.Entities:
    lists = {}
    for name, formset in formsets.items():
        rows = []
        for form in formset.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            row = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            rows.append(row)
        lists[name] = rows
    return services.Entities(**lists)


def _attach_errors(exc, form, formsets):
    for key, messages_ in exc.message_dict.items():
        head, _dot, index = key.partition(".")
        if head in formsets and index.isdigit():
            live = [
                f
                for f in formsets[head].forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            target = live[int(index)] if int(index) < len(live) else None
            if target is not None:
                for message in messages_:
                    target.add_error(None, message)
                continue
        field = key if key in form.fields else None
        for message in messages_:
            form.add_error(field, message)


def _save(request, form, formsets, incident=None, *, submit=False):
    data = dict(form.cleaned_data)
    data.pop("form_token", None)
    data["related"] = [r for r in re.split(r"[\s,;]+", data.get("related") or "") if r]
    data["follows"] = (data.get("follows") or "").strip()
    section_code = data.pop("border_section", "") or ""
    reason = data.pop("location_override_reason", "") or ""
    if form.fields["distribution"].disabled:
        data.pop("distribution", None)
        data.pop("shared_with", None)
    arguments = {
        "user": request.user,
        "entities": _entities_from(formsets),
        "section_code": section_code,
        "override_reason": reason,
        **data,
    }
    try:
        if incident is None:
            return services.create_incident(submit=submit, **arguments)
        if submit:
            return services.update_and_submit_incident(incident=incident, **arguments)
        return services.update_incident(incident=incident, **arguments)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _attach_errors(exc, form, formsets)
        else:
            form.add_error(None, exc)
    return None


# The one-time tokens of the report forms a user has sent, in their session:
# token -> id of the report the form saved (the last few are kept).
FORM_TOKENS = "incident_form_tokens"
FORM_TOKENS_KEPT = 50


def _sent_tokens(request) -> dict:
    """The tokens as stored now, read again from the session store (another
    request of the same session may have saved one a moment ago), merged with
    this request's own."""
    stored = {}
    key = request.session.session_key
    if key:
        stored = request.session.__class__(session_key=key).load().get(FORM_TOKENS, {})
    return {**stored, **request.session.get(FORM_TOKENS, {})}


def _remember_token(request, tokens: dict, token: str, pk):
    tokens = {**tokens, token: str(pk)}
    request.session[FORM_TOKENS] = dict(list(tokens.items())[-FORM_TOKENS_KEPT:])
    # Saved in the transaction that wrote the report: a second post of the
    # same form, waiting for it, then finds the token.
    request.session.save()


def _send_form(request, form, formsets, incident=None):
    """Saves the form once per token. Returns (report, already_sent): the
    report written now, or the one an earlier post of the same form wrote."""
    token = form.cleaned_data.get("form_token") or ""
    submit = "submit" in request.POST
    if not token:
        return _save(request, form, formsets, incident, submit=submit), False
    with transaction.atomic():
        # The user's posts of report forms wait for each other here.
        users = get_user_model()._base_manager.select_for_update()
        list(users.filter(pk=request.user.pk).values_list("pk", flat=True))
        tokens = _sent_tokens(request)
        if token in tokens:
            request.session[FORM_TOKENS] = tokens
            earlier = Incident.objects.restrict(request.user).filter(pk=tokens[token]).first()
            return earlier, True
        saved = _save(request, form, formsets, incident, submit=submit)
        if saved is not None:
            _remember_token(request, tokens, token, saved.pk)
    return saved, False


def _form_page(request, form, formsets, incident):
    if not form.is_bound:
        form.initial.setdefault("form_token", uuid.uuid4().hex)
    sections = form.sections(formsets)
    return render(
        request,
        "incidents/incident_form.html",
        {
            "form": form,
            "formsets": formsets,
            "sections": sections,
            "sections_with_errors": [s for s in sections if s["has_errors"]],
            "incident": incident,
            "tile_url": settings.MAP_TILE_URL,
        },
    )


def _after_save(request, saved, already_sent, *, new):
    if already_sent:
        messages.info(
            request,
            _("This form was already sent: report %(ref)s was not saved a second time.")
            % {"ref": saved.reference},
        )
    elif saved.status == Status.SUBMITTED:
        messages.success(
            request,
            _("Report %(ref)s saved and submitted for validation.") % {"ref": saved.reference},
        )
    elif new:
        messages.success(request, _("Report %(ref)s saved as a draft.") % {"ref": saved.reference})
    else:
        messages.success(request, _("Report %(ref)s saved.") % {"ref": saved.reference})
    return redirect("incidents:incident_detail", pk=saved.pk)


def _now_for_the_form():
    """Now in the user's time zone (the request's), to the minute."""
    return timezone.localtime().replace(second=0, microsecond=0)


@login_required
def incident_create(request):
    _require(request.user, Perm.CREATE_RECORDS)
    now = _now_for_the_form()
    form = IncidentForm(
        request.POST or None, user=request.user, initial={"occurred_at": now, "aware_at": now}
    )
    formsets = make_formsets(request.POST or None)
    if request.method == "POST":
        formsets_valid = [f.is_valid() for f in formsets.values()]
        valid = form.is_valid() and all(formsets_valid)
        if valid:
            saved, already_sent = _send_form(request, form, formsets)
            if already_sent and saved is None:
                return redirect("incidents:incident_list")
            if saved is not None:
                return _after_save(request, saved, already_sent, new=True)
    return _form_page(request, form, formsets, None)


def _initial(incident, user):
    initial = {name: getattr(incident, name) for name in services.FIELDS}
    initial.update(
        distribution=incident.distribution,
        shared_with=list(incident.shared_with.values_list("code", flat=True)),
        border_section=incident.border_section if incident.location_override_reason else "",
        location_override_reason=incident.location_override_reason,
    )
    visible = Incident.objects.restrict(user)
    if incident.follows_id:
        initial["follows"] = (
            visible.filter(pk=incident.follows_id).values_list("reference", flat=True).first()
        )
    initial["related"] = " ".join(
        visible.filter(pk__in=incident.related.values("pk")).values_list("reference", flat=True)
    )
    return initial


@login_required
def incident_edit(request, pk):
    incident = _detail_queryset().get_visible(request.user, pk, Action.CHANGE)
    consult(request.user, [incident])
    entities = services.entities_of(incident)
    form = IncidentForm(
        request.POST or None, user=request.user, initial=_initial(incident, request.user)
    )
    formsets = make_formsets(request.POST or None, initial=vars(entities))
    if request.method == "POST":
        formsets_valid = [f.is_valid() for f in formsets.values()]
        valid = form.is_valid() and all(formsets_valid)
        if valid:
            saved, already_sent = _send_form(request, form, formsets, incident)
            if saved is not None:
                return _after_save(request, saved, already_sent, new=False)
            if already_sent:
                return redirect("incidents:incident_detail", pk=incident.pk)
            incident.refresh_from_db()
    return _form_page(request, form, formsets, incident)


def _country_names(rows, *fields):
    """Each row gets `<field>_name`: the country's name in the reader's language."""
    language = get_language()
    for row in rows:
        for name in fields:
            code = getattr(row, name)
            setattr(row, f"{name}_name", country_name(code, language) if code else "")
    return rows


def _report_parts(incident):
    return {
        "counts": _country_names(incident.counts.all(), "nationality"),
        "persons": _country_names(incident.persons.all(), "nationality"),
        "vehicles": _country_names(incident.vehicles.all(), "registration_country"),
        "phones": incident.phones.all(),
        "documents": _country_names(incident.documents.all(), "issuing_country"),
        "embarkation_name": country_name(incident.embarkation_country, get_language())
        if incident.embarkation_country
        else "",
        "destination_name": country_name(incident.destination_country, get_language())
        if incident.destination_country
        else "",
    }


@login_required
def incident_detail(request, pk):
    incident = _detail_queryset().get_visible(request.user, pk)
    consult(request.user, [incident])
    user = request.user
    own = incident.owner_country_id == user.country_code
    versions = readable_versions(user, incident)
    section = sections().get(incident.border_section)
    crossing = crossings().get(incident.nearest_crossing)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            **_report_parts(incident),
            "may_export": user.has_perm_code(Perm.EXPORT_RECORDS),
            "export_formats": EXPORT_FORMATS,
            "sightings": sightings_for(user, incident),
            "versions": versions,
            "follow_ups": Incident.objects.restrict(user).filter(follows=incident),
            "related": Incident.objects.restrict(user).filter(pk__in=incident.related.values("pk")),
            "follows": Incident.objects.restrict(user).filter(pk=incident.follows_id).first()
            if incident.follows_id
            else None,
            "section_name": section.name(get_language()) if section else "",
            "crossing_name": " / ".join(crossing.names.values()) if crossing else "",
            "may_edit": own
            and user.has_perm_code(Perm.CREATE_RECORDS)
            and (
                incident.status == Status.VALIDATED
                or (incident.is_editable and incident.created_by_id == user.pk)
            ),
            "may_submit": incident.is_editable and incident.created_by_id == user.pk,
            "may_validate": own
            and incident.status == Status.SUBMITTED
            and user.has_perm_code(Perm.VALIDATE_REPORTS)
            and incident.created_by_id != user.pk,
            "return_form": ReturnForm(),
            # No distribution is pre-selected: the supervisor decides.
            "validate_form": ValidateForm(
                user=user,
                initial={"shared_with": [c.code for c in incident.shared_with.all()]},
            )
            if user.has_perm_code(Perm.SHARE_RECORDS)
            else None,
        },
    )


def _workflow(request, pk, action):
    incident = _detail_queryset().get_visible(request.user, pk, Action.CHANGE)
    try:
        if action == "submit":
            services.submit_incident(user=request.user, incident=incident)
            messages.success(request, _("The report is submitted for validation."))
        elif action == "validate":
            sharing = {}
            if request.user.has_perm_code(Perm.SHARE_RECORDS):
                form = ValidateForm(request.POST, user=request.user)
                if not form.is_valid():
                    if "distribution" in form.errors:
                        # No decision: the service refuses in its order (role,
                        # four eyes, the report's state, then the decision).
                        services.validate_incident(
                            user=request.user, incident=incident, require_decision=True
                        )
                    services.check_validator(user=request.user, incident=incident)
                    for errors in form.errors.values():
                        for message in errors:
                            messages.error(request, message)
                    return redirect("incidents:incident_detail", pk=pk)
                sharing = form.cleaned_data
            services.validate_incident(
                user=request.user, incident=incident, require_decision=True, **sharing
            )
            messages.success(request, _("The report is validated."))
        else:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say what must be corrected."))
                return redirect("incidents:incident_detail", pk=pk)
            services.return_incident(
                user=request.user, incident=incident, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("The report is returned to its author."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("incidents:incident_detail", pk=pk)


@login_required
@require_POST
def incident_submit(request, pk):
    return _workflow(request, pk, "submit")


@login_required
@require_POST
def incident_validate(request, pk):
    return _workflow(request, pk, "validate")


@login_required
@require_POST
def incident_return(request, pk):
    return _workflow(request, pk, "return")


EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"), ("geojson", "GeoJSON"))


@login_required
def incident_print(request, pk):
    """One report laid out for paper, stamped with its handling code: a
    disclosure in the audit trail, like an export."""
    incident = _detail_queryset().get_visible(request.user, pk, Action.EXPORT)
    consult(request.user, [incident])
    disclose(request.user, [incident], channel="print")
    section = sections().get(incident.border_section)
    crossing = crossings().get(incident.nearest_crossing)
    return render(
        request,
        "incidents/incident_print.html",
        {
            "incident": incident,
            **_report_parts(incident),
            "section_name": section.name(get_language()) if section else "",
            "crossing_name": " / ".join(crossing.names.values()) if crossing else "",
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def incident_export_one(request, pk):
    """The export of one report from its page (CSV, XLSX or GeoJSON)."""
    from tromeja.incidents import exports

    try:
        outcome = exports.export_report(
            user=request.user, pk=pk, fmt=request.POST.get("format", "csv")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("incidents:incident_detail", pk=pk)
    response = HttpResponse(outcome.content, content_type=outcome.content_type)
    response["Content-Disposition"] = f'attachment; filename="{outcome.name}"'
    return response


@login_required
@require_POST
def incident_export(request):
    from tromeja.incidents import exports

    _form, data = _filter_form(request)
    back = f"{reverse('incidents:incident_list')}?{request.GET.urlencode()}"
    try:
        outcome = exports.start_export(
            user=request.user, filters=data, fmt=request.POST.get("format", "csv")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if isinstance(outcome, Job):
        return redirect("incidents:job_detail", pk=outcome.pk)
    response = HttpResponse(outcome.content, content_type=outcome.content_type)
    response["Content-Disposition"] = f'attachment; filename="{outcome.name}"'
    return response


@login_required
def incident_import(request):
    from tromeja.incidents import imports

    _require(request.user, Perm.CREATE_RECORDS)
    max_bytes = settings.TROMEJA_MAX_UPLOAD_MB * 1024 * 1024
    form = ImportForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.request_import(
            user=request.user,
            data=upload.read(),
            file_name=upload.name,
            mode=form.cleaned_data["mode"],
            submit=form.cleaned_data["submit"],
        )
        return redirect("incidents:job_detail", pk=job.pk)
    recent = Job.objects.filter(requested_by=request.user, kind=imports.KIND)[:5]
    return render(
        request,
        "incidents/import.html",
        {
            "form": form,
            "recent": recent,
            "required": imports.REQUIRED,
            "optional": imports.OPTIONAL,
            "list_formats": imports.LIST_FORMATS,
            "choices": {name: choices.values for name, choices in imports.CHOICES.items()},
            "max_rows": imports.MAX_ROWS,
        },
    )


@login_required
def import_template(request):
    from tromeja.incidents import imports

    _require(request.user, Perm.CREATE_RECORDS)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incident-import-template.csv"'
    return response


def _own_job(request, pk):
    from tromeja.incidents import exports, imports

    job = get_object_or_404(
        Job, pk=pk, requested_by=request.user, kind__in=[imports.KIND, exports.KIND]
    )
    _require(request.user, Perm.CREATE_RECORDS if job.kind == imports.KIND else Perm.EXPORT_RECORDS)
    return job


@login_required
def job_detail(request, pk: int):
    from tromeja.core import jobs

    job = jobs.checked(_own_job(request, pk))
    template = "incidents/partials/job_progress.html" if request.htmx else "incidents/job.html"
    return render(request, template, {"job": job})


@login_required
def job_file(request, pk: int, name: str):
    from tromeja.core import jobs

    job = _own_job(request, pk)
    offered = {job.result.get(k) for k in ("file", "errors_file", "rejected_file")} - {None}
    path = jobs.job_dir(job) / name
    if name not in offered or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
