from django.db import models
from django.utils.translation import gettext_lazy as _


class Partnership(models.TextChoices):
    """How far a country takes part in the exchange."""

    # Receives records shared with "all partner countries".
    FULL = "full", _("Full partner")
    # Receives only records that name it explicitly (e.g. a non-EU border police).
    ASSOCIATED = "associated", _("Associated partner (named sharing only)")
    # Known to the system (nationalities, borders) but not connected.
    NONE = "none", _("Not connected")


class AgencyKind(models.TextChoices):
    POLICE = "police", _("National police")
    BORDER_POLICE = "border_police", _("Border police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    MINISTRY = "ministry", _("Ministry")


class UnitKind(models.TextChoices):
    HEADQUARTERS = "headquarters", _("Headquarters")
    CONTACT_POINT = "contact_point", _("International police cooperation (single point of contact)")
    BORDER_DIRECTORATE = "border_directorate", _("Border police directorate")
    REGIONAL = "regional", _("Regional police directorate / questura / police administration")
    STATION = "station", _("Police or border police station")


class Distribution(models.TextChoices):
    NATIONAL = "national", _("National only")
    NAMED = "named", _("Named partner countries")
    PARTNERS = "partners", _("All partner countries")


class HandlingCode(models.TextChoices):
    # docs/rules.md §1; the codes are the same in every language.
    H0 = "H0", _("H0 – use only to prevent and combat crime")
    H1 = "H1", _("H1 – not to be used as evidence without the provider's consent")
    H2 = "H2", _("H2 – not to be passed on without the provider's consent")
    H3 = "H3", _("H3 – other restrictions (see text)")


class SourceReliability(models.TextChoices):
    # docs/rules.md §2, the "4x4" system.
    A = "A", _("A – no doubt about the source")
    B = "B", _("B – source usually reliable")
    C = "C", _("C – source usually not reliable")
    X = "X", _("X – reliability cannot be assessed")


class InformationAccuracy(models.TextChoices):
    ONE = "1", _("1 – known to be true without reservation")
    TWO = "2", _("2 – known personally to the source, not to the officer")
    THREE = "3", _("3 – not known personally to the source, corroborated")
    FOUR = "4", _("4 – not known personally to the source, not corroborated")


class DataSubjectCategory(models.TextChoices):
    # Directive 2016/680 art. 6.
    SUSPECT = "suspect", _("Suspect")
    CONVICTED = "convicted", _("Convicted person")
    VICTIM = "victim", _("Victim or potential victim")
    OTHER = "other", _("Other party (witness, contact, informant)")


class AuditAction(models.TextChoices):
    # Directive 2016/680 art. 25 names the first six.
    COLLECTION = "collection", _("Collection")
    ALTERATION = "alteration", _("Alteration")
    CONSULTATION = "consultation", _("Consultation")
    DISCLOSURE = "disclosure", _("Disclosure")
    COMBINATION = "combination", _("Combination")
    ERASURE = "erasure", _("Erasure")
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Sign-out")
    SECURITY = "security", _("Security setting changed")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
