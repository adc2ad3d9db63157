from django.urls import path

from . import views

app_name = "cms"

urlpatterns = [
    path("sources/<int:source_id>/ping/<str:token>", views.ping, name="ping"),
]
