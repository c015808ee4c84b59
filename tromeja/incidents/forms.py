from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tromeja.core.choices import Distribution
from tromeja.core.countries import country_name, nationality_choices
from tromeja.core.dates import validate_sensible_date
from tromeja.core.forms import SharedRecordFormMixin
from tromeja.core.services import partner_countries_for
from tromeja.geography.locate import sections
from tromeja.incidents.choices import (
    AgeGroup,
    Confidence,
    CrossingMode,
    DetectionMethod,
    Direction,
    DocumentType,
    ImpactLevel,
    IncidentType,
    PersonRole,
    Sex,
    Stage,
    Status,
    Transport,
)


class LocalDateTimeInput(forms.DateTimeInput):
    """A date and time in the page language's own format (the form renderer
    draws it as a text field with that format as its example); the
    language's input formats also take ISO 8601."""


def _countries(blank_label):
    return [("", blank_label), *nationality_choices(get_language())]


# The empty first choice of a choice the officer must make: nothing is chosen
# for them by a default they did not see.
CHOOSE = _("— choose —")


def _choose(choices):
    return [("", CHOOSE), *choices]


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-control")


def _partner_choices(user):
    """The partner countries, named in the reader's language."""
    language = get_language()
    return [(c.code, country_name(c.code, language)) for c in partner_countries_for(user)]


