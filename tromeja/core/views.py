from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tromeja.core.modules import modules_for


@login_required
def home(request):
    panels = []
    for module in modules_for(request.user):
        for panel in module.panels:
            ctx = panel.context(request.user)
            if ctx is not None:
                panels.append({"template": panel.template, "context": ctx, "module": module})
    return render(request, "core/home.html", {"panels": panels})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    return render(request, "500.html", status=500)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    return render(request, "csrf_failure.html", status=403)
