from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, FilterSchema, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError

from tromeja.core.consult import consult
from tromeja.core.models import Job
from tromeja.core.pagination import BoundedPageNumberPagination
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.schemas import ApiDate, ApiDateTime, SharedRecordOut
from tromeja.incidents import services
from tromeja.incidents.choices import (
    AgeGroup,
    Confidence,
    CrossingMode,
    DetectionMethod,
    Direction,
    DocumentType,
    ImpactLevel,
    IncidentType,
    PersonRole,
    Sex,
    Stage,
    Transport,
)
from tromeja.incidents.filters import apply_filters
from tromeja.incidents.models import Incident
from tromeja.incidents.queries import map_features, sightings_for
from tromeja.openapi import PERSONAL_DATA

router = Router(tags=["incidents"])


class CountIn(Schema):
    nationality: str = Field("", max_length=2)
    sex: Sex
    age_group: AgeGroup
    count: int = Field(ge=1, le=2000)
    unaccompanied: int = Field(0, ge=0, le=2000)


class PersonIn(Schema):
    role: PersonRole
    category: Literal["suspect", "convicted", "victim", "other"]
    surname: str = Field(min_length=1, max_length=100)
    given_names: str = Field("", max_length=100)
    date_of_birth: ApiDate | None = None
    nationality: str = Field("", max_length=2)


class VehicleIn(Schema):
    plate: str = Field(min_length=2, max_length=20)
    registration_country: str = Field(min_length=2, max_length=2)
    make: str = Field("", max_length=40)
    model: str = Field("", max_length=40)
    colour: str = Field("", max_length=30)


class PhoneIn(Schema):
    number: str = Field(min_length=3, max_length=30)


class DocumentIn(Schema):
    type: DocumentType
    number: str = Field(min_length=4, max_length=30)
    issuing_country: str = Field(min_length=2, max_length=2)
    fraudulent: bool = False


class IncidentIn(Schema):
    type: IncidentType
    occurred_at: ApiDateTime
    aware_at: ApiDateTime
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    place_name: str = Field("", max_length=200)
    detection_method: DetectionMethod
    transport: Transport
    stage: Stage | Literal[""] = ""
    crossing_mode: CrossingMode | Literal[""] = ""
    direction: Direction | Literal[""] = ""
    evasion: bool = False
    embarkation_country: str = Field("", max_length=2)
    destination_country: str = Field("", max_length=2)
    persons_total: int = Field(0, ge=0, le=2000)
    narrative: str = Field("", max_length=5000)
    impact_level: ImpactLevel
    confidence: Confidence
    handling_code: Literal["H0", "H1", "H2", "H3"] = "H0"
    handling_note: str = Field("", max_length=500)
    source_reliability: Literal["A", "B", "C", "X"] = "A"
    information_accuracy: Literal["1", "2", "3", "4"] = "1"
    review_by: ApiDate | None = None
    distribution: Literal["national", "named", "partners"] = "national"
    shared_with: list[str] = Field(default_factory=list, max_length=20)
    border_section: str = Field("", max_length=48)
    location_override_reason: str = Field("", max_length=300)
    counts: list[CountIn] = Field(default_factory=list, max_length=200)
    persons: list[PersonIn] = Field(default_factory=list, max_length=200)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=50)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=50)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=200)
    follows: str | None = Field(
        None, max_length=40, description="Reference or id of the earlier report this follows up"
    )
    related: list[str] = Field(
        default_factory=list, max_length=50, description="References or ids of related reports"
    )


class CountOut(Schema):
    nationality: str
    sex: str
    age_group: str
    count: int
    unaccompanied: int


class PersonOut(Schema):
    role: str
    category: str
    surname: str
    given_names: str
    date_of_birth: date | None
    nationality: str


class VehicleOut(Schema):
    plate: str
    registration_country: str
    make: str
    model: str
    colour: str


class PhoneOut(Schema):
    number: str


