import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from tromeja.accounts.models import TokenScope, country_zone


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OneTimeCodeForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of your work"),
        max_length=300,
        help_text=_(
            "A case or incident reference, or a short description. It is written into "
            "the audit log with every consultation of personal data."
        ),
        widget=forms.TextInput(attrs={"autofocus": True}),
    )


def _zone_choices():
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith("Europe/"))
    return [(z, z.replace("_", " ")) for z in zones]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zone_choices, required=False)

    def __init__(self, *args, user, **kwargs):
        # The first choice follows the user's country (stored empty), so the
        # zone changes with it; any other is the user's own.
        own = country_zone(user.unit if user.unit_id else None)
        kwargs.setdefault(
            "initial",
            {
                "language": user.language,
                "time_zone": "" if user.time_zone in ("", own) else user.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        follow = _("My country's time: %(zone)s") % {"zone": own.replace("_", " ")}
        self.fields["time_zone"].choices = [("", follow), *_zone_choices()]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=90,
    )


class NodeAdminPasswordForm(AdminPasswordChangeForm):
    """The administration's password form: the new password (or password
    sign-in turned off) is saved by `accounts.services.set_password`, which
    writes the alteration entry, never the password."""

    def __init__(self, user, *args, by, **kwargs):
        self.by = by
        super().__init__(user, *args, **kwargs)

    def save(self, commit=True):
        from tromeja.accounts.services import set_password

        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        return set_password(user=self.user, password=password, by=self.by)
