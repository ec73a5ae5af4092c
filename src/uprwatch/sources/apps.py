from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "uprwatch.sources"
    verbose_name = "Live sources (UHRI, UPR Info, UN documents)"

    def ready(self) -> None:
        # sources sits above search and tracking in the layers: it hands them what they run for it.
        from uprwatch.search import service
        from uprwatch.sources import mechanisms, panels, runner
        from uprwatch.tracking import alerts

        panels.register()
        service.register_mechanisms(mechanisms)  # search answers the body filter through it
        alerts.HANDLERS[runner.JOB_KIND] = runner.handle_job  # `uprwatch jobs run` runs queued syncs
