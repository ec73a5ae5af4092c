from django.contrib import admin
from django.urls import include, path

from uprwatch.api.app import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("uprwatch.assistant.urls")),
    path("", include("uprwatch.web.urls")),
    path("", include("uprwatch.search.urls")),
    path("", include("uprwatch.documents.urls")),
    path("", include("uprwatch.classify.urls")),
    path("", include("uprwatch.analysis.urls")),
    path("", include("uprwatch.calendar.urls")),
    path("", include("uprwatch.tracking.urls")),
    path("", include("uprwatch.reports.urls")),
    path("", include("uprwatch.sources.urls")),
]

handler400 = "uprwatch.ui.errors.bad_request"
handler404 = "uprwatch.ui.errors.not_found"
