from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "uprwatch.analysis"
    label = "analysis"

    def ready(self) -> None:
        from uprwatch.analysis import facts, lineage, panels
        from uprwatch.records.signals import recommendations_changed
        from uprwatch.ui.panels import RECOMMENDATION_PANELS, SEARCH_PANELS, STATE_PANELS, Panel

        STATE_PANELS.append(Panel("analysis/state_panel.html", panels.state_panel, order=20))
        RECOMMENDATION_PANELS.append(Panel("analysis/lineage_panel.html", panels.lineage_panel, order=20))
        SEARCH_PANELS.append(Panel("analysis/firsts_placeholder.html", panels.firsts_placeholder, order=20))
        recommendations_changed.connect(lineage.on_recommendations_changed, dispatch_uid="analysis-lineage")
        recommendations_changed.connect(facts.on_recommendations_changed, dispatch_uid="analysis-profile-facts")