class DocumentOut(Schema):
    type: str
    number: str
    issuing_country: str
    fraudulent: bool


class IncidentListOut(SharedRecordOut):
    reference: str
    type: str
    status: str
    occurred_at: datetime
    latitude: float
    longitude: float
    border: str
    border_section: str
    responsible_unit: str | None
    persons_total: int
    impact_level: str
    late_report: bool

    @staticmethod
    def resolve_responsible_unit(obj):
        return obj.responsible_unit.code if obj.responsible_unit_id else None


class SightingOut(Schema):
    kind: str
    label: str
    incident_id: str
    reference: str
    occurred_at: datetime
    country: str


class IncidentOut(IncidentListOut):
    model_config = ConfigDict(json_schema_extra=PERSONAL_DATA)

    aware_at: datetime
    place_name: str
    nearest_crossing: str
    crossing_distance_km: float | None
    section_distance_km: float | None
    detection_method: str
    transport: str
    stage: str
    crossing_mode: str
    direction: str
    evasion: bool
    embarkation_country: str
    destination_country: str
    location_override_reason: str
    narrative: str
    confidence: str
    return_comment: str
    # Everything PUT accepts comes back, so that a report read and written
    # back unchanged keeps its lists (and with them its cross-match hits).
    counts: list[CountOut]
    persons: list[PersonOut]
    vehicles: list[VehicleOut]
    phones: list[PhoneOut]
    documents: list[DocumentOut]
    follows: str | None = None
    related: list[str] = []
    sightings: list[SightingOut] = []

    @staticmethod
    def resolve_counts(obj):
        return list(obj.counts.all())

    @staticmethod
    def resolve_persons(obj):
        return list(obj.persons.order_by("pk"))

    @staticmethod
    def resolve_vehicles(obj):
        return list(obj.vehicles.order_by("pk"))

    @staticmethod
    def resolve_phones(obj):
        return list(obj.phones.order_by("pk"))

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.order_by("pk"))

    @staticmethod
    def resolve_follows(obj):
        return None  # filled in by the view, among the reports the reader may see

    @staticmethod
    def resolve_related(obj):
        return []


class IncidentFilter(FilterSchema):
    q: str | None = Field(None, max_length=40)
    type: IncidentType | None = None
    status: Literal["draft", "submitted", "validated", "returned"] | None = None
    border_section: str | None = Field(None, max_length=48)
    country: str | None = Field(None, min_length=2, max_length=2)
    since: ApiDate | None = None
    until: ApiDate | None = None
    sort: Literal["-occurred_at", "occurred_at", "reference", "-persons_total"] | None = None


class ReturnIn(Schema):
    comment: str = Field(min_length=1, max_length=1000)


def _base():
    return Incident.objects.select_related("owner_agency", "responsible_unit").prefetch_related(
        "shared_with"
    )


def _payload(payload: IncidentIn) -> dict:
    data = payload.model_dump()
    section_code = data.pop("border_section")
    override_reason = data.pop("location_override_reason")
    entities = services.Entities(
        counts=data.pop("counts"),
        persons=data.pop("persons"),
        vehicles=data.pop("vehicles"),
        phones=data.pop("phones"),
        documents=data.pop("documents"),
    )
    return {
        **data,
        "entities": entities,
        "section_code": section_code,
        "override_reason": override_reason,
    }


def _detail(request, incident):
    consult(request.user, [incident])
    out = IncidentOut.from_orm(incident)
    # Links show only the reports the reader may see.
    visible = Incident.objects.restrict(request.user)
    if incident.follows_id:
        out.follows = (
            visible.filter(pk=incident.follows_id).values_list("reference", flat=True).first()
        )
    out.related = list(
        visible.filter(pk__in=incident.related.values("pk")).values_list("reference", flat=True)
    )
    out.sightings = [SightingOut(**vars(s)) for s in sightings_for(request.user, incident)]
    return out


