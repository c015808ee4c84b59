"""Every write about users, roles, tokens and sign-in, with its audit entry."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja.accounts.models import (
    ApiToken,
    RoleGrant,
    TokenScope,
    User,
    country_language,
    country_zone,
)
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.reference_services import apply_changes, audit_value, check_administers
from tromeja.core.roles import Perm, Role

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "unit",
    "language",
    "time_zone",
    "is_active",
)


def _unit_country(unit) -> str | None:
    return unit.agency.country_id if unit is not None else None


def check_manages(by, user: User) -> None:
    """`by` may administer `user`: a node administrator of the user's country
    (`by=None`: the node's operator at the command line)."""
    check_administers(by, user.country_code)


def create_user(
    *,
    username: str,
    password: str | None,
    unit,
    roles=(),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    time_zone: str = "",
    is_demo_account: bool = False,
    created_by=None,
) -> User:
    # A node administrator creates users only in the units of their own country.
    check_administers(created_by, _unit_country(unit))
    with transaction.atomic():
        user = User(
            username=username,
            unit=unit,
            first_name=first_name,
            last_name=last_name,
            email=email,
            # Unless chosen, a user works in their country's language.
            language=language or country_language(unit),
            # Unless chosen, a user sees the time of their own country.
            time_zone=time_zone or country_zone(unit),
            is_demo_account=is_demo_account,
        )
        if password:
            validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=Role(r)) for r in set(roles))
        audit.log(
            AuditAction.COLLECTION,
            actor=created_by,
            obj=user,
            detail={
                "username": user.username,
                "unit": audit_value(unit),
                "roles": sorted(str(r) for r in set(roles)),
                "password": "set" if password else "none",
            },
        )
    return user


def update_user(*, user: User, by, **changes) -> dict:
    """Changes a user's name, e-mail, unit, language, time zone or active
    flag; the alteration entry names each field from what to what."""
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        check_manages(by, user)
        if "unit" in changes:
            # Moving someone into another country's unit would let them read
            # that country's national records.
            check_administers(by, _unit_country(changes["unit"]))
        # A user who kept their country's zone follows their new unit's.
        kept = user.time_zone in ("", country_zone(user.unit if user.unit_id else None))
        if "unit" in changes and "time_zone" not in changes and kept:
            changes["time_zone"] = country_zone(changes["unit"])
        if by is not None and user.pk == by.pk and changes.get("is_active") is False:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        detail = apply_changes(user, changes, USER_FIELDS)
        if not detail:
            return detail
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(detail))
        audit.log(AuditAction.ALTERATION, actor=by, obj=user, detail=detail)
    return detail


def set_roles(*, user: User, roles, by) -> dict:
    """Grants and withdraws roles so that `user` holds exactly `roles`."""
    roles = {str(Role(r)) for r in roles}
    with transaction.atomic():
        check_manages(by, user)
        # One change of roles at a time per user: lock the user's row.
        User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        granted, withdrawn = sorted(roles - existing), sorted(existing - roles)
        if by is not None and user.pk == by.pk and Role.NODE_ADMIN in withdrawn:
            raise ValidationError(
                {"roles": _("You cannot withdraw your own node administrator role.")}
            )
        if not granted and not withdrawn:
            return {}
        RoleGrant.objects.filter(user=user, role__in=withdrawn).delete()
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=Role(r)) for r in granted)
        detail = {"roles": {"granted": granted, "withdrawn": withdrawn}}
        audit.log(AuditAction.ALTERATION, actor=by, obj=user, detail=detail)
    user.__dict__.pop("roles", None)
    user.__dict__.pop("perm_codes", None)
    return detail


def set_password(*, user: User, password: str | None, by) -> User:
    """Sets a new password, or (None) turns password sign-in off. The entry
    says which, never the password or its hash."""
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        check_manages(by, user)
        if password:
            validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        audit.log(
            AuditAction.ALTERATION,
            actor=by,
            obj=user,
            detail={"password": "set" if password else "disabled"},
        )
    return user


# Session key of the language chosen before signing in (accounts.views.set_language).
CHOSEN_LANGUAGE = "language_chosen"


def set_preferences(*, user: User, language: str | None = None, time_zone: str | None = None):
    fields = []
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Unknown language.")})
        user.language = language
        fields.append("language")
    if time_zone is not None:
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)


def set_purpose(*, session, purpose: str) -> str:
    """The working purpose stays with the session and goes into every
    consultation entry (Directive 2016/680 art. 25: justification)."""
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValidationError({"purpose": _("State the purpose of your work.")})
    if len(purpose) > 300:
        raise ValidationError({"purpose": _("Keep the purpose under 300 characters.")})
    session["purpose"] = purpose
    return purpose


# --- Second factor ------------------------------------------------------------


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device shown during enrolment (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Tromeja", confirmed=False)
    return device


def confirm_totp_device(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        audit.log(
            AuditAction.SECURITY,
            actor=device.user,
            obj=device.user,
            detail={"event": "second_factor_enrolled"},
        )
    return True


def reset_second_factor(*, user: User, by: User | None) -> None:
    """Removes the user's authenticator devices: they enrol a new one at
    their next sign-in."""
    with transaction.atomic():
        check_manages(by, user)
        TOTPDevice.objects.filter(user=user).delete()
        audit.log(AuditAction.ALTERATION, actor=by, obj=user, detail={"second_factor": "reset"})


# --- API tokens ------------------------------------------------------------------


def create_api_token(*, user: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored."""
    errors = {}
    name = name.strip()
    if not user.has_perm_code(Perm.USE_API):
        errors["scope"] = _("Your roles do not include API access.")
    if not name:
        errors["name"] = _("Give the token a name.")
    elif len(name) > 100:
        errors["name"] = _("Keep the name under 100 characters.")
    if scope not in TokenScope.values:
        errors["scope"] = _("Unknown scope.")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("A token lives between 1 and %(max)d days.") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            hint=secret[:10],
            digest=ApiToken.hash_secret(secret),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.log(AuditAction.SECURITY, actor=user, obj=token, detail={"event": "token_created"})
    return token, secret


def revoke_api_token(*, token: ApiToken, by: User) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.log(AuditAction.SECURITY, actor=by, obj=token, detail={"event": "token_revoked"})


def authenticate_token(secret: str) -> ApiToken | None:
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user__unit__agency__country")
        .filter(digest=ApiToken.hash_secret(secret))
        .first()
    )
    if token is None or not token.owner_may_hold_tokens:
        # Checked on every use: a token stops working as soon as its owner
        # is deactivated or no longer has a role that may hold tokens.
        return None
    now = timezone.now()
    # Write last use at most once a minute: API reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
