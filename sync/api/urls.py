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
