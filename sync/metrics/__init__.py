"""tds_metrics: points written as the engine works (batched), rollups, retention and /metrics."""
from sync.metrics.points import counter_add, gauge_set, observe, points_flush

__all__ = ["counter_add", "gauge_set", "observe", "points_flush"]
