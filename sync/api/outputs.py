"""Output serializers: the JSON each endpoint answers (the earlier system's field names, plus a few more)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

S, I, F, B = serializers.CharField, serializers.IntegerField, serializers.FloatField, serializers.BooleanField  # noqa: E741


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A number answered as it is (an integer stays an integer)."""

    def to_representation(self, value: object) -> object:
        return value


def _opt(field: type[serializers.Field], **kw: object) -> serializers.Field:
    return field(required=False, allow_null=True, **kw)


class ErrorSerializer(serializers.Serializer):
    error = S(help_text="machine-readable code, e.g. invalid, not_authenticated, permission_denied, run_active")
    message = S()
    status = S(required=False)


class CheckSerializer(serializers.Serializer):
    """A component check: status and reason, plus the figure some checks carry (only where they do)."""

    status = serializers.ChoiceField(choices=["ok", "degraded", "unhealthy"])
    reason = S()
    workers = _opt(I, help_text="cluster: worker processes reporting (null: the broker cannot be read)")
    state = S(required=False, help_text="zoho_circuit: closed, open, half_open or unknown")
    remaining = NumberField(required=False, allow_null=True,
                            help_text="zoho_quota: calls left when the daily reserve is reached, else null")
    open = I(required=False, help_text="dead_letters: open dead letters")
    waiting = I(required=False, help_text="queued_runs: runs queued over the web that no cluster started")

    def to_representation(self, instance: dict) -> dict:
        # Each check has its own figure: a key the check does not carry is left out, not answered as null.
        return {name: value for name, value in super().to_representation(instance).items() if name in instance}


class QueueTripleSerializer(serializers.Serializer):
    pending = _opt(I)
    processing = _opt(I)
    failed = _opt(I)


class StatsSerializer(serializers.Serializer):
    total_synced_24h = I(help_text="records written (created or updated) by the runs of the last 24 hours")
    total_seen_24h = I(help_text="records those runs read, written or not (unchanged ones included)")
    success_rate = F()


class HealthSerializer(serializers.Serializer):
    """Anonymous callers get ``status`` only; authenticated callers the whole body."""

    status = serializers.ChoiceField(choices=["healthy", "degraded", "unhealthy"])
    workers_active = _opt(I)
    queue_size = _opt(I)
    queue = QueueTripleSerializer(required=False)
    last_sync = _opt(S, help_text="newest pull of any entity (ISO 8601)")
    last_sync_by_entity = serializers.DictField(child=_opt(S), required=False)
    stats = StatsSerializer(required=False)
    checks = serializers.DictField(child=CheckSerializer(), required=False,
                                   help_text="database, cluster, zoho_token, zoho_circuit, zoho_quota, queue, "
                                             "dead_letters, queued_runs")


class RunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    run_type = S()
    entity = S(allow_blank=True)
    trigger = S()
    status = S(help_text="pending, running, completed, partial, deferred (cut short by Zoho's limits: see "
                         "resume_at), failed")
    dry_run = B()
    progress = F()
    processed = I()
    created = I()
    updated = I()
    unchanged = I()
    skipped = I()
    failed = I()
    deleted = I()
    api_calls = I()
    created_at = _opt(S)
    started_at = _opt(S)
    finished_at = _opt(S)
    duration_seconds = _opt(F)
    error_message = S(allow_blank=True)
    resume_at = _opt(S, help_text="a deferred run (cut short by Zoho's limits): when the rest can run, ISO 8601")


class LogLineSerializer(serializers.Serializer):
    id = I()
    level = S()
    entity = S(allow_blank=True)
    zoho_id = S(allow_blank=True)
    message = S(allow_blank=True)
    created_at = _opt(S)


class RunDetailSerializer(RunSerializer):
    correlation_id = S(allow_blank=True)
    configuration = serializers.JSONField()
    summary = serializers.JSONField()
    errors = serializers.ListField(child=S())
    logs = LogLineSerializer(many=True)


class JobSerializer(serializers.Serializer):
    status = S(help_text="pending: queued on the cluster")
    sync_run_id = serializers.UUIDField()
    url = S(help_text="GET it to follow the run")


class RunActiveSerializer(ErrorSerializer):
    sync_run_id = serializers.UUIDField(help_text="the run already pending or running")
    url = S()


class LastCompareSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    at = _opt(S)
    health_score = _opt(F)
    band = _opt(S)
    overall_match_pct = _opt(F)
    entities = serializers.DictField(child=_opt(F))


class StatusSerializer(serializers.Serializer):
    active_runs = RunSerializer(many=True)
    queue = serializers.JSONField(help_text="pending/processing/failed counts and pending_by_priority")
    dead_letters_open = serializers.DictField(child=I())
    cursors = serializers.ListField(child=serializers.JSONField())
    last_compare = LastCompareSerializer(allow_null=True)
    zoho = serializers.JSONField(help_text="configured, circuit, quota_block, api_calls_today")
    workers_active = _opt(I)


class MobileStatusSerializer(serializers.Serializer):
    sync_active = B()
    queue_size = I()
    last_sync = _opt(S)
    health = S()


class BffRunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = S()
    entity_type = S(allow_blank=True)
    status = S()
    progress_percentage = F()
    processed = I()
    failed = I()
    started_at = _opt(S)
    duration = _opt(F)


class BffRunsSerializer(serializers.Serializer):
    runs = BffRunSerializer(many=True)


class EventSerializer(serializers.Serializer):
    id = I()
    entity = S()
    zoho_id = S(allow_blank=True)
    event_type = S(allow_blank=True)
    received_at = S()
    processed_at = _opt(S)


class RecentSerializer(serializers.Serializer):
    runs = BffRunSerializer(many=True)
    events = EventSerializer(many=True)


class AlertSerializer(serializers.Serializer):
    id = I()
    severity = S()
    code = S()
    message = S()
    created_at = S()


class DashboardSerializer(serializers.Serializer):
    health_score = _opt(F)
    band = _opt(S)
    status = S()
    sync_active = B()
    counts = serializers.JSONField(help_text="queue, dead letters, workers and 24 h run figures")
    last_sync = _opt(S)
    active_runs = BffRunSerializer(many=True)
    last_runs = BffRunSerializer(many=True)
    alerts = AlertSerializer(many=True)
    checks = serializers.DictField(child=CheckSerializer())


class StockStatsInnerSerializer(serializers.Serializer):
    total_items_from_zoho = I()
    api_calls_made = I()
    products_updated = I()
    products_created = I()
    products_skipped = I()
    errors = serializers.ListField(child=S())


class StockResultSerializer(serializers.Serializer):
    success = B()
    stats = StockStatsInnerSerializer()
    duration_seconds = F()
    sync_run_id = serializers.UUIDField(allow_null=True)
    dry_run = B(required=False)


class StockStatsSerializer(serializers.Serializer):
    total_products = I()
    with_zoho_id = I()
    with_stock = I()
    total_stock_quantity = NumberField()
    last_sync_time = _opt(S)
    stale_products = I()
