from django.apps import AppConfig


class ClassifyConfig(AppConfig):
    name = "uprwatch.classify"
    label = "classify"

    def ready(self) -> None:
        from uprwatch.classify.panels import recommendation_panel_context
        from uprwatch.classify.receivers import label_ingested
        from uprwatch.records.signals import recommendations_changed
        from uprwatch.ui.panels import RECOMMENDATION_PANELS, Panel

        recommendations_changed.connect(label_ingested, dispatch_uid="classify-label-ingested")
        RECOMMENDATION_PANELS.append(Panel("classify/recommendation_panel.html", recommendation_panel_context, order=20))
