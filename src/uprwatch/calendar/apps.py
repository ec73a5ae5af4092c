from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "uprwatch.calendar"
    label = "calendar"

    def ready(self) -> None:
        from uprwatch.calendar.views import state_panel_context
        from uprwatch.ui.panels import STATE_PANELS, Panel

        STATE_PANELS.append(Panel("calendar/state_panel.html", state_panel_context, order=10))
