from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "uprwatch.documents"
    label = "documents"
