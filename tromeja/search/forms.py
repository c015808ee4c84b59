from django import forms
from django.utils.translation import gettext_lazy as _

from tromeja.search.queries import MAX_QUERY


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY,
        required=False,
        error_messages={
            "max_length": _("Search for at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
