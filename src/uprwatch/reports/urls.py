from django.urls import path

from uprwatch.reports import views

app_name = "reports"

urlpatterns: list = [
    path("reports/brief/", views.brief, name="brief"),
    path("reports/matrix/", views.matrix, name="matrix"),
    path("reports/profile/<slug:slug>.<str:fmt>", views.profile, name="profile"),
]
