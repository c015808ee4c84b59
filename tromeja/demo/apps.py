from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Deterministic demo data for every module; nothing here runs in production."""

    name = "tromeja.demo"
    label = "demo"
