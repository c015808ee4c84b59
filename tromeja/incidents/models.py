from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import DataSubjectCategory
from tromeja.core.records import SharedRecord
from tromeja.incidents.choices import (
    UNCOUNTED,
    AgeGroup,
    Confidence,
    CrossingMode,
    DetectionMethod,
    Direction,
    DocumentType,
    EntityKind,
    ImpactLevel,
    IncidentType,
    PersonRole,
    Sex,
    Stage,
    Status,
    Transport,
)

# docs/rules.md §4: a first report is due within 24 hours of becoming aware.
FIRST_REPORT_HOURS = 24


class Incident(SharedRecord):
    """One event at or near the border, reported by one country's officer:
    an irregular crossing, an apprehended group or smuggler, an intercepted
    vehicle... Drafted, submitted, validated by a supervisor of the same
    country (or returned); only validated reports count and reach partners."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    type = models.CharField(_("type"), max_length=24, choices=IncidentType.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    occurred_at = models.DateTimeField(_("time of the event"))
    aware_at = models.DateTimeField(_("time of awareness"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    return_comment = models.CharField(_("comment on return"), max_length=1000, blank=True)
    late_report = models.BooleanField(_("reported after 24 hours"), default=False)
    # The import that wrote the report, if one did (core.Job).
    import_job = models.ForeignKey(
        "core.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
    )

    # Place: coordinates, and what the geography makes of them.
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    border_section = models.CharField(_("border section"), max_length=48, blank=True)
    border = models.CharField(_("border"), max_length=8, blank=True)
    responsible_unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    section_distance_km = models.FloatField(_("distance to the border (km)"), null=True, blank=True)
    nearest_crossing = models.CharField(_("nearest crossing point"), max_length=48, blank=True)
    crossing_distance_km = models.FloatField(
        _("distance to the crossing point (km)"), null=True, blank=True
    )
    location_override_reason = models.CharField(
        _("reason for changing section or unit"), max_length=300, blank=True
    )

    detection_method = models.CharField(
        _("detection"), max_length=16, choices=DetectionMethod.choices
    )
    transport = models.CharField(_("means of transport"), max_length=12, choices=Transport.choices)
    stage = models.CharField(
        _("attempted or actual"), max_length=12, choices=Stage.choices, blank=True
    )
    crossing_mode = models.CharField(
        _("open or clandestine"), max_length=12, choices=CrossingMode.choices, blank=True
    )
    direction = models.CharField(
        _("entry or exit"), max_length=8, choices=Direction.choices, blank=True
    )
    evasion = models.BooleanField(_("attempt to evade"), default=False)
    embarkation_country = models.CharField(
        _("last country of embarkation"), max_length=2, blank=True
    )
    destination_country = models.CharField(_("intended destination"), max_length=2, blank=True)

    persons_total = models.PositiveIntegerField(
        _("persons involved"), validators=[MaxValueValidator(2000)], default=0
    )
    narrative = models.TextField(_("narrative"), max_length=5000, blank=True)
    impact_level = models.CharField(_("impact level"), max_length=10, choices=ImpactLevel.choices)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related reports"))

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        # The columns of the visibility rule (owner_country, status,
        # distribution, created_by, id) ride along in the two wide indexes, so
        # that a list page, a count or a map viewport is answered from the
        # index without reading the reports themselves.
        indexes = [
            models.Index(fields=["owner_country", "status", "-occurred_at"]),
            models.Index(fields=["status", "distribution", "-occurred_at"]),
            models.Index(fields=["border_section", "-occurred_at"]),
            # The lists' default order (newest first, then id) and date ranges.
            models.Index(
                fields=[
                    "-occurred_at",
                    "id",
                    "latitude",
                    "longitude",
                    "owner_country",
                    "status",
                    "distribution",
                    "created_by",
                ]
            ),
            # Map viewports.
            models.Index(
                fields=[
                    "latitude",
                    "longitude",
                    "owner_country",
                    "status",
                    "distribution",
                    "created_by",
                    "id",
                ]
            ),
            # The type filter, in the lists' order.
            models.Index(fields=["type", "-occurred_at", "id"]),
            # Reports validated since (the home page's partner panel).
            models.Index(fields=["validated_at"]),
        ]

    def __str__(self):
        return f"{self.reference} – {self.get_type_display()}"

    @classmethod
    def own_country_condition(cls, user):
        # A draft is its author's until submitted; a report being imported
        # is nobody's until the import ends.
        return ~models.Q(status__in=UNCOUNTED) | models.Q(status=Status.DRAFT, created_by=user)

    @classmethod
    def partner_condition(cls):
        # docs/rules.md §5: only validated reports reach partners.
        return models.Q(status=Status.VALIDATED)

    @property
    def is_editable(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}

    def is_late(self, at=None) -> bool:
        at = at or self.submitted_at or timezone.now()
        return (at - self.aware_at).total_seconds() > FIRST_REPORT_HOURS * 3600


class PersonCount(models.Model):
    """One line of the breakdown of the persons involved: so many persons of
    one nationality, sex and age group (and how many of those minors travel
    unaccompanied). The lines add up to the incident's total."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="counts")
    nationality = models.CharField(_("nationality"), max_length=2)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    count = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1)])
    unaccompanied = models.PositiveIntegerField(_("unaccompanied minors"), default=0)

    class Meta:
        verbose_name = _("persons by nationality")

    def __str__(self):
        return f"{self.count} × {self.nationality} {self.sex} {self.age_group}"


