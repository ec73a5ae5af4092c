from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "uprwatch.web"
    verbose_name = "Web pages"
