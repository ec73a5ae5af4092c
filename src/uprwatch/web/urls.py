from django.urls import path

from uprwatch.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("states/", views.states, name="states"),
    path("states/<slug:slug>/", views.state, name="state"),
    path("states/<slug:slug>/sessions/<int:session>/", views.review, name="review"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
]
