from django.urls import path

from . import partner_views, views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/stories/", views.stories, name="stories"),
    path("dashboard/stories/<slug:slug>/", views.story_copies, name="story"),
    path("dashboard/stories/<slug:slug>/report/", views.story_report, name="story_report"),
    path("dashboard/copies/", views.all_copies, name="copies"),
    path("dashboard/copies/<int:pk>/", views.copy_detail, name="copy"),
    path("dashboard/copies/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("dashboard/copies/<int:pk>/screenshot/", views.screenshot, name="screenshot"),
    path("dashboard/copies/<int:pk>/screenshots/<int:shot>.png", views.screenshot_file,
         name="screenshot_file"),
    path("dashboard/partners/", views.partners, name="partners"),
    path("dashboard/partners/<int:pk>/", views.partner_detail, name="partner"),
    path("dashboard/partners/<int:pk>/notice/", views.notice, name="notice"),
    path("dashboard/unauthorised/", views.unauthorised, name="unauthorised"),
    path("dashboard/sites/<str:host>/", views.site_copies, name="site"),
    path("dashboard/sites/<str:host>/decide/", views.site_decide, name="site_decide"),
    path("dashboard/check/", views.check_url, name="check"),
    path("dashboard/explain/", views.explain_url, name="explain"),
    path("dashboard/report/", views.report, name="report"),
    path("partner/pickups/", partner_views.partner_pickups, name="partner_pickups"),
    path(
        "partner/pickups/<int:pk>/recheck/", partner_views.partner_recheck, name="partner_recheck"
    ),
]
