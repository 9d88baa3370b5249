"""Every HTTP route under /api/: schema and docs, Zoho's webhooks, the admin API (/api/tds/, staff),
the BFF for the apps (/api/bff/tds/, any signed-in user), and a JSON 404 for any other /api/ path."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from sync.api import bff, records, tds, webhooks
from sync.api import deadletter as dlq
from sync.api import queue as queue_views
from sync.api.exceptions import api_unknown_path
from sync.api.schema import SchemaView

app_name = "api"

urlpatterns = [
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Zoho's deliveries: plain views on the hot path, authenticated by signature or token.
    path("api/webhooks/zoho", webhooks.zoho_webhook, name="webhook-zoho"),
    path("api/tds/webhooks/test", webhooks.zoho_webhook_test, name="webhook-test"),
    path("api/tds/webhooks/<slug:entity>", webhooks.zoho_webhook, name="webhook-entity"),
    # Admin API.
    path("api/tds/health", tds.HealthView.as_view(), name="health"),
    path("api/tds/status", tds.StatusView.as_view(), name="status"),
    path("api/tds/sync", tds.SyncView.as_view(), name="sync"),
    path("api/tds/sync-runs", tds.SyncRunListView.as_view(), name="sync-runs"),
    path("api/tds/sync-runs/<uuid:run_id>", tds.SyncRunDetailView.as_view(), name="sync-run"),
    path("api/tds/stock/sync", tds.StockSyncView.as_view(), name="stock-sync"),
    path("api/tds/queue", queue_views.QueueHealthView.as_view(), name="queue"),
    path("api/tds/deadletter", dlq.DeadLetterListView.as_view(), name="deadletter"),
    path("api/tds/deadletter/retry", dlq.DeadLetterRetryView.as_view(), name="deadletter-retry"),
    path("api/tds/deadletter/retry-all", dlq.DeadLetterRetryAllView.as_view(), name="deadletter-retry-all"),
    path("api/tds/records", records.RecordSearchView.as_view(), name="records"),
    path("api/tds/records/<slug:entity>/<str:zoho_id>", records.RecordTraceView.as_view(), name="record"),
    path("api/tds/records/<slug:entity>/<str:zoho_id>/refetch", records.RecordRefetchView.as_view(),
         name="record-refetch"),
    # BFF for the mobile and web apps.
    path("api/bff/tds/status", bff.StatusView.as_view(), name="bff-status"),
    path("api/bff/tds/recent", bff.RecentView.as_view(), name="bff-recent"),
    path("api/bff/tds/health", bff.HealthView.as_view(), name="bff-health"),
    path("api/bff/tds/dashboard", bff.DashboardView.as_view(), name="bff-dashboard"),
    path("api/bff/tds/runs", bff.RunsView.as_view(), name="bff-runs"),
    path("api/bff/tds/sync/stock", bff.StockSyncView.as_view(), name="bff-stock-sync"),
    path("api/bff/tds/sync/stock/stats", bff.StockStatsView.as_view(), name="bff-stock-stats"),
    path("api/bff/tds/sync/stock/specific", bff.StockSpecificView.as_view(), name="bff-stock-specific"),
    # Last: any other /api/ path answers a JSON 404, never Django's HTML page.
    re_path(r"^api/(?P<rest>.*)$", api_unknown_path, name="unknown"),
]
