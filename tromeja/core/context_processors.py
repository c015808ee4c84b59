from django.conf import settings
from django.urls import reverse

from tromeja.core.modules import modules_for


def shell(request):
    user = getattr(request, "user", None)
    nav = []
    for module in modules_for(user):
        url = reverse(module.url_name)
        nav.append(
            {
                "label": module.label,
                "url": url,
                "active": request.path.startswith(url),
            }
        )
    return {
        "nav_entries": nav,
        "demo_mode": settings.DEMO_MODE,
        "working_purpose": request.session.get("purpose", "")
        if hasattr(request, "session")
        else "",
        "available_languages": settings.LANGUAGES,
    }
