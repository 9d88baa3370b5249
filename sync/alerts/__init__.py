"""Alerts: conditions checked on a schedule, one tds_alerts row per condition while it lasts, notices."""
