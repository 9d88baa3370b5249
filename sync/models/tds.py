"""The tds_* tables: inbox, queue, runs, logs, dead letters, cursors, audit, alerts, metrics, config."""
from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sync.models.choices import RunStatus, RunTrigger, RunType
from sync.models.readable import ReadableJSONDecoder
from sync.tunables import config_validate


class ImmutableError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class InboxEvent(models.Model):
    class Source(models.TextChoices):
        WEBHOOK = "webhook"
        POLL = "poll"
        MANUAL = "manual"

    class Status(models.TextChoices):
        RECEIVED = "received"
        QUEUED = "queued"
        PROCESSED = "processed"
        REJECTED = "rejected"
        FAILED = "failed"

    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEBHOOK)
    entity = models.CharField(max_length=40)
    zoho_id = models.CharField(max_length=64, blank=True, db_index=True)
    event_type = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, decoder=ReadableJSONDecoder)
    signature_valid = models.BooleanField(null=True)
    signature_method = models.CharField(max_length=16, blank=True)
    dedupe_key = models.CharField(max_length=128, unique=True)
    zoho_last_modified = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    correlation_id = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tds_inbox_events"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="tds_inbox_status_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.entity}:{self.zoho_id}"


class SyncQueueItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        COMPLETED = "completed"
        FAILED = "failed"
        DEAD = "dead"

    class Operation(models.TextChoices):
        UPSERT = "upsert"
        DELETE = "delete"
        REFRESH = "refresh"

    entity = models.CharField(max_length=40)
    zoho_id = models.CharField(max_length=64, blank=True)
    operation = models.CharField(max_length=16, choices=Operation.choices, default=Operation.UPSERT)
    payload = models.JSONField(default=dict, decoder=ReadableJSONDecoder)
    priority = models.PositiveSmallIntegerField(default=5)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=128, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    zoho_last_modified = models.DateTimeField(null=True, blank=True)
    inbox_event = models.ForeignKey(InboxEvent, null=True, blank=True, on_delete=models.SET_NULL)
    correlation_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tds_sync_queue"
        ordering = ["priority", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=10), name="tds_queue_priority_1_10"),
        ]
        indexes = [
            # The claim query: pending work by priority, due now.
            models.Index(fields=["status", "priority", "next_attempt_at"], name="tds_queue_claim_idx"),
            # The reaper: processing items whose lease ran out.
            models.Index(fields=["status", "locked_until"], name="tds_queue_lease_idx"),
            models.Index(fields=["entity", "zoho_id"], name="tds_queue_record_idx"),
            # Throughput windows and the purge of old completed items.
            models.Index(fields=["status", "completed_at"], name="tds_queue_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}:{self.zoho_id} ({self.status})"


class SyncRun(models.Model):
    Status = RunStatus
    Trigger = RunTrigger
    Type = RunType

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run_type = models.CharField(max_length=24, choices=RunType.choices, default=RunType.INCREMENTAL)
    entity = models.CharField(max_length=40, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(default=False)
    configuration = models.JSONField(default=dict, blank=True, decoder=ReadableJSONDecoder)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    correlation_id = models.CharField(max_length=32, blank=True, db_index=True)
    error_message = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True, decoder=ReadableJSONDecoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Written with every update of a running run: a run whose process died stops beating.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tds_sync_runs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["entity", "-created_at"], name="tds_runs_entity_idx"),
            # API filters and reads: by type (last compare), status (active runs), trigger.
            models.Index(fields=["run_type", "-created_at"], name="tds_runs_type_idx"),
            models.Index(fields=["status", "-created_at"], name="tds_runs_status_idx"),
            models.Index(fields=["trigger", "-created_at"], name="tds_runs_trigger_idx"),
            models.Index(fields=["entity", "status"], name="tds_runs_entity_status_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="tds_runs_heartbeat_idx"),
            # The overview's last hour: what runs wrote and which failed, by the minute they finished.
            models.Index(fields=["finished_at"], name="tds_runs_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run_type} {self.entity or 'all'} {self.status}"


class SyncLog(models.Model):
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.CASCADE, related_name="logs")
    level = models.CharField(max_length=10, default="INFO")
    entity = models.CharField(max_length=40, blank=True)
    zoho_id = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    extra = models.JSONField(default=dict, blank=True, decoder=ReadableJSONDecoder)
    correlation_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "tds_sync_logs"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.level} {self.message[:60]}"


class DeadLetter(models.Model):
    class ErrorClass(models.TextChoices):
        TRANSIENT = "transient"
        PERMANENT = "permanent"

    class Resolution(models.TextChoices):
        RETRIED = "retried"
        AUTO_RETRIED = "auto_retried"
        DISCARDED = "discarded"
        PURGED = "purged"

    queue_item = models.ForeignKey(SyncQueueItem, null=True, blank=True, on_delete=models.SET_NULL)
    entity = models.CharField(max_length=40)
    zoho_id = models.CharField(max_length=64, blank=True)
    operation = models.CharField(max_length=16, default="upsert")
    payload = models.JSONField(default=dict, decoder=ReadableJSONDecoder)
    error_class = models.CharField(max_length=16, choices=ErrorClass.choices)
    error_type = models.CharField(max_length=128, blank=True)
    error_message = models.TextField()
    traceback = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    auto_retries = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    correlation_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "tds_dead_letter_queue"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["resolved", "error_class", "next_retry_at"], name="tds_dlq_retry_idx"),
            models.Index(fields=["entity", "resolved"], name="tds_dlq_entity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}:{self.zoho_id} {self.error_class}"


class SyncCursor(models.Model):
    entity = models.CharField(max_length=40, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_full_run_at = models.DateTimeField(null=True, blank=True)
    last_incremental_run_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tds_sync_cursors"
        ordering = ["entity"]

    def __str__(self) -> str:
        return f"{self.entity} @ {self.watermark}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("The audit trail is immutable: entries cannot be updated.")

    def delete(self):
        raise ImmutableError("The audit trail is immutable: entries cannot be deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        RESTORE = "restore"

    entity = models.CharField(max_length=40)
    zoho_id = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=Action.choices)
    field = models.CharField(max_length=64, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=16, default="pull")
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False)
    inbox_event = models.ForeignKey(
        InboxEvent, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    correlation_id = models.CharField(max_length=32, blank=True)
    # Who made a change by hand (a configuration change: entity "configuration", the key as zoho_id);
    # empty for sync work. A database default too: bulk writers that name no actor keep working.
    actor = models.CharField(max_length=150, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        db_table = "tds_audit_trail"
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["entity", "zoho_id"], name="tds_audit_record_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.entity}:{self.zoho_id} {self.field}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("The audit trail is immutable: entries cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("The audit trail is immutable: entries cannot be deleted.")


class Alert(models.Model):
    class Severity(models.TextChoices):
        INFO = "info"
        WARNING = "warning"
        CRITICAL = "critical"

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved"

    severity = models.CharField(max_length=16, choices=Severity.choices)
    code = models.CharField(max_length=64)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Notification bookkeeping: when the last notice went out, how many, and the last failure to send
    # (one line per channel that failed, and when; kept when later notices go through).
    notified_at = models.DateTimeField(null=True, blank=True)
    notifications = models.PositiveIntegerField(default=0)
    notify_error = models.TextField(blank=True)
    notify_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tds_alerts"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "severity"], name="tds_alerts_status_idx"),
                   # The overview's "last notice failed" line reads the newest notice.
                   models.Index(fields=["notified_at"], name="tds_alerts_notified_idx")]
        constraints = [
            # One row per condition while it lasts: a second open row of the same code cannot exist.
            models.UniqueConstraint(fields=["code"], condition=~Q(status="resolved"), name="tds_alerts_one_live"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.code}"

    @property
    def notice_failing(self) -> bool:
        """The last notice failed on some channel (not only an earlier one)."""
        return self.notify_failed_at is not None and self.notify_failed_at == self.notified_at


class Metric(models.Model):
    class Period(models.TextChoices):
        MINUTE = "minute"
        HOUR = "hour"
        DAY = "day"

    name = models.CharField(max_length=100)
    # value is a sum over `samples` observations: a counter's increment, or a gauge's readings (mean = value/samples)
    value = models.FloatField()
    samples = models.PositiveIntegerField(default=1)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MINUTE)
    labels = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "tds_metrics"
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["name", "recorded_at"], name="tds_metrics_name_idx"),
                   models.Index(fields=["period", "recorded_at"], name="tds_metrics_period_idx")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Configuration(models.Model):
    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField()
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tds_configuration"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        """A row of anything but a declared run-time tunable (sync/tunables.py), or a value its schema or checks
        refuse, is refused."""
        config_validate(self.key, self.value)

