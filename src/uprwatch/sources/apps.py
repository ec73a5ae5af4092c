from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "uprwatch.sources"
    verbose_name = "Live sources (UHRI, UPR Info, UN documents)"

    def ready(self) -> None:
        from uprwatch.search import service
        from uprwatch.sources import mechanisms, panels

        panels.register()
        service.register_mechanisms(mechanisms)  # search answers the body filter through it
