from django import template

from tromeja.search.services import may_search as _may_search

register = template.Library()


@register.simple_tag
def may_search(user) -> bool:
    """Whether the header shows the search box: roles that read records."""
    return _may_search(user)
