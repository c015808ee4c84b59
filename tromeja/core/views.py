from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tromeja.core.modules import badges_for, modules_for


@login_required
def home(request):
    panels = []
    modules = modules_for(request.user)
    for module in modules:
        for panel in module.panels:
            ctx = panel.context(request.user)
            if ctx is not None:
                panels.append({"template": panel.template, "context": ctx, "module": module})
    notifications = any(module.badge is not None for module in modules)
    return render(request, "core/home.html", {"panels": panels, "notifications": notifications})


@login_required
@require_GET
@never_cache
def attention(request):
    """The badges of the user's navigation entries and the notifications of
    new urgent work, as JSON, for the pages to poll: every text already in
    the user's language. A few indexed queries per module that has a badge.
    Anonymous callers are sent to sign in, as from every page."""
    badges = badges_for(request.user)
    return JsonResponse(
        {
            "badges": {
                section: {"count": b.count, "text": b.text, "urgent": b.urgent}
                for section, b in badges.items()
            },
            "notify": [
                {"key": n.key, "title": n.title, "body": n.body, "url": n.url}
                for b in badges.values()
                for n in b.notify
            ],
        }
    )


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
