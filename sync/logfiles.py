"""Auto-sync logging: logs/tds_auto_sync.log (rotating) and one line per run in
logs/tds_auto_sync_summary.txt, both under settings.LOGS_DIR.

Dry runs write nothing to disk: their log lines go to the console
logger only, and no summary line is appended.
"""
from __future__ import annotations

import logging
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from django.conf import settings

from sync.logging import CorrelationIdFilter

FILE_LOGGER = "tds.auto_sync"
CONSOLE_LOGGER = "tds.compare"
LOG_NAME = "tds_auto_sync.log"
SUMMARY_NAME = "tds_auto_sync_summary.txt"
MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5

_lock = threading.Lock()


def _log_path() -> Path:
    return Path(settings.LOGS_DIR) / LOG_NAME


def _file_logger() -> logging.Logger:
    """The file logger, its handler attached once per process and per LOGS_DIR."""
    logger = logging.getLogger(FILE_LOGGER)
    path = _log_path()
    with _lock:
        if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
            for stale in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
                logger.removeHandler(stale)
                stale.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s [%(correlation_id)s] %(message)s"))
            handler.addFilter(CorrelationIdFilter())
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            # The command prints the report itself; the file is the record, not stderr.
            logger.propagate = False
    return logger


class RunLog:
    """Where one compare run's log lines go: the rotating file, or the console for a dry run."""

    def __init__(self, *, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.logger = logging.getLogger(CONSOLE_LOGGER) if dry_run else _file_logger()

    def info(self, message: str, *args: object) -> None:
        self.logger.info(message, *args)

    def warning(self, message: str, *args: object) -> None:
        self.logger.warning(message, *args)

    def error(self, message: str, *args: object) -> None:
        self.logger.error(message, *args)

    def summary(self, line: str) -> None:
        if self.dry_run:
            return
        path = Path(settings.LOGS_DIR) / SUMMARY_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")
