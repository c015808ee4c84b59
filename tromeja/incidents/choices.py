from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentType(models.TextChoices):
    IRREGULAR_CROSSING = "irregular_crossing", _("Irregular border crossing")
    GROUP_INLAND = "group_inland", _("Group apprehended inland (secondary movement)")
    SMUGGLER = "smuggler", _("Smuggler (facilitator) apprehended")
    VEHICLE = "vehicle", _("Vehicle intercepted")
    DOCUMENT_FRAUD = "document_fraud", _("Document fraud")
    REFUSAL = "refusal", _("Refusal of entry at an internal-border checkpoint")
    DISTRESS = "distress", _("Persons in distress / rescue")
    DEATH_INJURY = "death_injury", _("Death or injury")
    OTHER_CRIME = "other_crime", _("Other cross-border crime")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    RETURNED = "returned", _("Returned for correction")
    # Written by an import that has not finished: seen by nobody, published
    # all at once when the import ends, removed if it fails.
    IMPORTING = "importing", _("Being imported")


# Reports that the map's grids and statistics do not count: a draft is its
# author's only, a report being imported is nobody's yet.
UNCOUNTED = (Status.DRAFT, Status.IMPORTING)


class Stage(models.TextChoices):
    # docs/rules.md §4: attempted or actual; open or clandestine; entry or exit.
    ATTEMPTED = "attempted", _("Attempted")
    ACTUAL = "actual", _("Actual")


class CrossingMode(models.TextChoices):
    OPEN = "open", _("Open (at a crossing point)")
    CLANDESTINE = "clandestine", _("Clandestine (green border)")


class Direction(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")


class DetectionMethod(models.TextChoices):
    CHECK = "check", _("Check at a crossing point")
    SURVEILLANCE = "surveillance", _("Border surveillance")
    INLAND = "inland", _("Inland / secondary movement")
    TIP_OFF = "tip_off", _("Tip-off or report by a third party")
    OTHER = "other", _("Other")


class Transport(models.TextChoices):
    ON_FOOT = "on_foot", _("On foot")
    CAR = "car", _("Car")
    VAN = "van", _("Van")
    TRUCK = "truck", _("Lorry")
    BUS = "bus", _("Bus")
    TRAIN = "train", _("Train")
    TAXI = "taxi", _("Taxi")
    BOAT = "boat", _("Boat")
    OTHER = "other", _("Other")


class ImpactLevel(models.TextChoices):
    # docs/rules.md §4: the indicative impact level of a single incident.
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PROBABLE = "probable", _("Probable")
    POSSIBLE = "possible", _("Possible")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")
    UNKNOWN = "x", _("Unknown")


class AgeGroup(models.TextChoices):
    ADULT = "adult", _("Adult")
    MINOR = "minor", _("Minor")


class EntityKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    PHONE = "phone", _("Phone")
    DOCUMENT = "document", _("Identity document")
    PERSON = "person", _("Person")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    ID_CARD = "id_card", _("Identity card")
    RESIDENCE = "residence", _("Residence permit")
    DRIVING = "driving", _("Driving licence")
    OTHER = "other", _("Other document")


class PersonRole(models.TextChoices):
    SMUGGLER = "smuggler", _("Smuggler (facilitator)")
    DRIVER = "driver", _("Driver")
    ORGANISER = "organiser", _("Organiser")
    MIGRANT = "migrant", _("Migrant")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")
