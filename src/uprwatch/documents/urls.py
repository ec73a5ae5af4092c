from django.urls import path

from uprwatch.documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/upload/", views.upload, name="upload"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
]
