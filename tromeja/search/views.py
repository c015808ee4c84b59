from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from tromeja.search import queries, services
from tromeja.search.forms import SearchForm


@login_required
def results(request):
    """The results page: the hits of every kind the user may see, by kind."""
    if not services.may_search(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    groups, parsed = [], None
    if form.is_valid() and form.cleaned_data["q"]:
        parsed, groups = services.search(request.user, form.cleaned_data["q"])
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
            "parsed": parsed,
            "groups": groups,
            "per_group": queries.PER_GROUP,
            "searched": bool(parsed and not parsed.empty),
        },
    )
