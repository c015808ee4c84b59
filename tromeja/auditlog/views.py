from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tromeja.auditlog import services
from tromeja.auditlog.filters import apply_filters
from tromeja.auditlog.forms import AuditFilterForm
from tromeja.auditlog.models import AuditExport, ExportStatus
from tromeja.core.models import AuditEntry
from tromeja.core.roles import Perm


def _require_dpo(user):
    if not user.has_perm_code(Perm.READ_AUDIT_LOG):
        raise PermissionDenied


@login_required
def entry_list(request):
    _require_dpo(request.user)
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    entries = apply_filters(AuditEntry.objects.restrict(request.user), data)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    exports = AuditExport.objects.filter(requested_by=request.user)[:5]
    return render(
        request,
        "auditlog/entry_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "exports": exports},
    )


@login_required
@require_POST
def export_create(request):
    _require_dpo(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.serializable() if form.is_valid() else {}
    export = services.request_export(user=request.user, filters=filters)
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
