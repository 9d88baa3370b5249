"""The Zoho API budget: calls counted per quota day, and the quota Zoho last reported for that day."""
from __future__ import annotations

from django.db import models


class ApiUsage(models.Model):
    """Calls to Zoho on one quota day, by entity, trigger, endpoint and HTTP status (a counter row)."""

    day = models.DateField()  # the quota day, named by the UTC date on which it ends (its reset)
    entity = models.CharField(max_length=40)
    trigger = models.CharField(max_length=16)
    endpoint = models.CharField(max_length=120)
    status = models.CharField(max_length=8)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "tds_api_usage"
        constraints = [models.UniqueConstraint(fields=["day", "entity", "trigger", "endpoint", "status"],
                                               name="tds_api_usage_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.endpoint} {self.status}: {self.calls}"


class ApiQuotaDay(models.Model):
    """The daily quota as Zoho last reported it in X-Rate-Limit-* on the given quota day."""

    day = models.DateField(unique=True)
    quota_limit = models.PositiveIntegerField(null=True, blank=True)
    remaining = models.PositiveIntegerField(null=True, blank=True)
    reset_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tds_api_quota_days"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.remaining}/{self.quota_limit}"
