from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from newswire.distribution.api import api

admin.site.site_header = "newswire"
admin.site.site_title = "newswire admin"
admin.site.index_title = "The wire"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("newswire.partners.urls")),
    path("", include("newswire.distribution.urls")),
    path("", include("newswire.wire.urls")),
    # Uploaded logos and photos. Served by Django because a newsroom install
    # is one process; put a web server or CDN in front for heavy traffic.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
