from django import forms
from django.utils.translation import gettext_lazy as _

from tromeja.core.dates import validate_sensible_date
from tromeja.core.forms import SharedRecordFormMixin
from tromeja.notices.choices import NoticeKind


class NoticeForm(SharedRecordFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    persons_concerned = forms.CharField(
        label=_("Persons concerned"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(),
        validators=[validate_sensible_date],
    )

    field_order = [
        "kind",
        "title",
        "body",
        "valid_until",
        "has_personal_data",
        "data_subject_category",
        "review_by",
        "persons_concerned",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons_concerned"].show_when = "has_personal_data=on"
        self.fields["persons_concerned"].widget.attrs["class"] = "form-control"


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *NoticeKind.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-created_at", _("Newest first")),
            ("created_at", _("Oldest first")),
            ("title", _("Title")),
        ],
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All")), *countries]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css + " form-control-sm"
