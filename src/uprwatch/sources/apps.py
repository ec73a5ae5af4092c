from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "uprwatch.sources"
    verbose_name = "Live sources (UHRI, UPR Info, UN documents)"

    def ready(self) -> None:
        from uprwatch.sources import panels

        panels.register()
