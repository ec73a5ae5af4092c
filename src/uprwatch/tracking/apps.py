from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "uprwatch.tracking"
    label = "tracking"
