from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "tromeja.geography"
    label = "geography"
