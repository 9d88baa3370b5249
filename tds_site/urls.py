from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve

from sync.metrics.exposition import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    path("", include("sync.api.urls")),
    path("tds-admin/", include("dashboard.urls")),
    path("", RedirectView.as_view(pattern_name="dashboard:overview", permanent=False), name="home"),
]

# JSON under /api/, Django's pages elsewhere.
handler400 = "sync.api.exceptions.api_bad_request"
handler403 = "sync.api.exceptions.api_forbidden"
handler404 = "sync.api.exceptions.api_not_found"
handler500 = "sync.api.exceptions.server_error"

if settings.TDS_SERVE_MEDIA:
    # Product images: Django serves them in development; in production the web
    # server (nginx) serves MEDIA_ROOT directly under /media/.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
