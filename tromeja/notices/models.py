from django.db import models
from django.utils.translation import gettext_lazy as _

from tromeja.core.records import SharedRecord
from tromeja.notices.choices import NoticeKind


class Notice(SharedRecord):
    """An operational notice one country's police issues to its own units and,
    if it chooses, to partner countries: a modus operandi alert, a lookout for
    a vehicle or person, a situation update. The first shareable record type;
    incident reports and contact-point messages follow the same base."""

    carries_source_information = True

    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    persons_concerned = models.TextField(
        _("persons concerned"),
        max_length=2000,
        blank=True,
        help_text=_("Only with personal data: names, dates of birth, documents."),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["owner_country", "-created_at"]),
            models.Index(fields=["distribution", "-created_at"]),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if self.persons_concerned.strip() and not self.has_personal_data:
            errors.setdefault("persons_concerned", []).append(
                ValidationError(_("Mark the notice as holding personal data first."))
            )
        if errors:
            raise ValidationError(errors)
