from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "uprwatch.records"
    verbose_name = "UPR records"
