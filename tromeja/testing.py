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
    "sl_supervisor": ("si-pu-novo-mesto", [Role.SUPERVISOR], "sl"),
    "hr_supervisor": ("hr-pu-karlovacka", [Role.SUPERVISOR], "hr"),
    "it_supervisor": ("it-questura-trieste", [Role.SUPERVISOR], "it"),
    "hr_border": ("hr-pgp-cetingrad", [Role.BORDER_OFFICER], "hr"),
}

# Near Obrežje, on the Slovenian–Croatian border (Novo mesto directorate).
NEAR_OBREZJE = (45.852, 15.690)
# Near Cetingrad, on Croatia's border with Bosnia and Herzegovina.
NEAR_CETINGRAD = (45.155, 15.735)


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


def incident(user, *, validate_by=None, entities=None, **overrides):
    """A report made through the service (and validated, if a supervisor is
    given), as officers make them."""
    from datetime import timedelta

    from tromeja.incidents import services

    now = timezone.now()
    lat, lon = NEAR_OBREZJE if user.country_code != "HR" else NEAR_CETINGRAD
    fields = {
        "type": "irregular_crossing",
        "occurred_at": now - timedelta(hours=3),
        "aware_at": now - timedelta(hours=2),
        "latitude": lat,
        "longitude": lon,
        "detection_method": "surveillance",
        "transport": "on_foot",
        "stage": "actual",
        "crossing_mode": "clandestine",
        "direction": "entry",
        "persons_total": 6,
        "impact_level": "medium",
        "confidence": "confirmed",
        "source_reliability": "A",
        "information_accuracy": "1",
    }
    fields.update(overrides)
    if entities is None:
        entities = (
            services.Entities(
                counts=[
                    {
                        "nationality": "AF",
                        "sex": "m",
                        "age_group": "adult",
                        "count": fields["persons_total"],
                    }
                ]
            )
            if fields["persons_total"]
            else services.Entities()
        )
    with context.acting(context.ActionContext(purpose="test fixture")):
        report = services.create_incident(user=user, entities=entities, **fields)
        if validate_by is not None:
            services.submit_incident(user=user, incident=report)
            services.validate_incident(user=validate_by, incident=report)
    return report


def incident_api_body(**overrides) -> str:
    """A valid JSON body for POST/PUT /api/v1/incidents."""
    import json
    from datetime import timedelta

    now = timezone.now()
    body = {
        "type": "vehicle",
        "occurred_at": (now - timedelta(hours=1)).isoformat(),
        "aware_at": now.isoformat(),
        "latitude": NEAR_OBREZJE[0],
        "longitude": NEAR_OBREZJE[1],
        "detection_method": "check",
        "transport": "van",
        "persons_total": 2,
        "impact_level": "low",
        "confidence": "confirmed",
        "counts": [{"nationality": "PK", "sex": "m", "age_group": "adult", "count": 2}],
        "vehicles": [{"plate": "KA 555 XX", "registration_country": "UA"}],
    }
    body.update(overrides)
    return json.dumps(body)
