from django.urls import path

from . import feeds, views

app_name = "distribution"
urlpatterns = [
    path("feeds/rss/", feeds.rss, name="rss"),
    path("feeds/atom/", feeds.atom, name="atom"),
    path("stories/<slug:slug>/republish/", views.republish, name="republish"),
    path("beacon/<int:pk>.gif", views.beacon, name="beacon"),
]