class IncidentForm(SharedRecordFormMixin, forms.Form):
    """The report as the officer fills it in (also on a tablet)."""

    type = forms.ChoiceField(label=_("Type"), choices=_choose(IncidentType.choices))
    occurred_at = forms.DateTimeField(
        label=_("Time of the event"),
        widget=LocalDateTimeInput,
        validators=[validate_sensible_date],
    )
    aware_at = forms.DateTimeField(
        label=_("Time of awareness"),
        widget=LocalDateTimeInput,
        validators=[validate_sensible_date],
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "0.00001"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "0.00001"}),
    )
    place_name = forms.CharField(label=_("Place"), max_length=200, required=False)
    border_section = forms.ChoiceField(
        label=_("Border section"),
        required=False,
        help_text=_("Leave empty to take it from the map."),
    )
    location_override_reason = forms.CharField(
        label=_("Reason for another section"), max_length=300, required=False
    )
    detection_method = forms.ChoiceField(
        label=_("Detection"), choices=_choose(DetectionMethod.choices)
    )
    transport = forms.ChoiceField(label=_("Means of transport"), choices=_choose(Transport.choices))
    stage = forms.ChoiceField(
        label=_("Attempted or actual"), required=False, choices=[("", "—"), *Stage.choices]
    )
    crossing_mode = forms.ChoiceField(
        label=_("Open or clandestine"), required=False, choices=[("", "—"), *CrossingMode.choices]
    )
    direction = forms.ChoiceField(
        label=_("Entry or exit"), required=False, choices=[("", "—"), *Direction.choices]
    )
    evasion = forms.BooleanField(label=_("Attempt to evade"), required=False)
    embarkation_country = forms.ChoiceField(label=_("Last country of embarkation"), required=False)
    destination_country = forms.ChoiceField(label=_("Intended destination"), required=False)
    persons_total = forms.IntegerField(
        label=_("Persons involved"), min_value=0, max_value=2000, initial=0
    )
    impact_level = forms.ChoiceField(label=_("Impact level"), choices=_choose(ImpactLevel.choices))
    confidence = forms.ChoiceField(label=_("Confidence"), choices=_choose(Confidence.choices))
    narrative = forms.CharField(
        label=_("Narrative"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follows = forms.CharField(
        label=_("Follow-up of"),
        max_length=40,
        required=False,
        help_text=_(
            "The reference of the earlier report this one follows up, e.g. SI-2026-000123."
        ),
    )
    related = forms.CharField(
        label=_("Related reports"),
        max_length=1000,
        required=False,
        help_text=_("References of other reports about the same events, separated by spaces."),
    )

    # A one-time token of the form as it was shown: a second post of the same
    # form (double tap, reload, a second tab on the same page) saves nothing.
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    # The form's sections, in order, as they fit a tablet: (key, legend,
    # fields, formsets shown in the section).
    SECTIONS = (
        (
            "where",
            _("When and where"),
            (
                "occurred_at",
                "aware_at",
                "latitude",
                "longitude",
                "place_name",
                "border_section",
                "location_override_reason",
            ),
            (),
        ),
        (
            "what",
            _("What happened"),
            (
                "type",
                "detection_method",
                "transport",
                "stage",
                "crossing_mode",
                "direction",
                "evasion",
                "embarkation_country",
                "destination_country",
                "persons_total",
                "impact_level",
                "confidence",
                "narrative",
                "follows",
                "related",
            ),
            (),
        ),
        ("persons", _("Persons"), (), ("counts",)),
        (
            "entities",
            _("Named persons, vehicles, phones and documents"),
            (),
            ("persons", "vehicles", "phones", "documents"),
        ),
        (
            "sharing",
            _("Sharing and handling"),
            (
                "distribution",
                "shared_with",
                "handling_code",
                "handling_note",
                "source_reliability",
                "information_accuracy",
                "review_by",
            ),
            (),
        ),
    )

    field_order = [
        "type",
        "occurred_at",
        "aware_at",
        "latitude",
        "longitude",
        "place_name",
        "border_section",
        "location_override_reason",
        "detection_method",
        "transport",
        "stage",
        "crossing_mode",
        "direction",
        "evasion",
        "embarkation_country",
        "destination_country",
        "persons_total",
        "impact_level",
        "confidence",
        "narrative",
        "follows",
        "related",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Personal data in a report is decided by its entries, not a checkbox.
        for name in ("has_personal_data", "data_subject_category"):
            del self.fields[name]
        self.fields["review_by"].show_when = None
        # The evaluation code is the officer's judgement: never pre-filled.
        for name in ("source_reliability", "information_accuracy"):
            field = self.fields[name]
            field.choices = [("", CHOOSE), *[c for c in field.choices if c[0]]]
        language = get_language()
        self.fields["border_section"].choices = [("", "—")] + sorted(
            ((s.code, s.name(language)) for s in sections().values()), key=lambda c: c[1]
        )
        self.fields["shared_with"].choices = _partner_choices(self.user)
        self.fields["embarkation_country"].choices = _countries("—")
        self.fields["destination_country"].choices = _countries("—")
        self.fields["location_override_reason"].show_when = None
        _style(self)

    def sections(self, formsets):
        """The sections with their bound fields and formsets; a visible field
        no section names is shown in the last one, never left out."""
        placed = {name for _key, _legend, names, _sets in self.SECTIONS for name in names}
        leftover = [
            name
            for name, field in self.fields.items()
            if name not in placed and not field.widget.is_hidden
        ]
        result = []
        for number, (key, legend, names, sets) in enumerate(self.SECTIONS, start=1):
            if number == len(self.SECTIONS):
                names = (*names, *leftover)
            fields = [self[name] for name in names if name in self.fields]
            shown = [(name, formsets[name]) for name in sets if name in formsets]
            has_errors = any(f.errors for f in fields) or any(
                formset.is_bound and (formset.non_form_errors() or any(formset.errors))
                for _name, formset in shown
            )
            result.append(
                {
                    "key": key,
                    "number": number,
                    "legend": legend,
                    "fields": fields,
                    "formsets": shown,
                    "has_errors": has_errors,
                }
            )
        return result


class CountForm(forms.Form):
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_choose(Sex.choices))
    age_group = forms.ChoiceField(label=_("Age group"), choices=_choose(AgeGroup.choices))
    count = forms.IntegerField(label=_("Number"), min_value=1, max_value=2000)
    unaccompanied = forms.IntegerField(
        label=_("Unaccompanied minors"), min_value=0, max_value=2000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _countries(_("Unknown"))
        _style(self)


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=_choose(PersonRole.choices))
    category = forms.ChoiceField(
        label=_("Data subject category"),
        choices=_choose(
            [
                ("suspect", _("Suspect")),
                ("convicted", _("Convicted person")),
                ("victim", _("Victim or potential victim")),
                ("other", _("Other party (witness, contact, informant)")),
            ]
        ),
    )
    surname = forms.CharField(label=_("Surname"), max_length=100)
    given_names = forms.CharField(label=_("Given names"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(),
        validators=[validate_sensible_date],
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _countries(_("Unknown"))
        _style(self)


class VehicleForm(forms.Form):
    plate = forms.CharField(label=_("Plate"), max_length=20)
    registration_country = forms.ChoiceField(label=_("Registration country"))
    make = forms.CharField(label=_("Make"), max_length=40, required=False)
    model = forms.CharField(label=_("Model"), max_length=40, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_country"].choices = _countries(CHOOSE)
        _style(self)


class PhoneForm(forms.Form):
    number = forms.CharField(
        label=_("Phone number"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DocumentForm(forms.Form):
    type = forms.ChoiceField(label=_("Document type"), choices=_choose(DocumentType.choices))
    number = forms.CharField(label=_("Document number"), max_length=30)
    issuing_country = forms.ChoiceField(label=_("Issuing country"))
    fraudulent = forms.BooleanField(label=_("Forged or misused"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].choices = _countries(CHOOSE)
        _style(self)


FORMSETS = {
    "counts": (CountForm, _("Persons by nationality, sex and age")),
    "persons": (PersonForm, _("Named persons")),
    "vehicles": (VehicleForm, _("Vehicles")),
    "phones": (PhoneForm, _("Phone numbers")),
    "documents": (DocumentForm, _("Identity documents")),
}


def make_formsets(data=None, initial=None):
    initial = initial or {}
    result = {}
    for name, (form_class, label) in FORMSETS.items():
        formset_class = forms.formset_factory(
            form_class, extra=0, can_delete=True, max_num=200, validate_max=True
        )
        formset = formset_class(data, prefix=name, initial=initial.get(name))
        formset.label = label
        result[name] = formset
    return result


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must be corrected"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference"), max_length=40, required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *IncidentType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        # A report being imported is nobody's yet: nothing to filter for.
        choices=[("", _("All")), *[c for c in Status.choices if c[0] != Status.IMPORTING]],
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    border_section = forms.ChoiceField(label=_("Border section"), required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(),
        validators=[validate_sensible_date],
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(),
        validators=[validate_sensible_date],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-occurred_at", _("Newest first")),
            ("occurred_at", _("Oldest first")),
            ("-persons_total", _("Most persons")),
            ("reference", _("Reference")),
        ],
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.fields["country"].choices = [("", _("All")), *countries]
        self.fields["border_section"].choices = [("", _("All"))] + sorted(
            ((s.code, s.name(language)) for s in sections().values()), key=lambda c: c[1]
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css + " form-control-sm"


class ValidateForm(forms.Form):
    """The supervisor's validation, with the decision on sharing."""

    distribution = forms.ChoiceField(
        label=_("Distribution"),
        widget=forms.RadioSelect,
        choices=Distribution.choices,
        error_messages={
            "required": _(
                "Decide with whom the report is shared: national only, "
                "all partners or named partners."
            )
        },
    )
    shared_with = forms.MultipleChoiceField(
        label=_("Share with"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].choices = _partner_choices(user)
        self.fields["shared_with"].show_when = "distribution=named"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    mode = forms.ChoiceField(
        label=_("If some rows are wrong"),
        choices=[
            ("all", _("Import nothing: the whole file or nothing")),
            ("valid", _("Import the valid rows and give me back the rejected ones")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
    submit = forms.BooleanField(
        label=_("Submit the imported reports for validation at once"), required=False
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs.update(
            {
                "class": "form-control",
                "data-max-bytes": str(max_bytes),
                "data-too-large": _(
                    "The file is too large: at most %(max)d MB are accepted. "
                    "Split it into smaller files."
                )
                % {"max": max_bytes // (1024 * 1024)},
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is too large: at most %(max)d MB are accepted.")
                % {"max": self.max_bytes // (1024 * 1024)}
            )
        return upload
