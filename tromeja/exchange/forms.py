import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import DataSubjectCategory, HandlingCode
from tromeja.exchange.choices import MessageKind, RefusalGround, Urgency
from tromeja.incidents import forms as incident_forms
from tromeja.incidents.choices import DocumentType


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the exchange's rules
    (tromeja.exchange.files) when the message is sent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _attachment_help() -> str:
    from django.conf import settings
    from django.utils.translation import gettext

    return gettext(
        "PDF, images, Word, Excel or OpenDocument files, text or CSV; up to %(max)d MB each."
    ) % {"max": settings.TROMEJA_MAX_ATTACHMENT_MB}


def _attachment_too_large() -> str:
    from django.conf import settings
    from django.utils.translation import gettext

    return gettext("A file is too large: at most %(max)d MB each.") % {
        "max": settings.TROMEJA_MAX_ATTACHMENT_MB
    }


def _attachments_field():
    from django.conf import settings
    from django.utils.functional import lazy

    # Lazy: the texts are made in the reader's language when the form is shown.
    return MultipleFileField(
        label=_("Attachments"),
        help_text=lazy(_attachment_help, str)(),
        widget=MultipleFileInput(
            attrs={
                "class": "form-control",
                "data-max-bytes": str(settings.TROMEJA_MAX_ATTACHMENT_MB * 1024 * 1024),
                "data-too-large": lazy(_attachment_too_large, str)(),
            }
        ),
    )


def _lines(text: str) -> list[list[str]]:
    return [[p.strip() for p in line.split(";")] for line in text.splitlines() if line.strip()]


class RequestForm(forms.Form):
    """A request's text and codes; the persons, vehicles, phones and
    documents it is about are rows of their own (`subject_formsets`)."""

    recipients = forms.MultipleChoiceField(
        label=_("To the contact points of"), widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Request"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    places = forms.CharField(
        label=_("Places"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: name; latitude, longitude, e.g. Obrežje; 45.852, 15.690"),
    )
    incidents = forms.CharField(
        label=_("Incident reports"),
        required=False,
        max_length=2000,
        help_text=_("References, separated by spaces, e.g. SI-2026-000123"),
    )
    attachments = _attachments_field()
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_note = forms.CharField(
        label=_("Handling restrictions (H3)"), max_length=500, required=False
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = list(countries)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        places = []
        for parts in _lines(data.get("places", "")):
            name, where = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
            numbers = [n for n in re.split(r"[\s,]+", where) if n]
            places.append(
                {
                    "name": name,
                    "latitude": numbers[0] if numbers else None,
                    "longitude": numbers[1] if len(numbers) > 1 else None,
                }
            )
        data["places"] = places
        data["incidents"] = [r for r in re.split(r"[\s,;]+", data.get("incidents", "")) if r]
        return data


# The empty first choice of a choice the officer must make, as in the
# incident form: nothing is chosen for them by a default they did not see.
CHOOSE = _("— choose —")


class SubjectPersonForm(incident_forms.PersonForm):
    """A person a message is about: as in an incident report, without the
    role a person has in an incident."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]
        self.fields["category"].choices = [("", CHOOSE), *DataSubjectCategory.choices]
        self.order_fields(["surname", "given_names", "date_of_birth", "nationality", "category"])


class SubjectVehicleForm(incident_forms.VehicleForm):
    """A vehicle: its plate and registration country."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("make", "model", "colour"):
            del self.fields[name]


class SubjectDocumentForm(incident_forms.DocumentForm):
    """An identity document: its kind, number and issuing country."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["fraudulent"]
        self.fields["type"].choices = [("", CHOOSE), *DocumentType.choices]


# The rows of a request or information, by the name subjects_of() takes.
SUBJECT_FORMSETS = {
    "persons": (SubjectPersonForm, _("Persons")),
    "documents": (SubjectDocumentForm, _("Identity documents")),
    "vehicles": (SubjectVehicleForm, _("Vehicles")),
    "phones": (incident_forms.PhoneForm, _("Phone numbers")),
}
# As many of each as the API takes (exchange/api.py).
MAX_SUBJECTS = 50


def subject_formsets(data=None) -> dict:
    """The rows of persons, documents, vehicles and phones. A post without a
    list's management form (a client that sends no rows of that kind) has
    none of them."""
    result = {}
    for name, (form_class, label) in SUBJECT_FORMSETS.items():
        formset_class = forms.formset_factory(
            form_class, extra=0, can_delete=True, max_num=MAX_SUBJECTS, validate_max=True
        )
        bound = data
        if data is not None and f"{name}-TOTAL_FORMS" not in data:
            bound = {f"{name}-TOTAL_FORMS": "0", f"{name}-INITIAL_FORMS": "0"}
        formset = formset_class(bound, prefix=name)
        formset.label = label
        result[name] = formset
    return result


REPLY_KINDS = [
    (MessageKind.ACKNOWLEDGEMENT, MessageKind.ACKNOWLEDGEMENT.label),
    (MessageKind.CLARIFICATION_REQUEST, MessageKind.CLARIFICATION_REQUEST.label),
    (MessageKind.PARTIAL_ANSWER, MessageKind.PARTIAL_ANSWER.label),
    (MessageKind.ANSWER, MessageKind.ANSWER.label),
    (MessageKind.REFUSAL, MessageKind.REFUSAL.label),
]


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Reply"), choices=REPLY_KINDS)
    refusal_ground = forms.ChoiceField(
        label=_("Ground for refusal"), choices=[("", "—"), *RefusalGround.choices], required=False
    )
    body = forms.CharField(
        label=_("Text"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = _attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["refusal_ground"].widget.attrs["class"] = "form-select"
        self.fields["refusal_ground"].show_when = "kind=refusal"
        self.fields["body"].widget.attrs["class"] = "form-control"


class ClarifyForm(forms.Form):
    body = forms.CharField(
        label=_("Clarification"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = _attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["class"] = "form-control"


class ForwardForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label=_("Pass on to"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = list(countries)
        self.fields["note"].widget.attrs["class"] = "form-control"


class ConsentForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label=_("Consent to passing on to"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = list(countries)


class InformationForm(RequestForm):
    """Spontaneous information: a request's fields without the urgency."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["urgency"]
        self.fields["body"].label = _("Information")


class CloseForm(forms.Form):
    body = forms.CharField(
        label=_("Closing note"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
