from django.contrib import admin
from django.urls import include, path

from uprwatch.api.app import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("uprwatch.web.urls")),
]
