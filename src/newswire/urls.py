from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from newswire.distribution.api import api, cached_story_list
from newswire.wire.media import media

admin.site.site_header = "newswire"
admin.site.site_title = "newswire admin"
admin.site.index_title = "The wire"

urlpatterns = [
    # browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin's)
    path("favicon.ico", RedirectView.as_view(url=static("newswire/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    # the story list, cached per (query, wire fingerprint) in front of django-ninja
    path("api/v1/stories", cached_story_list),
    path("api/v1/", api.urls),
    path("", include("newswire.dashboard.urls")),
    path("", include("newswire.partners.urls")),
    path("", include("newswire.distribution.urls")),
    path("", include("newswire.cms.urls")),
    path("", include("newswire.wire.urls")),
    # Uploaded logos and photos, each only while what it belongs to may be seen
    # (a photo of an embargoed story is not public): see wire/media.py.
    path("media/<path:path>", media, name="media"),
]