@router.get("", response=list[IncidentListOut], summary="Incident reports you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_incidents(request, filters: Query[IncidentFilter]):
    if not request.user.has_perm_code(Perm.VIEW_RECORDS):
        raise PermissionDenied
    return apply_filters(_base().restrict(request.user), filters.model_dump())


class MapQuery(Schema):
    bbox: str = Field(
        "12.3,42.3,19.5,47.0",
        pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$",
        description="west,south,east,north in degrees",
    )
    since: ApiDate | None = None
    until: ApiDate | None = None
    type: IncidentType | None = None
    status: Literal["draft", "submitted", "validated", "returned"] | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    border_section: str | None = Field(None, max_length=48)


class PointOut(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="longitude, latitude")


class MapReportProperties(Schema):
    id: str
    reference: str
    type: str
    status: str
    persons: int
    occurred_at: datetime


class MapCellProperties(Schema):
    count: int = Field(description="Reports in the cell")


class MapFeatureOut(Schema):
    type: Literal["Feature"]
    geometry: PointOut
    properties: MapReportProperties | MapCellProperties


class MapOut(Schema):
    """One feature per report, or per grid cell when the viewport holds many."""

    type: Literal["FeatureCollection"]
    aggregated: bool
    total: int
    cell_degrees: float | None = Field(None, description="The grid's cell size, when aggregated")
    features: list[MapFeatureOut]


@router.get(
    "/map",
    response=MapOut,
    summary="Incidents in a map viewport as GeoJSON (aggregated when many)",
)
def map_data(request, query: Query[MapQuery]):
    if not request.user.has_perm_code(Perm.VIEW_RECORDS):
        raise PermissionDenied
    data = query.model_dump()
    data["bbox"] = tuple(float(v) for v in data["bbox"].split(","))
    return map_features(request.user, data)


class GeometryOut(Schema):
    type: Literal["Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]
    coordinates: list[Any]


class ContextProperties(Schema):
    layer: Literal["context"]
    border: str


class SectionProperties(Schema):
    layer: Literal["section"]
    code: str
    border: str
    name: str
    units: list[str]
    length_km: float


class CrossingProperties(Schema):
    layer: Literal["crossing"]
    code: str
    name: str
    kind: str


class GeographyFeatureOut(Schema):
    type: Literal["Feature"]
    geometry: GeometryOut
    properties: Annotated[
        ContextProperties | SectionProperties | CrossingProperties, Field(discriminator="layer")
    ]


class GeographyOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[GeographyFeatureOut]


@router.get(
    "/geography",
    response=GeographyOut,
    summary="Borders, sections and crossing points (the map's base layer)",
)
def geography(request):
    from django.utils.translation import get_language

    from tromeja.geography.locate import borders, crossings, sections

    language = get_language()
    features = []
    for border in borders().values():
        if border.context_only:
            features.append(
                {
                    "type": "Feature",
                    "geometry": border.geometry.__geo_interface__,
                    "properties": {"layer": "context", "border": border.code},
                }
            )
    for section in sections().values():
        features.append(
            {
                "type": "Feature",
                "geometry": section.geometry.__geo_interface__,
                "properties": {
                    "layer": "section",
                    "code": section.code,
                    "border": section.border,
                    "name": section.name(language),
                    "units": list(section.units),
                    "length_km": round(section.length_km, 1),
                },
            }
        )
    for crossing in crossings().values():
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [crossing.lon, crossing.lat]},
                "properties": {
                    "layer": "crossing",
                    "code": crossing.code,
                    "name": " / ".join(crossing.names.values()),
                    "kind": crossing.kind,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Import -----------------------------------------------------------------------


class JobOut(Schema):
    id: int
    kind: str
    status: str
    phase: str
    total: int
    done: int
    created_at: datetime
    finished_at: datetime | None
    result: dict


@router.post(
    "/imports",
    response={202: JobOut},
    summary="Import reports from a CSV or XLSX file (checked and written in the background)",
)
def create_import(
    request,
    file: File[UploadedFile],
    mode: Form[Literal["all", "valid"]] = "all",
    submit: Form[bool] = False,
):
    from django.conf import settings

    from tromeja.incidents import imports

    if not request.user.has_perm_code(Perm.CREATE_RECORDS):
        raise PermissionDenied
    if file.size > settings.TROMEJA_MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(
            {
                "file": _("The file is too large: at most %(max)d MB are accepted.")
                % {"max": settings.TROMEJA_MAX_UPLOAD_MB}
            }
        )
    job = imports.request_import(
        user=request.user, data=file.read(), file_name=file.name or "", mode=mode, submit=submit
    )
    return Status(202, job)


@router.get("/imports/{job_id}", response=JobOut, summary="Progress and outcome of an import")
def get_import(request, job_id: int):
    from django.shortcuts import get_object_or_404

    from tromeja.incidents import imports

    if not request.user.has_perm_code(Perm.CREATE_RECORDS):
        raise PermissionDenied
    return get_object_or_404(Job, pk=job_id, requested_by=request.user, kind=imports.KIND)


@router.get("/{incident_id}", response=IncidentOut, summary="One report, with cross-match hits")
def get_incident(request, incident_id: UUID):
    return _detail(request, _base().get_visible(request.user, incident_id))


@router.post("", response={201: IncidentOut}, summary="Create a report (a draft)")
def create_incident(request, payload: IncidentIn):
    if not request.user.has_perm_code(Perm.CREATE_RECORDS):
        raise PermissionDenied
    incident = services.create_incident(user=request.user, **_payload(payload))
    return Status(201, _detail(request, _base().get(pk=incident.pk)))


@router.put("/{incident_id}", response=IncidentOut, summary="Replace a report's content")
def update_incident(request, incident_id: UUID, payload: IncidentIn):
    incident = _base().get_visible(request.user, incident_id, Action.CHANGE)
    services.update_incident(user=request.user, incident=incident, **_payload(payload))
    return _detail(request, _base().get(pk=incident.pk))


@router.post("/{incident_id}/submit", response=IncidentOut, summary="Submit for validation")
def submit_incident(request, incident_id: UUID):
    incident = _base().get_visible(request.user, incident_id, Action.CHANGE)
    services.submit_incident(user=request.user, incident=incident)
    return _detail(request, incident)


class ValidateIn(Schema):
    distribution: Literal["national", "named", "partners"] | None = None
    shared_with: list[str] | None = Field(None, max_length=20)


# The decision on sharing is required; it is checked after the report's state,
# so that a report validated meanwhile answers 409, not 422.
_VALIDATE_BODY = {**ValidateIn.model_json_schema(), "required": ["distribution"]}


@router.post(
    "/{incident_id}/validate",
    response=IncidentOut,
    summary="Validate (supervisor), deciding the sharing: distribution, shared_with",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _VALIDATE_BODY}},
        }
    },
)
def validate_incident(request, incident_id: UUID):
    # {"distribution": "national" | "partners" | "named", "shared_with": [...]}:
    # without the decision the answer is 422 (docs/rules.md §5).
    incident = _base().get_visible(request.user, incident_id, Action.CHANGE)
    sharing = {}
    if request.body.strip():
        try:
            sharing = ValidateIn.model_validate_json(request.body).model_dump(exclude_none=True)
        except PydanticValidationError as exc:
            raise NinjaValidationError(exc.errors()) from None
    services.validate_incident(
        user=request.user, incident=incident, require_decision=True, **sharing
    )
    return _detail(request, incident)


@router.post("/{incident_id}/return", response=IncidentOut, summary="Return for correction")
def return_incident(request, incident_id: UUID, payload: ReturnIn):
    incident = _base().get_visible(request.user, incident_id, Action.CHANGE)
    services.return_incident(user=request.user, incident=incident, comment=payload.comment)
    return _detail(request, incident)
