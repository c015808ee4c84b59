"""The shareable record base and the one visibility rule.

Every record that can cross a border inherits `SharedRecord`. What a user may
see or do with such records is decided by `RecordQuerySet.restrict(user,
action)` and nowhere else: pages, API, exports, search and background jobs all
start from it. A record that another country did not share with the user is
simply not in the queryset, so it answers 404, never 403.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import (
    DataSubjectCategory,
    Distribution,
    HandlingCode,
    InformationAccuracy,
    Partnership,
    SourceReliability,
)
from tromeja.core.ids import uuid7
from tromeja.core.roles import Perm


class Action:
    VIEW = "view"
    CHANGE = "change"
    SHARE = "share"
    EXPORT = "export"
    DELETE = "delete"


# What each action needs besides seeing the record.
_ACTION_PERMS = {
    Action.VIEW: Perm.VIEW_RECORDS,
    Action.CHANGE: Perm.CREATE_RECORDS,
    Action.DELETE: Perm.CREATE_RECORDS,
    Action.SHARE: Perm.SHARE_RECORDS,
    Action.EXPORT: Perm.EXPORT_RECORDS,
}
# Only the owner country may change, share or delete its records.
_OWNER_ONLY = {Action.CHANGE, Action.SHARE, Action.DELETE}


class RecordQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW):
        """The records `user` may `action`. The only visibility rule."""
        if action not in _ACTION_PERMS:
            raise ValueError(f"unknown action {action!r}")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        country = user.country_code
        if not country or not user.has_perm_code(_ACTION_PERMS[action]):
            return self.none()
        own = Q(owner_country_id=country) & self.model.own_country_condition(user)
        if action in _OWNER_ONLY:
            return self.filter(own)
        through = self.model.shared_with.through
        source = self.model._meta.get_field("shared_with").m2m_field_name()
        named = Exists(through.objects.filter(**{source: OuterRef("pk"), "country_id": country}))
        shared = Q(distribution=Distribution.NAMED) & named
        if user.country_partnership == Partnership.FULL:
            shared |= Q(distribution=Distribution.PARTNERS)
        return self.filter(own | shared & self.model.partner_condition())

    def own(self, user, action: str = Action.VIEW):
        """Of the records `user` may `action`, those of their own country."""
        country = _country(user, action)
        return self.restrict(user, action).filter(owner_country_id=country)

    def received(self, user, action: str = Action.VIEW):
        """Of the records `user` may `action`, those other countries shared."""
        country = _country(user, action)
        return self.restrict(user, action).exclude(owner_country_id=country)

    def get_visible(self, user, pk, action: str = Action.VIEW):
        """The record for `action`: Http404 if the user may not see it (it does
        not exist for them), PermissionDenied if they see it but may not do
        `action` with it."""
        try:
            record = self.restrict(user, Action.VIEW).get(pk=pk)
        except (self.model.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        if action != Action.VIEW and not self.restrict(user, action).filter(pk=pk).exists():
            raise PermissionDenied
        return record


def _country(user, action: str) -> str | None:
    """The user's country if the rule lets them `action` anything at all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not user.has_perm_code(_ACTION_PERMS[action]):
        return None
    return user.country_code or None


# The same rule for the rows that carry a record to one of the countries it
# is shared with: a request's leg is the request on its way to one recipient,
# with that recipient's state, assignee and deadline. The owner of the record
# sees every such row; a country it is shared with sees the row addressed to
# it and no other, and only while it may see the record itself.
SENDER = "sender"
RECIPIENT = "recipient"


def restrict_deliveries(
    rows, user, records, *, recipient: str, action: str = Action.VIEW, side: str | None = None
):
    """The `rows` `user` may `action`. `records` is the queryset of the
    record each row delivers, correlated with the row by OuterRef (e.g.
    ``Message.objects.filter(case=OuterRef("case"), kind=REQUEST)``);
    `recipient` names the row's field that holds the country it goes to.
    With `side`, only the rows the user's country sent (SENDER) or received
    (RECIPIENT). The active flag and the permission are checked by
    `restrict`, and a row is never visible without its record."""
    if side not in (None, SENDER, RECIPIENT):
        raise ValueError(f"unknown side {side!r}")
    country = _country(user, action)
    if country is None:
        return rows.none()
    visible = records.restrict(user, action)
    sent = Exists(visible.filter(owner_country_id=country))
    received = Q(**{recipient: country}) & Exists(visible.exclude(owner_country_id=country))
    if side == SENDER:
        return rows.filter(sent)
    if side == RECIPIENT:
        return rows.filter(received)
    return rows.filter(sent | received)


