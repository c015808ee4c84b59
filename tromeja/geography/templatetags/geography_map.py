"""What the map's scripts need to know, as data attributes of the map's element.

The background layer is the node's choice: a tile server (TROMEJA_MAP_TILE_URL)
or a WMS server (TROMEJA_MAP_WMS_URL and TROMEJA_MAP_WMS_LAYERS), else only the
basemap Tromeja serves itself (countries, towns, borders), which needs no
network."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def background() -> dict[str, str]:
    return {
        "tile-url": getattr(settings, "MAP_TILE_URL", "") or "",
        "wms-url": getattr(settings, "MAP_WMS_URL", "") or "",
        "wms-layers": getattr(settings, "MAP_WMS_LAYERS", "") or "",
        "wms-format": getattr(settings, "MAP_WMS_FORMAT", "") or "image/png",
        "attribution": getattr(settings, "MAP_ATTRIBUTION", "") or "",
    }


@register.simple_tag
def map_attributes():
    """The data attributes every Tromeja map element carries."""
    values = {
        **background(),
        "geography-url": reverse("api-1:geography"),
        "basemap-url": reverse("api-1:geography_basemap"),
        "labels-url": reverse("api-1:geography_labels"),
        "label-zoom-in": _("Zoom in"),
        "label-zoom-out": _("Zoom out"),
    }
    return format_html_join(" ", 'data-{}="{}"', sorted(values.items()))


@register.simple_tag
def map_api_urls():
    """The search and locate endpoints, for the map's tools."""
    return format_html(
        'data-places-url="{}" data-locate-url="{}"',
        reverse("api-1:geography_places"),
        reverse("api-1:geography_locate"),
    )


@register.simple_tag
def border_name(code: str) -> str:
    """ "SI-HR" -> "Slovenija – Hrvaška", in the reader's language."""
    from django.utils.translation import get_language

    from tromeja.core.countries import country_name

    language = (get_language() or "en").split("-")[0]
    return " – ".join(country_name(c, language) for c in code.split("-"))
