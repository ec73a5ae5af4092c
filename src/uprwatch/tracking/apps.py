from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "uprwatch.tracking"
    label = "tracking"
    verbose_name = "Implementation tracking"

    def ready(self) -> None:
        from uprwatch.records.signals import recommendations_changed
        from uprwatch.search import views as search_views
        from uprwatch.tracking import alerts, panels, pins
        from uprwatch.ui.panels import RECOMMENDATION_PANELS, STATE_PANELS, Panel

        recommendations_changed.connect(alerts.on_recommendations_changed, dispatch_uid="tracking-alerts")
        self._check_text_before_save()
        STATE_PANELS.append(Panel("tracking/state_panel.html", panels.state_panel, order=60))
        RECOMMENDATION_PANELS.append(Panel("tracking/recommendation_panel.html", panels.recommendation_panel, order=40))
        search_views.RESULT_CONTROLS.append(pins.search_controls)  # pins and "save this search" on /search/

    def _check_text_before_save(self) -> None:
        """What people type into tracking must fit its column on every database (see ``limits``)."""
        from django.db.models.signals import pre_save

        from uprwatch.tracking import limits, models

        for model in (models.Organisation, models.Invitation, models.ApiToken, models.Campaign, models.Assessment,
                      models.Event, models.EvidenceItem):
            pre_save.connect(limits.check_before_save, sender=model, dispatch_uid=f"tracking-limits-{model.__name__}")