# The same rule in counted form. A table that keeps counts of records (say,
# reports per map cell and month) keeps one row per audience of each record:
# OWNER_AUDIENCE for the owner country, PARTNERS_AUDIENCE for records shared
# with every full partner, or a named partner's country code. Summing the rows
# that `audience_condition` selects gives, record for record, what `restrict`
# selects, without visiting the records. Such a table counts only records
# that every officer of the owner country may see (no drafts), and carries
# the columns of the model's partner_condition().
OWNER_AUDIENCE = "*"
PARTNERS_AUDIENCE = "partners"


def audiences(distribution: str, shared_codes) -> list[str]:
    """The audiences of a record with this distribution and named countries."""
    found = [OWNER_AUDIENCE]
    if distribution == Distribution.PARTNERS:
        found.append(PARTNERS_AUDIENCE)
    elif distribution == Distribution.NAMED:
        found += sorted(set(shared_codes))
    return found


def audience_condition(model, user) -> Q | None:
    """The rows of a counted table that `user` may see (None: no row). Each
    record matches through one of its rows at most, so sums count it once."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    country = user.country_code
    if not country or not user.has_perm_code(_ACTION_PERMS[Action.VIEW]):
        return None
    own = Q(owner_country_id=country, audience=OWNER_AUDIENCE)
    shared = Q(audience=country)
    if user.country_partnership == Partnership.FULL:
        shared |= Q(audience=PARTNERS_AUDIENCE)
    return own | (shared & ~Q(owner_country_id=country) & model.partner_condition())


class SharedRecord(models.Model):
    """Abstract base of every record that can cross a border.

    It carries the global id, the owner (one owner per record, for federation),
    who created and changed it, its distribution, handling and evaluation codes,
    whether it holds personal data and of whom, and a version number."""

    # Subclasses that carry information from a source set this to True; the
    # 4x4 evaluation code is then required (docs/rules.md §2).
    carries_source_information = False

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    owner_agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    # Copied from the owner agency so that the visibility rule needs no join.
    owner_country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner country")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    distribution = models.CharField(
        _("distribution"),
        max_length=16,
        choices=Distribution.choices,
        default=Distribution.NATIONAL,
        db_index=True,
    )
    shared_with = models.ManyToManyField(
        "core.Country",
        blank=True,
        related_name="%(app_label)s_%(class)s_shared+",
        verbose_name=_("shared with"),
    )
    handling_code = models.CharField(
        _("handling code"), max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    handling_note = models.CharField(_("handling restrictions (H3)"), max_length=500, blank=True)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, blank=True
    )
    information_accuracy = models.CharField(
        _("information accuracy"), max_length=1, choices=InformationAccuracy.choices, blank=True
    )
    has_personal_data = models.BooleanField(_("holds personal data"), default=False)
    data_subject_category = models.CharField(
        _("data subject category"), max_length=16, choices=DataSubjectCategory.choices, blank=True
    )
    # Directive 2016/680 art. 5: personal data is reviewed by this date.
    review_by = models.DateField(_("review by"), null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def own_country_condition(cls, user) -> Q:
        """Which of its own country's records a user sees; a model narrows
        this (e.g. drafts only to their author)."""
        return Q()

    @classmethod
    def partner_condition(cls) -> Q:
        """What a record must satisfy before it reaches partners at all
        (e.g. a report must be validated)."""
        return Q()

    @property
    def evaluation_code(self) -> str:
        return f"{self.source_reliability}{self.information_accuracy}"

    def clean(self):
        super().clean()
        errors = {}
        if self.handling_code == HandlingCode.H3 and not self.handling_note.strip():
            errors["handling_note"] = _("H3 needs the restrictions written out.")
        if self.handling_code != HandlingCode.H3 and self.handling_note.strip():
            errors["handling_note"] = _("Restrictions in free text go with handling code H3.")
        if self.carries_source_information and not (
            self.source_reliability and self.information_accuracy
        ):
            errors["source_reliability"] = _("Give the evaluation code (source and information).")
        if self.has_personal_data:
            if not self.data_subject_category:
                errors["data_subject_category"] = _(
                    "Say whose personal data this is (data subject category)."
                )
            if not self.review_by:
                errors["review_by"] = _("Personal data needs a review date.")
            elif self.review_by <= timezone.localdate():
                errors["review_by"] = _("The review date must be in the future.")
        elif self.data_subject_category:
            errors["data_subject_category"] = _("A data subject category needs personal data.")
        if errors:
            raise ValidationError(errors)

    @property
    def may_be_passed_on(self) -> bool:
        """H2 forbids onward sharing without the provider's consent (docs/rules.md §1).
        An export or print for the reader's own use is not a passing-on: it
        holds the record with its stamp (the rule and its reason: core/exports.py)."""
        return self.handling_code != HandlingCode.H2

    @property
    def stamp(self) -> str:
        """The line printed on every export and print of this record."""
        return str(HandlingCode(self.handling_code).label)
