from django import forms
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import HandlingCode
from tromeja.exchange.choices import MessageKind, RefusalGround, Urgency


class RequestForm(forms.Form):
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
    vehicles = forms.CharField(
        label=_("Vehicles"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: the plate, then the registration country, e.g. CZ 5T2 8841 CZ"),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, with the country prefix, e.g. +386 40 123 456"),
    )
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_note = forms.CharField(
        label=_("Handling restrictions (H3)"), max_length=500, required=False
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = list(countries)

    def clean_vehicles(self):
        vehicles = []
        for line in self.cleaned_data["vehicles"].splitlines():
            parts = line.strip().rsplit(" ", 1)
            if not line.strip():
                continue
            if len(parts) != 2 or len(parts[1]) != 2:
                raise forms.ValidationError(
                    _("“%(line)s”: end the line with the registration country, e.g. SI.")
                    % {"line": line.strip()}
                )
            vehicles.append({"plate": parts[0], "registration_country": parts[1].upper()})
        return vehicles

    def clean_phones(self):
        return [p.strip() for p in self.cleaned_data["phones"].splitlines() if p.strip()]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css


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
