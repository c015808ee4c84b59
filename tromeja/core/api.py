from django.utils.translation import get_language
from ninja import Router, Schema

from tromeja.core.countries import country_name, nationality_choices
from tromeja.core.models import Agency, Country, Unit

router = Router(tags=["reference"])


class CountryOut(Schema):
    code: str
    name: str
    partnership: str
    is_eu: bool
    is_schengen: bool


class AgencyOut(Schema):
    code: str
    country: str
    name: str
    name_en: str
    kind: str


class UnitOut(Schema):
    code: str
    agency: str
    name: str
    name_en: str
    kind: str
    city: str
    is_contact_point: bool


class NationalityOut(Schema):
    code: str
    name: str


@router.get("/countries", response=list[CountryOut], summary="Countries known to the node")
def countries(request):
    language = get_language()
    return [
        CountryOut(
            code=c.code,
            name=country_name(c.code, language),
            partnership=c.partnership,
            is_eu=c.is_eu,
            is_schengen=c.is_schengen,
        )
        for c in Country.objects.all()
    ]


@router.get("/agencies", response=list[AgencyOut], summary="Agencies of the partner countries")
def agencies(request):
    return [
        AgencyOut(code=a.code, country=a.country_id, name=a.name, name_en=a.name_en, kind=a.kind)
        for a in Agency.objects.all()
    ]


@router.get("/units", response=list[UnitOut], summary="Units of the partner agencies")
def units(request):
    return [
        UnitOut(
            code=u.code,
            agency=u.agency.code,
            name=u.name,
            name_en=u.name_en,
            kind=u.kind,
            city=u.city,
            is_contact_point=u.is_contact_point,
        )
        for u in Unit.objects.select_related("agency")
    ]


@router.get(
    "/nationalities", response=list[NationalityOut], summary="ISO 3166 names in your language"
)
def nationalities(request):
    return [NationalityOut(code=c, name=n) for c, n in nationality_choices(get_language())]
