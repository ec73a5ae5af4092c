from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "uprwatch.analysis"
    label = "analysis"
