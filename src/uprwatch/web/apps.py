from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "uprwatch.web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from uprwatch.ui import throttle  # noqa: F401  (registers the login signals)
        from uprwatch.web import checks  # noqa: F401  (registers system checks)
