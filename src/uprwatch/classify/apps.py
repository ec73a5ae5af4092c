from django.apps import AppConfig


class ClassifyConfig(AppConfig):
    name = "uprwatch.classify"
    label = "classify"
