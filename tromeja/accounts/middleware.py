import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from tromeja.accounts.security import second_factor_satisfied

_API_DOCS = "/api/v1/docs"


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone, carries the
    working purpose into the audit context, and ends sessions that have
    outlived TROMEJA_SESSION_MAX_HOURS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            started = request.session.get("signed_in_at")
            limit = timedelta(hours=settings.SESSION_MAX_AGE_HOURS)
            if started is None or timezone.now().timestamp() - started > limit.total_seconds():
                logout(request)
                return redirect(settings.LOGIN_URL)
            # Pages speak the user's saved language; an API call may ask for
            # another with Accept-Language.
            # The API documentation is a page like the others.
            api_choice = (
                request.path.startswith("/api/")
                and request.path.rstrip("/") != _API_DOCS
                and "HTTP_ACCEPT_LANGUAGE" in request.META
            )
            if user.language in dict(settings.LANGUAGES) and not api_choice:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.zone_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            ctx = getattr(request, "action_context", None)
            if ctx is not None:
                ctx.purpose = request.session.get("purpose", "")
            # Idle expiry: renewing the session marks it modified, so Django
            # saves it with a new expiry date; once a minute is enough. A
            # page's own background refresh (badges, panels: X-Tromeja-Poll)
            # is not the officer at work and keeps no idle session alive.
            now = timezone.now().timestamp()
            polled = request.headers.get("X-Tromeja-Poll") == "1"
            if not polled and now - request.session.get("seen_at", 0) > 60:
                request.session["seen_at"] = now
        return self.get_response(request)


# Paths a signed-in user may reach before passing the second factor.
_OPEN_PREFIXES = (
    "/static/",
    "/api/",
    "/accounts/sign-in/",
    "/accounts/sign-out/",
    "/accounts/second-factor/",
    "/accounts/language/",
)


class SecondFactorRequiredMiddleware:
    """Every account needs a TOTP second factor; until it is passed (or set up
    on first sign-in) the user reaches only the sign-in pages. The API checks
    the same rule in its session authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not second_factor_satisfied(request)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(reverse("accounts:second_factor"))
        return self.get_response(request)
