from django.urls import path

from uprwatch.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/export.<str:fmt>", views.export, name="export"),
    path("search/similar/<int:pk>/", views.similar, name="similar"),
]
