from django.urls import path

from uprwatch.classify import views

app_name = "classify"

urlpatterns = [
    path("about/", views.about, name="about"),
    path("classify/review/", views.review_queue, name="review"),
    path("classify/review/<int:rec_id>/", views.review_item, name="review-item"),
]
