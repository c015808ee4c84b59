from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import AuditAction
from tromeja.core.dates import validate_sensible_date


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        label=_("User"),
        max_length=150,
        required=False,
        help_text=_("Name or user name; accents and case do not matter."),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All")), *AuditAction.choices], required=False
    )
    record = forms.CharField(
        label=_("Record"),
        max_length=64,
        required=False,
        help_text=_("Reference (e.g. HR-2026-000123) or full id."),
    )
    purpose = forms.CharField(label=_("Purpose contains"), max_length=100, required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sensible_date],
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sensible_date],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css + " form-control-sm"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"
        self.fields["user"].widget.attrs.update(
            {
                "list": "audit-user-options",
                "autocomplete": "off",
                "hx-get": reverse("auditlog:user_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#audit-user-options",
                "hx-swap": "innerHTML",
            }
        )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def serializable(self) -> dict:
        return {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in self.cleaned_data.items()
            if v
        }
