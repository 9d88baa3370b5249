from django.urls import path

from dashboard import (
    views,
    views_config,
    views_dlq,
    views_metrics,
    views_ops,
    views_queue,
    views_runs,
    views_trace,
    views_triggers,
    views_workers,
)

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/", views_runs.history, name="history"),
    path("runs/<uuid:run_id>/", views_runs.run, name="run"),
    path("runs/<uuid:run_id>/log.txt", views_runs.run_log, name="run-log"),
    path("runs/<uuid:run_id>/cancel", views_runs.cancel, name="run-cancel"),
    path("runs/<uuid:run_id>/retry", views_runs.retry, name="run-retry"),
    path("dead-letters/", views_dlq.dead_letters, name="dead-letters"),
    path("dead-letters/<int:letter_id>/", views_dlq.dead_letter, name="dead-letter"),
    path("dead-letters/retry", views_dlq.dead_letters_retry, name="dead-letters-retry"),
    path("dead-letters/discard", views_dlq.dead_letters_discard, name="dead-letters-discard"),
    path("queue/", views_queue.queue, name="queue"),
    path("queue/items/<int:item_id>/", views_queue.queue_item, name="queue-item"),
    path("queue/reap", views_queue.queue_reap, name="queue-reap"),
    path("workers/", views_workers.workers, name="workers"),
    path("workers/pause", views_workers.pause, name="pause"),
    path("triggers/", views_triggers.triggers, name="triggers"),
    path("triggers/run", views_triggers.trigger, name="trigger"),
    path("compare/", views_ops.compare, name="compare"),
    path("alerts/", views_ops.alerts, name="alerts"),
    path("alerts/<int:alert_id>", views_ops.alert_action, name="alert-action"),
    path("configuration/", views_config.configuration, name="configuration"),
    path("configuration/set", views_config.configuration_set, name="configuration-set"),
    path("configuration/reset", views_config.configuration_reset, name="configuration-reset"),
    path("metrics/", views_metrics.metrics, name="metrics"),
    path("images/", views_metrics.images, name="images"),
    path("records/", views_trace.records, name="records"),
    path("records/<slug:entity>/<str:zoho_id>/", views_trace.record, name="record"),
    path("records/<slug:entity>/<str:zoho_id>/compare", views_trace.record_compare_view, name="record-compare"),
    path("records/<slug:entity>/<str:zoho_id>/apply", views_trace.record_apply, name="record-apply"),
    path("records/<slug:entity>/<str:zoho_id>/retry", views_trace.record_retry, name="record-retry"),
]
