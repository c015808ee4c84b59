"""Country and nationality names in the reader's language, from pycountry's
ISO 3166 data and the translations it ships."""

import gettext
from functools import lru_cache

import pycountry


@lru_cache(maxsize=8)
def _catalog(language: str):
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str, language: str | None) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _catalog((language or "en").split("-")[0]).gettext(name)


@lru_cache(maxsize=8)
def _nationality_choices(language: str) -> tuple[tuple[str, str], ...]:

    names = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return tuple(sorted(names, key=lambda item: item[1].casefold()))


def nationality_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    """All ISO 3166 countries as (alpha-2, name in `language`), sorted by name."""
    return _nationality_choices((language or "en").split("-")[0])


def is_country_code(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None
