"""What the inbox needs for assignment and hand-over: the contact point's
officers and whether the reader is a supervisor."""

from django import template

from tromeja.exchange import duty

register = template.Library()


@register.simple_tag(takes_context=True)
def duty_context(context) -> dict:
    """{% duty_context as duty %}: `officers` (who a request may be assigned
    to), `colleagues` (who may take over at shift change), `me` and
    `is_supervisor`. Computed once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.country_code:
        return {"officers": [], "colleagues": [], "me": None, "is_supervisor": False}
    cached = getattr(request, "_duty_context", None)
    if cached is None:
        officers = list(duty.contact_point_officers(user.country_code))
        cached = {
            "officers": officers,
            "colleagues": [o for o in officers if o.pk != user.pk],
            "me": user,
            "is_supervisor": duty.is_supervisor(user),
        }
        request._duty_context = cached
    return cached
