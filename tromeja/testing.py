"""The shared test base: personas and helpers that sign them in.

    sl_duty      Slovenian duty officer (single point of contact)
    it_duty      Italian duty officer
    hr_analyst   Croatian analyst
    outsider     Slovenian user with no roles
and a few more for the roles that own a page (border officer, DPO, admin).
Records are made through the service functions, as users make them.
"""

from datetime import timedelta

from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja.accounts.services import create_user
from tromeja.core import context
from tromeja.core.models import Unit
from tromeja.core.roles import Role
from tromeja.notices.services import create_notice

PASSWORD = "correct horse battery staple 42"  # noqa: S105 (test personas)

PERSONAS = {
    "sl_duty": ("si-smps", [Role.DUTY_OFFICER], "sl"),
    "it_duty": ("it-scip", [Role.DUTY_OFFICER], "it"),
    "hr_analyst": ("hr-uzg", [Role.ANALYST], "hr"),
    "outsider": ("si-pu-celje", [], "sl"),
    "sl_border": ("si-pmp-obrezje", [Role.BORDER_OFFICER], "sl"),
    "sl_dpo": ("si-gpu", [Role.DATA_PROTECTION_OFFICER], "sl"),
    "it_dpo": ("it-dps", [Role.DATA_PROTECTION_OFFICER], "it"),
    "sl_admin": ("si-gpu", [Role.NODE_ADMIN], "sl"),
    "hr_duty": ("hr-smps", [Role.DUTY_OFFICER], "hr"),
}


def make_persona(name: str, *, with_device: bool = True):
    unit_code, roles, language = PERSONAS[name]
    if not Unit.objects.filter(code=unit_code).exists():
        # A transactional test before this one emptied the tables.
        from tromeja.core import reference
        from tromeja.core.models import Agency, Country

        reference.load(Country, Agency, Unit)
    user = create_user(
        username=name,
        password=PASSWORD,
        unit=Unit.objects.get(code=unit_code),
        roles=roles,
        first_name=name.split("_")[0].upper(),
        last_name=name.split("_")[-1].title(),
        language="en",
    )
    user.preferred_test_language = language
    if with_device:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(client, user, *, purpose: str | None = "case 2026/117"):
    """Signs `user` in with the second factor passed, as after a real sign-in."""
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if purpose:
        session["purpose"] = purpose
    session["signed_in_at"] = timezone.now().timestamp()
    session.save()
    return client


def notice(user, **overrides):
    """A notice made through the service, as an officer would make it."""
    fields = {
        "kind": "modus_operandi",
        "title": "Vans with Ukrainian plates",
        "body": "Groups of 20 to 30 persons crossing at night.",
        "source_reliability": "B",
        "information_accuracy": "2",
    }
    fields.update(overrides)
    if fields.get("has_personal_data") and "review_by" not in fields:
        fields["review_by"] = timezone.localdate() + timedelta(days=180)
        fields.setdefault("data_subject_category", "suspect")
    with context.acting(context.ActionContext(purpose="test fixture")):
        return create_notice(user=user, **fields)


def client_for(user, **kwargs):
    """A fresh test client signed in as `user`."""
    from django.test import Client

    return sign_in(Client(), user, **kwargs)
