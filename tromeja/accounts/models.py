import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import Partnership
from tromeja.core.roles import Perm, Role, permissions_for


def country_zone(unit) -> str:
    """The time zone of a unit's country, else the node's."""
    if unit is not None and unit.agency.country.time_zone:
        return unit.agency.country.time_zone
    return settings.TIME_ZONE


# The language a country's officers work in, for new users who were not
# given one; countries not listed (or languages the node does not offer) get
# the node's default.
COUNTRY_LANGUAGES = {"SI": "sl", "IT": "it", "HR": "hr", "AT": "de", "HU": "hu"}


def country_language(unit) -> str:
    """The working language of a unit's country, if the node offers it."""
    language = COUNTRY_LANGUAGES.get(unit.agency.country_id) if unit is not None else None
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class TromejaUserManager(UserManager):
    def get_queryset(self):
        # Every request needs the user's country; load it with the user.
        return super().get_queryset().select_related("unit__agency__country")


class User(AbstractUser):
    """An officer or staff member of one unit (so of one agency and one
    country), holding one or more roles."""

    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # Empty: the zone of the user's country (Country.time_zone), else the
    # node's; new users are given their country's zone when they are made.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    # Demo accounts may skip the second factor, and only while the node runs
    # in demo mode (TROMEJA_DEMO); see accounts.middleware.
    is_demo_account = models.BooleanField(_("demo account"), default=False)

    objects = TromejaUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_active or self.pk is None:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    @cached_property
    def perm_codes(self) -> frozenset[str]:
        return permissions_for(self.roles)

    def has_perm_code(self, code: str) -> bool:
        return code in self.perm_codes

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def country_code(self) -> str | None:
        if self.unit_id is None:
            return None
        return self.unit.agency.country_id

    @property
    def country_partnership(self) -> str:
        if self.unit_id is None:
            return Partnership.NONE
        return self.unit.agency.country.partnership

    @property
    def zone_name(self) -> str:
        """The time zone pages are shown in: the user's own choice, else their
        country's, else the node's."""
        if self.time_zone:
            return self.time_zone
        return country_zone(self.unit if self.unit_id else None)

    @property
    def agency(self):
        return self.unit.agency if self.unit_id else None

    @property
    def is_node_admin(self) -> bool:
        return self.has_perm_code(Perm.ADMINISTER_NODE)


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_grant")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown
    once, when it is made. It acts with its owner's roles, within its scope,
    until it expires or is revoked."""

    PREFIX = "trm_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, to tell tokens apart on screen.
    hint = models.CharField(_("begins with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        # The secret is 256 random bits, so a plain hash is enough; a slow
        # password hash would only slow every API call.
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def owner_may_hold_tokens(self) -> bool:
        """An active owner whose roles grant API use; checked on every use,
        so a token follows its owner's roles as they are now."""
        return self.user.is_active and self.user.has_perm_code(Perm.USE_API)

    def allows(self, method: str) -> bool:
        if method in {"GET", "HEAD", "OPTIONS"}:
            return True
        return self.scope == TokenScope.WRITE
