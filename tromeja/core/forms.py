"""Form fields of the shareable record base, used by every module's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import (
    DataSubjectCategory,
    Distribution,
    HandlingCode,
    InformationAccuracy,
    SourceReliability,
)
from tromeja.core.dates import validate_sensible_date
from tromeja.core.roles import Perm
from tromeja.core.services import partner_countries_for

BASE_FIELDS = (
    "distribution",
    "shared_with",
    "handling_code",
    "handling_note",
    "source_reliability",
    "information_accuracy",
    "has_personal_data",
    "data_subject_category",
    "review_by",
)


class SharedRecordFormMixin(forms.Form):
    distribution = forms.ChoiceField(
        label=_("Distribution"),
        choices=Distribution.choices,
        initial=Distribution.NATIONAL,
        widget=forms.RadioSelect,
    )
    shared_with = forms.MultipleChoiceField(
        label=_("Share with"), required=False, widget=forms.CheckboxSelectMultiple
    )
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_note = forms.CharField(
        label=_("Handling restrictions (H3)"), max_length=500, required=False
    )
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=[("", "—"), *SourceReliability.choices]
    )
    information_accuracy = forms.ChoiceField(
        label=_("Information accuracy"), choices=[("", "—"), *InformationAccuracy.choices]
    )
    has_personal_data = forms.BooleanField(label=_("Holds personal data"), required=False)
    data_subject_category = forms.ChoiceField(
        label=_("Data subject category"),
        choices=[("", "—"), *DataSubjectCategory.choices],
        required=False,
    )
    review_by = forms.DateField(
        label=_("Review personal data by"),
        required=False,
        # A text field in the local format (core.widgets), not the browser's picker.
        widget=forms.DateInput(),
        validators=[validate_sensible_date],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["shared_with"].choices = [(c.code, c.name) for c in partner_countries_for(user)]
        self.fields["shared_with"].show_when = "distribution=named"
        self.fields["handling_note"].show_when = "handling_code=H3"
        for name in ("data_subject_category", "review_by"):
            self.fields[name].show_when = "has_personal_data=on"
        if not user.has_perm_code(Perm.SHARE_RECORDS):
            # Sharing is decided by the contact point or a supervisor.
            for name in ("distribution", "shared_with"):
                self.fields[name].disabled = True
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue  # laid out by the .choice-list styles
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
