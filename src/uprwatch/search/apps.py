from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "uprwatch.search"
    label = "search"
