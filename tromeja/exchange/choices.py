from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    # Directive (EU) 2023/977 art. 5; the periods are in exchange/deadlines.py.
    URGENT_DIRECT = "urgent_direct", _("Urgent, directly accessible (8 hours)")
    URGENT_INDIRECT = "urgent_indirect", _("Urgent, indirectly accessible (3 days)")
    NOT_URGENT = "not_urgent", _("Not urgent (7 days)")


class MessageKind(models.TextChoices):
    REQUEST = "request", _("Request for information")
    SPONTANEOUS = "spontaneous", _("Spontaneous information")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
    CLARIFICATION_REQUEST = "clarification_request", _("Request for clarification")
    CLARIFICATION = "clarification", _("Clarification")
    ANSWER = "answer", _("Answer")
    PARTIAL_ANSWER = "partial_answer", _("Partial answer")
    REFUSAL = "refusal", _("Refusal")
    CLOSING_NOTE = "closing_note", _("Closing note")


class LegState(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Awaiting clarification")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")


class RefusalGround(models.TextChoices):
    # docs/rules.md §3; Directive (EU) 2023/977 art. 6.
    NOT_AVAILABLE = "not_available", _("The information is not available")
    HARMS_INVESTIGATION = "harms_investigation", _("It would harm an ongoing investigation")
    HARMS_SAFETY = "harms_safety", _("It would endanger someone's safety")
    DISPROPORTIONATE = "disproportionate", _("Disproportionate or irrelevant to the purpose")
    MINOR_OFFENCE = "minor_offence", _("Offence punishable by up to one year only")
    NO_CONSENT = "no_consent", _("The provider of the information did not consent")
    NOT_AUTHORISED = "not_authorised", _("Judicial authorisation required and refused")


OPEN_STATES = {
    LegState.NEW,
    LegState.ACKNOWLEDGED,
    LegState.IN_PROGRESS,
    LegState.AWAITING_CLARIFICATION,
}


class Alert(models.TextChoices):
    NEW_URGENT = "new_urgent", _("New urgent request")
    HALF = "half", _("Half of the time used")
    NINETY = "ninety", _("90 percent of the time used")
    EXPIRED = "expired", _("Deadline passed")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")
    PHONE = "phone", _("Phone")
    DOCUMENT = "document", _("Identity document")
    PLACE = "place", _("Place")
    INCIDENT = "incident", _("Incident report")


class DutyRole(models.TextChoices):
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    SUPERVISOR = "supervisor", _("Supervisor")
