"""The node's health page and the retry of a failed background job."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tromeja.core import health, jobs
from tromeja.core.models import Job
from tromeja.core.roles import Perm


@login_required
def health_page(request):
    """The state of this node's clock, workers and queue: for this node's
    administrators only."""
    user = request.user
    if not user.has_perm_code(Perm.ADMINISTER_NODE) or user.country_code != settings.NODE_COUNTRY:
        raise PermissionDenied
    found = health.checks()
    return render(
        request,
        "core/health.html",
        {"checks": found, "healthy": health.healthy(found)},
    )


@login_required
@require_POST
def job_retry(request, pk: int):
    job = get_object_or_404(Job, pk=pk, requested_by=request.user)
    try:
        jobs.retry(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
