from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "uprwatch.tracking"
    label = "tracking"
    verbose_name = "Implementation tracking"

    def ready(self) -> None:
        from uprwatch.records.signals import recommendations_changed
        from uprwatch.tracking import alerts, panels
        from uprwatch.web.panels import RECOMMENDATION_PANELS, STATE_PANELS, Panel

        recommendations_changed.connect(alerts.on_recommendations_changed, dispatch_uid="tracking-alerts")
        STATE_PANELS.append(Panel("tracking/state_panel.html", panels.state_panel, order=60))
        RECOMMENDATION_PANELS.append(Panel("tracking/recommendation_panel.html", panels.recommendation_panel, order=40))
