"""Cases and messages between the national single points of contact.

A case groups an exchange and belongs to the country that opened it; each
message is a shareable record of its sender, shared by name with the
countries it is addressed to, so the one visibility rule decides who reads
what: a recipient of a request never sees another recipient's answer. A
request's *leg* is its journey to one recipient: that recipient's state,
assignee and deadline.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import DataSubjectCategory
from tromeja.core.records import Action, SharedRecord, restrict_deliveries
from tromeja.exchange import deadlines
from tromeja.exchange.choices import (
    Alert,
    DutyRole,
    LegState,
    MessageKind,
    RefusalGround,
    SubjectKind,
    Urgency,
)


class Case(SharedRecord):
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # A contact point's latest cases.
        indexes = [models.Index(fields=["owner_country", "-created_at"])]

    def __str__(self):
        return f"{self.reference} – {self.subject}"


class Message(SharedRecord):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    leg = models.ForeignKey(
        "exchange.Leg",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    body = models.TextField(_("text"), max_length=20000, blank=True)
    language = models.CharField(_("language"), max_length=8)
    refusal_ground = models.CharField(
        _("ground for refusal"), max_length=24, choices=RefusalGround.choices, blank=True
    )
    # Countries the provider consented to pass this message on to (H2).
    forward_consent = models.JSONField(_("consent to pass on"), default=list, blank=True)
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwards"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        # Information received, newest first.
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self):
        return f"{self.case.reference}: {self.get_kind_display()}"


class LegQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW, *, side: str | None = None):
        """The legs `user` may `action`: the one visibility rule applied to
        each leg's request message (core.records.restrict_deliveries). The
        requesting country sees all legs of its requests, a recipient its own
        leg only, while it may read the request; `side` is SENDER for the
        legs the user's country sent, RECIPIENT for those it received."""
        request = Message.objects.filter(case=OuterRef("case"), kind=MessageKind.REQUEST)
        return restrict_deliveries(
            self, user, request, recipient="recipient_country_id", action=action, side=side
        )


class Leg(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legs")
    recipient_country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    state = models.CharField(
        _("state"), max_length=24, choices=LegState.choices, default=LegState.NEW
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    received_at = models.DateTimeField(_("received"))
    # Days are counted in the receiving contact point's time zone.
    time_zone = models.CharField(max_length=64)
    # [[asked, answered or null], ...] in ISO 8601 UTC: clarifications pending.
    suspensions = models.JSONField(default=list, blank=True)
    # The deadline as computed by exchange.deadlines (null while suspended),
    # stored so that inboxes sort and filter by it in the database.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # What the officer who handed the request over at shift change wrote.
    handover_note = models.CharField(_("hand-over note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Alerts already raised for this leg (Alert values).
    alerts = models.JSONField(default=list, blank=True)
    # Alerts already posted to the webhook (Alert values).
    webhooks = models.JSONField(default=list, blank=True)

    objects = LegQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("request to a partner")
        verbose_name_plural = _("requests to partners")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "recipient_country"], name="one_leg_per_country"
            )
        ]
        indexes = [models.Index(fields=["recipient_country", "state", "due_at"])]

    def __str__(self):
        return f"{self.case.reference} → {self.recipient_country_id}"

    @property
    def clock(self) -> deadlines.Clock:
        pauses = [
            (datetime.fromisoformat(a), datetime.fromisoformat(b) if b else None)
            for a, b in self.suspensions
        ]
        return deadlines.Clock.of(self.received_at, self.urgency, self.time_zone, pauses)


class Notification(models.Model):
    """One alert to one officer about one request leg. The unique key makes
    each alert happen once, whatever the number of workers or restarts; it
    is delivered (e-mail) after the transaction that created it."""

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="notifications")
    alert = models.CharField(_("alert"), max_length=12, choices=Alert.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["leg", "alert", "recipient"], name="one_alert_per_officer"
            )
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self):
        return f"{self.leg} {self.alert} → {self.recipient_id}"


class Subject(models.Model):
    """What a message is about: a person (with the data-subject category), a
    vehicle, a phone number, an identity document, a place or an incident
    report. Persons, vehicles, phones and documents are keyed as the
    incident module indexes them, so a request is cross-checked on receipt."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=10, choices=SubjectKind.choices)
    key = models.CharField(max_length=120)
    label = models.CharField(max_length=150)
    # Persons only (Directive 2016/680 art. 6).
    category = models.CharField(
        _("data subject category"), max_length=16, choices=DataSubjectCategory.choices, blank=True
    )
    # What else was given: a person's date of birth and nationality, a
    # document's type, a place's coordinates, a report's id.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("subject of a message")
        verbose_name_plural = _("subjects of messages")
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self):
        return self.label


class Attachment(models.Model):
    """A file sent with a message. Accepted by what its content is, not its
    name (tromeja.exchange.files), kept outside the web root under its
    SHA-256 and served only to those who may read the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class DutyShift(models.Model):
    """An officer on duty at their country's contact point for a time: the
    roster that says who is reachable now and which hours nobody covers."""

    country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="duty_shifts",
        verbose_name=_("officer"),
    )
    role = models.CharField(
        _("duty"), max_length=16, choices=DutyRole.choices, default=DutyRole.DUTY_OFFICER
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["country", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.country_id} {self.officer} {self.starts_at:%Y-%m-%d %H:%M}"


class LastLooked(models.Model):
    """When an officer last opened the contact point's inbox: the answers to
    their country's requests received since then are new to them. One row
    per officer, written in one statement."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("last look at the inbox")
        verbose_name_plural = _("last looks at the inbox")

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class CaseLooked(models.Model):
    """When an officer last opened one case: its answers received before
    then are no longer new to them, whenever they last opened the inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("last look at a case")
        verbose_name_plural = _("last looks at cases")
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="one_look_per_case")]

    def __str__(self):
        return f"{self.user_id} {self.case_id} {self.at:%Y-%m-%d %H:%M}"