class PersonEntry(models.Model):
    """A named person in a report (a smuggler, a driver, a victim...), with
    their data-subject category (Directive 2016/680 art. 6)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=12, choices=PersonRole.choices)
    category = models.CharField(
        _("data subject category"), max_length=16, choices=DataSubjectCategory.choices
    )
    surname = models.CharField(_("surname"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("person")

    def __str__(self):
        return f"{self.surname}, {self.given_names}"


class VehicleEntry(models.Model):
    """A vehicle in a report."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("plate"), max_length=20)
    registration_country = models.CharField(_("registration country"), max_length=2)
    make = models.CharField(_("make"), max_length=40, blank=True)
    model = models.CharField(_("model"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("vehicle")

    def __str__(self):
        return f"{self.plate} ({self.registration_country})"


class PhoneEntry(models.Model):
    """A phone number in a report, kept in E.164."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=20)

    class Meta:
        verbose_name = _("phone number")

    def __str__(self):
        return self.number


class DocumentEntry(models.Model):
    """An identity document in a report."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(_("document type"), max_length=12, choices=DocumentType.choices)
    number = models.CharField(_("document number"), max_length=30)
    issuing_country = models.CharField(_("issuing country"), max_length=2)
    fraudulent = models.BooleanField(_("forged or misused"), default=False)

    class Meta:
        verbose_name = _("identity document")

    def __str__(self):
        return f"{self.number} ({self.issuing_country})"


class EntityRef(models.Model):
    """The cross-match index: one normalised key (plate, phone, document,
    name) seen in one report. Looked up by (kind, key); the report's
    visibility decides who gets the hit."""

    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    key = models.CharField(max_length=120)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entity_refs")
    # Copied from the report so that a lookup needs no join to order hits.
    occurred_at = models.DateTimeField()
    label = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "-occurred_at"])]

    def __str__(self):
        return f"{self.kind}:{self.key}"


class IncidentVersion(models.Model):
    """A snapshot of a validated report as it was, kept when it changes
    later. Read in words (incidents.queries.readable_versions) by the
    countries that could see it then and still see the report now: a country
    the report is withdrawn from loses its versions with it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    # Country codes that could read this version when it was current; a
    # reader also needs to see the report now.
    audience = models.JSONField(default=list)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "version"], name="unique_incident_version")
        ]

    def __str__(self):
        return f"{self.incident_id} v{self.version}"


# Cells per degree of the map's counted grids (powers of two, so that a cell's
# edges are exact in floating point).
MAP_CELL_LEVELS = (2, 4, 8, 16, 32)
# One count column per report type.
MAP_CELL_TYPE_COLUMNS = {t.value: f"n_{t.value}" for t in IncidentType}


class MapCell(models.Model):
    """How many reports lie in one cell of a map grid in one month (UTC), for
    one owner country, status, border section and audience, one column per
    type: what the zoomed-out map sums instead of visiting every report.

    Kept by tromeja.incidents.mapcells in the transaction that changes the
    reports; `tromeja rebuild-map-cells` recounts it. Drafts are not counted
    (only their author sees them). The audience is that of the record base's
    counted visibility rule (tromeja.core.records.audiences)."""

    level = models.PositiveSmallIntegerField()
    x = models.IntegerField()  # floor(longitude * level)
    y = models.IntegerField()  # floor(latitude * level)
    month = models.DateField()  # first day of the month, UTC
    owner_country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    border_section = models.CharField(max_length=48, blank=True)
    audience = models.CharField(max_length=16)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "level",
                    "x",
                    "y",
                    "month",
                    "owner_country",
                    "status",
                    "border_section",
                    "audience",
                ],
                name="unique_map_cell",
            )
        ]

    def __str__(self):
        return f"{self.level}:{self.x},{self.y} {self.month:%Y-%m} {self.total}"

    @classmethod
    def partner_condition(cls):
        return Incident.partner_condition()


for _column in MAP_CELL_TYPE_COLUMNS.values():
    MapCell.add_to_class(_column, models.IntegerField(default=0))
