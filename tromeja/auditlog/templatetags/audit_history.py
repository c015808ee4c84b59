from django import template

from tromeja.auditlog import services

register = template.Library()


@register.simple_tag(takes_context=True)
def history_url(context, record) -> str:
    """The record's access history page, when the signed-in user may read it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return services.history_url(user, record) if user is not None else ""
