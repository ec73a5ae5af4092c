from django.apps import AppConfig


def _state_panel(request, state) -> dict:
    return {"state": state}


class ReportsConfig(AppConfig):
    name = "uprwatch.reports"
    label = "reports"

    def ready(self) -> None:
        from uprwatch.ui.panels import STATE_PANELS, Panel

        STATE_PANELS.append(Panel("reports/state_panel.html", _state_panel, order=90))
