from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "uprwatch.reports"
    label = "reports"
