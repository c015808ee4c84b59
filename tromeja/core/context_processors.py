from django.conf import settings
from django.urls import reverse

from tromeja.core.modules import navigation_for

# How often the pages ask for the badges' counts (settings.ATTENTION_POLL_SECONDS).
ATTENTION_POLL_SECONDS = 30


def shell(request):
    user = getattr(request, "user", None)
    nav = []
    for module, entry in navigation_for(user):
        url = reverse(entry.url_name)
        nav.append(
            {
                "section": module.section,
                "label": entry.label,
                "url": url,
                "active": request.path.startswith(url),
                "badge": module.badge is not None and entry.url_name == module.url_name,
            }
        )
    return {
        "nav_entries": nav,
        "attention_poll_seconds": getattr(
            settings, "ATTENTION_POLL_SECONDS", ATTENTION_POLL_SECONDS
        ),
        "demo_mode": settings.DEMO_MODE,
        "working_purpose": request.session.get("purpose", "")
        if hasattr(request, "session")
        else "",
        "available_languages": settings.LANGUAGES,
    }
