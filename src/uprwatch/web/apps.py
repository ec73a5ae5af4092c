from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "uprwatch.web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from uprwatch.web import checks, throttle  # noqa: F401  (registers system checks, login signals)
