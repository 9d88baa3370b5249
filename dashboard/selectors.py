"""Read-only queries for the dashboard pages."""
from __future__ import annotations

from sync.models import DeadLetter, Product, SyncQueueItem, SyncRun


def overview_counts() -> dict[str, int]:
    return {
        "products": Product.objects.count(),
        "queue_pending": SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PENDING).count(),
        "dead_letters": DeadLetter.objects.filter(resolved=False).count(),
        "runs": SyncRun.objects.count(),
    }
