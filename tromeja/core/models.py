import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import AgencyKind, AuditAction, JobStatus, Partnership, UnitKind
from tromeja.core.countries import country_name


def validate_time_zone(value: str) -> None:
    import zoneinfo

    from django.core.exceptions import ValidationError

    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("Not a time zone: %(value)s.") % {"value": value})


class Country(models.Model):
    """A state known to the node: a partner that exchanges data, or a neighbour
    that appears in borders, nationalities and routes. Partners are data: a new
    partner is a row here plus its agencies, not a code change."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    partnership = models.CharField(
        _("partnership"), max_length=16, choices=Partnership.choices, default=Partnership.NONE
    )
    is_eu = models.BooleanField(_("EU member state"), default=False)
    is_schengen = models.BooleanField(_("Schengen area"), default=False)
    # Where the country's contact point counts its days (deadlines in
    # calendar days end at midnight there); empty: the node's time zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return country_name(self.code, get_language())

    @property
    def is_partner(self) -> bool:
        return self.partnership != Partnership.NONE


class Agency(models.Model):
    """A law-enforcement authority of one country (e.g. the Slovenian Police)."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("country")
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("official name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An organisational unit of an agency: a contact point, a police
    directorate, a questura, a police administration, a station. Every user
    belongs to exactly one unit, and so to one agency and one country."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("official name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    city = models.CharField(_("seat"), max_length=100, blank=True)
    # The unit that answers the country's contact-point requests (24/7).
    is_contact_point = models.BooleanField(_("single point of contact"), default=False)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    @property
    def country_id(self) -> str:
        return self.agency.country_id


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only")

    def restrict(self, user):
        """The entries a data protection officer may read: those of users of
        their own country, those no user made about a user or record of their
        country (the demo loader, a command at the console), and the node's
        anonymous events (failed sign-ins). Entries with no country at all
        that are not anonymous events were written before entries named the
        country they are about: they belong to the node's own country.
        Nobody else reads the log through the application."""
        from tromeja.core.roles import Perm

        if not getattr(user, "is_authenticated", False) or not user.has_perm_code(
            Perm.READ_AUDIT_LOG
        ):
            return self.none()
        country = user.country_code
        nobodys = models.Q(actor_country="", subject_country="")
        visible = (
            models.Q(actor_country=country)
            | models.Q(actor_country="", subject_country=country)
            | (nobodys & models.Q(action=AuditAction.SIGN_IN_FAILED))
        )
        if country == settings.NODE_COUNTRY:
            visible |= nobodys
        # Every access to a record of their country, whoever made it: the
        # owner country answers for its records wherever they are read.
        visible |= models.Q(root_country=country)
        return self.filter(visible)

    def about_record(self, root_type: str, root_id: str):
        """The entries about a record and its parts (a case's messages and
        legs, an incident's versions), by the record's type and id."""
        return self.filter(root_id=str(root_id), root_type=root_type)


class AuditEntry(models.Model):
    """One line of the audit trail (Directive 2016/680 art. 25): who did what
    to which record, when, from which request and for which purpose.

    Entries are append-only and chained: each stores the HMAC of its own
    content and of the previous entry, so that `tromeja verify-audit` finds
    any entry that was changed, removed or moved. An erasure entry names the
    erased record but keeps none of its content."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices)
    # Snapshots, not foreign keys: the log must outlive users and records.
    actor_id = models.BigIntegerField(_("user id"), null=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    actor_country = models.CharField(_("user's country"), max_length=2, blank=True)
    # For entries no user made: the country of the user or record they are
    # about, whose data protection officer reads them.
    subject_country = models.CharField(_("country concerned"), max_length=2, blank=True)
    object_type = models.CharField(_("record type"), max_length=64, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    recipients = models.CharField(_("recipients"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source_ip = models.CharField(_("address"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    # The record the entry is about as a whole: the case of a message or a
    # leg, the incident of a version, the record itself otherwise; with its
    # reference as it was when the entry was written and its owner country.
    # Written with the entry (core/audit.py) and not covered by its hash:
    # they index what the hashed object_type and object_id already say.
    root_type = models.CharField(_("record type"), max_length=64, blank=True)
    root_id = models.CharField(_("record id"), max_length=64, blank=True, db_index=True)
    record_ref = models.CharField(_("reference"), max_length=32, blank=True, db_index=True)
    root_country = models.CharField(_("record's country"), max_length=2, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["action", "at"]),
            models.Index(fields=["root_country", "seq"], name="audit_root_country_seq"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The single row that holds the last sequence number and hash of the audit
    chain. Appending locks it, which serialises writers on every database and
    lets `verify-audit` notice entries cut from the end of the log."""

    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain at #{self.seq}"


class Sequence(models.Model):
    """A named counter for human-readable references (e.g. SI-2026-000123).
    Taking the next value locks the row, so numbers are unique and gapless
    within committed transactions on every database."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("sequence")

    def __str__(self):
        return f"{self.name}={self.value}"

    @classmethod
    def next_value(cls, name: str) -> int:
        return cls.allocate(name, 1)

    @classmethod
    def allocate(cls, name: str, count: int) -> int:
        """Takes `count` consecutive values; returns the first."""
        from django.db import transaction

        with transaction.atomic():
            row, _created = cls.objects.select_for_update().get_or_create(name=name)
            row.value += count
            row.save(update_fields=["value"])
        return row.value - count + 1


class Job(models.Model):
    """A long piece of work a user asked for (an import, an export), run by a
    background worker that reports its progress here. The files it reads and
    writes live in the node's data directory, outside the web root, and are
    served only to the user who asked."""

    kind = models.CharField(_("kind"), max_length=40)
    # Names the job's folder: ids restart when a database is rebuilt, this does not.
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # What the job works on (filters, options, the uploaded file's name) and
    # the request it came from, so its audit entries carry the same purpose.
    params = models.JSONField(default=dict)
    context = models.JSONField(default=dict)
    # What came out: counts, the first errors, the names of result files.
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker that holds the job ("host:pid") and how often it was taken.
    # While it runs, the worker renews a lease file in the job's folder; a
    # job whose lease ran out or whose worker is gone is marked failed.
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # Why a failed job failed (jobs.FAILURES); its page says it in words.
    error = models.CharField(_("error"), max_length=20, blank=True)
    # The task that runs the job, so that a failed job can be queued again.
    task_path = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["requested_by", "kind", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def is_running(self) -> bool:
        return self.status in {JobStatus.QUEUED, JobStatus.RUNNING}

    @property
    def failure(self) -> str:
        """What went wrong, in the reader's language."""
        from tromeja.core.jobs import failure_text

        return failure_text(self.error)

    @property
    def can_retry(self) -> bool:
        from tromeja.core.jobs import RETRYABLE

        return (
            self.status == JobStatus.FAILED
            and self.error in RETRYABLE
            and bool(self.task_path)
            and not self.result.get("files_removed")
        )
