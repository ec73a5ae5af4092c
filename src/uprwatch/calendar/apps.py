from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "uprwatch.calendar"
    label = "calendar"
