from django.urls import path

from . import views

app_name = "wire"
urlpatterns = [
    path("", views.home, name="home"),
    path("stories/<slug:slug>/", views.story, name="story"),
    path("stories/<slug:slug>/versions/<int:number>/", views.version, name="version"),
]
