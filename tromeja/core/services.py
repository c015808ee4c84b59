"""Writes shared by every module: distribution of a record to partners."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tromeja.core.choices import Distribution, Partnership
from tromeja.core.models import Country

_DISTRIBUTIONS = frozenset(Distribution.values)


def partner_countries_for(user):
    """Countries a user's records may be shared with: connected partners
    other than the user's own country."""
    return Country.objects.exclude(partnership=Partnership.NONE).exclude(code=user.country_code)


def validate_distribution(*, user, distribution: str, countries) -> list[str]:
    """Checks a requested distribution and returns the named country codes."""
    if distribution not in _DISTRIBUTIONS:
        raise ValidationError({"distribution": _("Unknown distribution.")})
    codes = sorted({getattr(c, "code", c) for c in countries or ()})
    if distribution == Distribution.NAMED:
        allowed = set(partner_countries_for(user).values_list("code", flat=True))
        if not codes:
            raise ValidationError({"shared_with": _("Name at least one partner country.")})
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            raise ValidationError(
                {
                    "shared_with": _("Not a partner country you can share with: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )
        return codes
    if codes:
        raise ValidationError(
            {
                "shared_with": _(
                    "Name countries only with the distribution 'named partner countries'."
                )
            }
        )
    return []


def recipients_of(record) -> set[str]:
    """The countries other than the owner that can see the record now."""
    if record.distribution == Distribution.NATIONAL:
        return set()
    if record.distribution == Distribution.PARTNERS:
        return set(
            Country.objects.filter(partnership=Partnership.FULL)
            .exclude(code=record.owner_country_id)
            .values_list("code", flat=True)
        )
    return set(record.shared_with.values_list("code", flat=True))
