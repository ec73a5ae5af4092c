from django.urls import path

from uprwatch.sources import views

app_name = "sources"

urlpatterns = [
    path("sources/", views.data_sources, name="data-sources"),
    path("sources/status/", views.status_fragment, name="status"),
    path("sources/sync/", views.start_sync, name="sync"),
]
