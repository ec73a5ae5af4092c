from django.urls import path

from uprwatch.analysis import views

app_name = "analysis"

urlpatterns = [
    path("states/<slug:slug>/profile/", views.profile, name="profile"),
    path("states/<slug:slug>/profile/<str:table>.csv", views.profile_csv, name="profile_csv"),
    path("states/<slug:slug>/recurring/", views.recurring, name="recurring"),
    path("states/<slug:recommender>/to/<slug:reviewed>/", views.pair, name="pair"),
    path("analysis/", views.analysis_home, name="home"),
    path("analysis/firsts/", views.firsts_panel, name="firsts_panel"),
    path("recommendations/<int:pk>/lineage/", views.lineage_edit, name="lineage_edit"),
]
