"""The processes that do the work, as they report themselves, and the switches they obey.

Each django-q2 cluster, each of its worker processes and each ``tds_worker`` writes its own
heartbeat row; a row beaten recently is a live process, whatever the broker (the ORM broker keeps
django-q2's own cluster stats in a per-process cache, where no other process can read them).
A pause switch is one row per kind of work, read by the workers and the scheduled tasks.
"""
from __future__ import annotations

from django.db import models


class ProcessHeartbeat(models.Model):
    class Kind(models.TextChoices):
        CLUSTER = "cluster"            # a manage.py qcluster (or tds_scheduler) process
        CLUSTER_WORKER = "q_worker"    # one of a cluster's worker processes
        WORKER = "worker"              # a manage.py tds_worker process

    key = models.CharField(max_length=200, unique=True)  # host:pid:token, unique across machines
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    parent_pid = models.PositiveIntegerField(null=True, blank=True)  # a cluster worker's: the cluster's guard
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    current = models.CharField(max_length=255, blank=True)  # the task or run it is busy with
    current_since = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "tds_heartbeats"
        ordering = ["kind", "host", "pid"]
        indexes = [models.Index(fields=["beat_at"], name="tds_heartbeat_beat_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.host}:{self.pid}"


class PauseSwitch(models.Model):
    class Name(models.TextChoices):
        QUEUE = "queue", "Queue drain"
        SCHEDULES = "schedules", "Schedules"

    name = models.CharField(max_length=16, primary_key=True, choices=Name.choices)
    paused = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        db_table = "tds_pause_switches"

    def __str__(self) -> str:
        return f"{self.name} {'paused' if self.paused else 'running'}"
