"""Dates and times as each language writes them (tromeja/formats), and date
fields that take them (core/widgets.py)."""

import re
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from tromeja.core.widgets import example, pattern

MOMENT = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)  # 14:05 in Ljubljana, Rome, Zagreb


def render(source: str, language: str, **context) -> str:
    with translation.override(language), timezone.override("Europe/Ljubljana"):
        return Template("{% load tz %}" + source).render(Context(context)).strip()


@pytest.mark.parametrize(
    ("language", "date_text", "datetime_text", "short_date", "short_datetime"),
    [
        ("en", "3 Dec 2026", "3 Dec 2026, 14:05", "3 Dec 2026", "3 Dec 2026, 14:05"),
        ("sl", "3. december 2026", "3. december 2026, 14:05", "3. 12. 2026", "3. 12. 2026, 14:05"),
        ("it", "3 dic 2026", "3 dic 2026, 14:05", "03/12/2026", "03/12/2026 14:05"),
        (
            "hr",
            "3. prosinca 2026.",
            "3. prosinca 2026. 14:05",
            "3. 12. 2026.",
            "3. 12. 2026. 14:05",
        ),
    ],
)
def test_each_language_writes_dates_its_own_way(
    language, date_text, datetime_text, short_date, short_datetime
):
    assert render('{{ m|date:"DATE_FORMAT" }}', language, m=MOMENT) == date_text
    assert render('{{ m|date:"DATETIME_FORMAT" }}', language, m=MOMENT) == datetime_text
    assert render('{{ m|date:"SHORT_DATE_FORMAT" }}', language, m=MOMENT) == short_date
    assert render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', language, m=MOMENT) == short_datetime
    # A date and time shown as it is uses the same format.
    assert render("{{ m }}", language, m=MOMENT) == datetime_text


@pytest.mark.parametrize("language", ["en", "sl", "it", "hr"])
def test_times_use_the_24_hour_clock(language):
    evening = datetime(2026, 12, 3, 20, 5, tzinfo=UTC)  # 21:05 local
    for name in ("TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
        text = render(f'{{{{ m|date:"{name}" }}}}', language, m=evening)
        assert "21:05" in text, (name, text)
        assert "p.m." not in text and "PM" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "3 May 2026"), ("sl", "3. maj 2026"), ("it", "3 mag 2026"), ("hr", "3. svibnja 2026.")],
)
def test_month_names_are_the_languages_own(language, expected):
    may = datetime(2026, 5, 3, 10, 0, tzinfo=UTC)
    assert render('{{ m|date:"DATE_FORMAT" }}', language, m=may) == expected


def test_no_english_month_abbreviation_in_slovenian():
    for month in range(1, 13):
        day = datetime(2026, month, 3, 12, 0, tzinfo=UTC)
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"):
            text = render(f'{{{{ d|date:"{name}" }}}}', "sl", d=day)
            assert text[:1].isdigit() and not any(c.isupper() for c in text), text


class Dates(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField()


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "03/12/2026", "03/12/2026 14:05"),
        ("sl", "3.12.2026", "03. 12. 2026 14:05"),
        ("it", "03/12/2026", "03/12/2026 14:05"),
        ("hr", "3.12.2026.", "03.12.2026. 14:05"),
    ],
)
def test_date_fields_take_the_local_day_first_form_and_iso(language, day, moment):
    with translation.override(language), timezone.override("Europe/Ljubljana"):
        for data in (
            {"day": day, "moment": moment},
            {"day": "2026-12-03", "moment": "2026-12-03T14:05"},
        ):
            form = Dates(data)
            assert form.is_valid(), (data, form.errors)
            assert form.cleaned_data["day"] == date(2026, 12, 3)
            assert form.cleaned_data["moment"] == MOMENT


def test_english_dates_are_never_read_month_first():
    with translation.override("en"):
        form = Dates({"day": "12/03/2026", "moment": "12/03/2026 10:00"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2026, 3, 12)
        assert not Dates({"day": "12/31/2026", "moment": "x"}).is_valid()


@pytest.mark.parametrize(
    ("language", "date_hint", "datetime_hint"),
    [
        ("en", "31/12/2026", "31/12/2026 14:30"),
        ("sl", "31.12.2026", "31.12.2026 14:30"),
        ("it", "31/12/2026", "31/12/2026 14:30"),
        ("hr", "31.12.2026.", "31.12.2026. 14:30"),
    ],
)
def test_date_fields_are_text_fields_with_a_local_example(language, date_hint, datetime_hint):
    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    with translation.override(language):
        assert example("DATE_INPUT_FORMATS") == date_hint
        assert example("DATETIME_INPUT_FORMATS") == datetime_hint
        html = str(Form(initial={"day": date(2026, 12, 3)}))
        hints = (pattern("DATE_INPUT_FORMATS"), pattern("DATETIME_INPUT_FORMATS"))
    assert 'type="date"' not in html and 'type="datetime-local"' not in html
    assert html.count('type="text"') == 2
    for hint, shown in zip(hints, (date_hint, datetime_hint), strict=True):
        # The placeholder is the format in letters, laid out as the example.
        assert f'placeholder="{hint}"' in html and f'data-local-format="{shown}"' in html
        assert re.sub(r"[^\W\d_]", "9", hint) == re.sub(r"\d", "9", shown), hint
    assert 'inputmode="numeric"' in html


def test_english_placeholders_name_day_month_and_year():
    with translation.override("en"):
        assert pattern("DATE_INPUT_FORMATS") == "dd/mm/yyyy"
        assert pattern("DATETIME_INPUT_FORMATS") == "dd/mm/yyyy hh:mm"


def test_a_date_field_shows_its_value_in_the_local_form():
    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("sl"):
        html = str(Form(initial={"day": date(2026, 12, 3)}))
    assert 'value="03.12.2026"' in html


@pytest.mark.parametrize("language", ["en", "sl", "it", "hr"])
def test_file_inputs_carry_a_button_and_file_name_in_the_page_language(language):
    class Form(forms.Form):
        one = forms.FileField()
        many = forms.FileField(
            required=False,
            widget=type("Many", (forms.ClearableFileInput,), {"allow_multiple_selected": True})(),
        )

    with translation.override(language):
        html = str(Form())
        choose_one = translation.gettext("Choose a file")
        choose_many = translation.gettext("Choose files")
        nothing = translation.gettext("No file chosen")
    assert html.count('class="file-picker"') == 2
    assert html.count('type="file"') == 2
    assert choose_one in html and choose_many in html and nothing in html
    # The input sits inside its picker's label, so the button opens it.
    assert '<label class="file-picker">\n<input type="file" name="one"' in html


def test_a_field_that_keeps_an_iso_format_of_its_own_describes_that_format():
    class Form(forms.Form):
        moment = forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M"],
        )

    with translation.override("sl"), timezone.override("Europe/Ljubljana"):
        html = str(Form(initial={"moment": MOMENT}))
        assert 'value="2026-12-03T14:05"' in html
        assert 'data-local-format="2026-12-31T14:30"' in html
        assert f'placeholder="{pattern("", "%Y-%m-%dT%H:%M")}"' in html
        # Without a value the field speaks the language's format.
        assert f'placeholder="{pattern("DATETIME_INPUT_FORMATS")}"' in str(Form())
