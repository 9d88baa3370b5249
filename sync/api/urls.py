from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

# --- webhooks, queue, dead letters (issue 5) ---------------------------------------
from sync.api import deadletter as _dlq  # noqa: E402
from sync.api import queue as _queue  # noqa: E402
from sync.api import webhooks as _webhooks  # noqa: E402

urlpatterns += [
    path("api/webhooks/zoho", _webhooks.zoho_webhook, name="webhook-zoho"),
    path("api/tds/webhooks/test", _webhooks.zoho_webhook_test, name="webhook-test"),
    path("api/tds/webhooks/<slug:entity>", _webhooks.zoho_webhook, name="webhook-entity"),
    path("api/tds/deadletter", _dlq.DeadLetterListView.as_view(), name="deadletter"),
    path("api/tds/deadletter/retry", _dlq.DeadLetterRetryView.as_view(), name="deadletter-retry"),
    path("api/tds/deadletter/retry-all", _dlq.DeadLetterRetryAllView.as_view(), name="deadletter-retry-all"),
    path("api/tds/queue", _queue.QueueHealthView.as_view(), name="queue"),
]

# --- sync runs, stock, status, BFF ---------------------------------------------------
from django.urls import re_path  # noqa: E402

from sync.api import bff as _bff  # noqa: E402
from sync.api import tds as _tds  # noqa: E402
from sync.api.exceptions import api_unknown_path  # noqa: E402

urlpatterns += [
    path("api/tds/health", _tds.HealthView.as_view(), name="health"),
    path("api/tds/status", _tds.StatusView.as_view(), name="status"),
    path("api/tds/sync", _tds.SyncView.as_view(), name="sync"),
    path("api/tds/sync-runs", _tds.SyncRunListView.as_view(), name="sync-runs"),
    path("api/tds/sync-runs/<uuid:run_id>", _tds.SyncRunDetailView.as_view(), name="sync-run"),
    path("api/tds/stock/sync", _tds.StockSyncView.as_view(), name="stock-sync"),
    path("api/bff/tds/status", _bff.StatusView.as_view(), name="bff-status"),
    path("api/bff/tds/recent", _bff.RecentView.as_view(), name="bff-recent"),
    path("api/bff/tds/health", _bff.HealthView.as_view(), name="bff-health"),
    path("api/bff/tds/dashboard", _bff.DashboardView.as_view(), name="bff-dashboard"),
    path("api/bff/tds/runs", _bff.RunsView.as_view(), name="bff-runs"),
    path("api/bff/tds/sync/stock", _bff.StockSyncView.as_view(), name="bff-stock-sync"),
    path("api/bff/tds/sync/stock/stats", _bff.StockStatsView.as_view(), name="bff-stock-stats"),
    path("api/bff/tds/sync/stock/specific", _bff.StockSpecificView.as_view(), name="bff-stock-specific"),
]

# --- last: any other /api/ path is a JSON 404 ----------------------------------------
urlpatterns += [re_path(r"^api/(?P<rest>.*)$", api_unknown_path, name="unknown")]
