"""The one table the Zoho client owns: the shared call pacing when Redis is not configured."""
from django.db import models


class RateLimitWindow(models.Model):
    """Shared Zoho call counter per organization and minute when Redis is not configured."""

    key = models.CharField(max_length=128, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "tds_rate_limits"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
