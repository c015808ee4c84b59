from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tromeja.search"
    label = "search"
