from django.conf import settings


def second_factor_relaxed(user) -> bool:
    """The demo's only exception: its own accounts, while demo mode is on."""
    return bool(settings.DEMO_MODE and getattr(user, "is_demo_account", False))


def second_factor_satisfied(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if second_factor_relaxed(user):
        return True
    return bool(getattr(user, "is_verified", lambda: False)())
