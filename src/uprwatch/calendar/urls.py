from django.urls import path

from uprwatch.calendar import views

app_name = "calendar"

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/sessions.ics", views.sessions_ics, name="sessions_ics"),
    path("calendar/states/<slug:slug>.ics", views.state_ics, name="state_ics"),
]
