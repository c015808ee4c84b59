from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tromeja.auditlog import services
from tromeja.auditlog.filters import apply_filters
from tromeja.auditlog.forms import AuditFilterForm
from tromeja.auditlog.models import AuditExport, ExportFormat, ExportStatus
from tromeja.core import signing
from tromeja.core.models import AuditEntry
from tromeja.core.pagination import BoundedPaginator
from tromeja.core.roles import Perm


def _require_dpo(user):
    if not user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied


def _page(request, entries):
    page = BoundedPaginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = services.describe(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@login_required
def entry_list(request):
    _require_dpo(request.user)
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    entries = apply_filters(AuditEntry.objects.restrict(request.user), data)
    page, query = _page(request, entries)
    exports = AuditExport.objects.filter(requested_by=request.user)[:5]
    return render(
        request,
        "auditlog/entry_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "exports": exports,
            "formats": ExportFormat.choices,
        },
    )


@login_required
def user_suggestions(request):
    """The users whose name holds what was typed, for the search's list."""
    _require_dpo(request.user)
    text = request.GET.get("user", "")[:150]
    users = services.suggest_users(request.user, text)
    return render(request, "auditlog/partials/user_options.html", {"users": users})


@login_required
def record_history(request, pk):
    """Every access to one record and its parts, for the owner country's
    supervisors and data protection officers."""
    record_type, record_id, record, entries = services.record_history(request.user, pk)
    page, query = _page(request, entries)
    reference = getattr(record, "reference", "") or next(
        (e.reference for e in page.object_list if e.reference), ""
    )
    return render(
        request,
        "auditlog/record_history.html",
        {
            "record_type": record_type,
            "type_name": services.type_name(record_type.label),
            "record_id": record_id,
            "record": record,
            "reference": reference,
            "page": page,
            "query": query,
        },
    )


def public_keys(request):
    """The node's public signing keys, for whoever checks what it signed."""
    keys = signing.all_keys() or [signing.current()]
    return render(request, "auditlog/keys.html", {"keys": list(reversed(keys))})


@login_required
@require_POST
def export_create(request):
    _require_dpo(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.serializable() if form.is_valid() else {}
    chosen = request.POST.get("format", ExportFormat.CSV)
    if chosen not in ExportFormat.values:
        chosen = ExportFormat.CSV
    export = services.request_export(user=request.user, filters=filters, format=chosen)
    return redirect("auditlog:export_detail", pk=export.pk)


@login_required
def export_detail(request, pk: int):
    _require_dpo(request.user)
    export = get_object_or_404(AuditExport, pk=pk, requested_by=request.user)
    template = "auditlog/partials/export_progress.html" if request.htmx else "auditlog/export.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request, pk: int):
    _require_dpo(request.user)
    export = get_object_or_404(
        AuditExport, pk=pk, requested_by=request.user, status=ExportStatus.DONE
    )
    path = services.export_dir() / export.file_name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name)
