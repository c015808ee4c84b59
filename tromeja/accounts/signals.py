from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from tromeja.accounts.services import CHOSEN_LANGUAGE, set_preferences
from tromeja.core import audit
from tromeja.core.choices import AuditAction


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    request.session["signed_in_at"] = timezone.now().timestamp()
    # A language chosen on the sign-in page carries into the session and the
    # user's preferences (so the second-factor pages after it speak it too).
    chosen = request.session.pop(CHOSEN_LANGUAGE, None)
    if chosen and chosen != user.language:
        set_preferences(user=user, language=chosen)
    audit.log(AuditAction.SIGN_IN, actor=user, obj=user)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit.log(AuditAction.SIGN_OUT, actor=user, obj=user)


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # The attempted user name only: never the password.
    audit.log(
        AuditAction.SIGN_IN_FAILED,
        object_type="accounts.user",
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
