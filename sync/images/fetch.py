"""Downloading and storing one product image (runs in worker threads).

Workers never touch the database: they fetch, check, thumbnail and write
files, and hand back an Outcome that the caller applies in bulk.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sync.images.plan import ImageJob
from sync.images.store import (
    CheckedImage,
    ImageMissing,
    ImageRefused,
    StoredImage,
    image_check,
    image_store,
    thumbnail_bytes,
    url_file_exists,
)
from sync.zoho_port import ImagePort
from zoho.errors import ZohoError, ZohoNotFound

logger = logging.getLogger("sync.images")
IMAGE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    job: ImageJob
    kind: str  # downloaded | deduplicated | unchanged | no_image | refused | failed | waiting
    stored: StoredImage | None = None
    reason: str = ""
    detail: str = ""
    size: int = 0
    resume_epoch: float | None = None  # waiting: when Zoho's "not now" stops applying (None: not said)


class ContentIndex:
    """sha256 → stored URLs, shared by the workers so identical bytes are written once.

    The first worker to see a hash writes the files; others with the same hash
    wait for it and reuse its URLs.
    """

    def __init__(self, known: dict[str, tuple[str, str]]) -> None:
        self._known = dict(known)
        self._pending: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def store(self, job: ImageJob, image: CheckedImage) -> StoredImage:
        while True:
            with self._lock:
                reused = self._reusable(image.sha256)
                if reused:
                    return reused
                event = self._pending.get(image.sha256)
                if event is None:
                    self._pending[image.sha256] = threading.Event()
                    break
            event.wait()
        try:
            stored = image_store(item_id=job.item_id, name=job.name, image=image, thumb=thumbnail_bytes(image))
            with self._lock:
                self._known[image.sha256] = (stored.image_url, stored.thumbnail_url)
            return stored
        finally:
            with self._lock:
                self._pending.pop(image.sha256).set()

    def _reusable(self, sha256: str) -> StoredImage | None:
        urls = self._known.get(sha256)
        if urls and url_file_exists(urls[0]) and url_file_exists(urls[1]):
            return StoredImage(sha256, urls[0], urls[1], written=False)
        return None


def image_fetch(client: ImagePort, job: ImageJob, index: ContentIndex) -> Outcome:
    """Download, check and store one image; every failure becomes an Outcome, never an exception."""
    try:
        response = client.get_item_image(job.item_id, timeout=IMAGE_TIMEOUT_SECONDS)
    except ZohoNotFound:
        return Outcome(job, "no_image")
    except ZohoError as exc:
        kind = "waiting" if exc.waits else "failed"  # tokens refused, quota spent, circuit open: not this image's fault
        return Outcome(job, kind, reason=type(exc).__name__, detail=str(exc)[:300], resume_epoch=exc.resume_epoch)
    size = len(response.content)
    try:
        checked = image_check(response.content, response.content_type)
        stored = index.store(job, checked)
    except ImageMissing:
        return Outcome(job, "no_image", size=size)
    except ImageRefused as exc:
        return Outcome(job, "refused", reason=exc.reason, detail=exc.detail, size=size)
    except OSError as exc:  # disk full, permissions: the run reports it, other images go on
        return Outcome(job, "failed", reason="storage_error", detail=str(exc)[:300], size=size)
    return Outcome(job, _stored_kind(job, stored), stored=stored, size=size)


def _stored_kind(job: ImageJob, stored: StoredImage) -> str:
    if stored.written:
        return "downloaded"
    return "unchanged" if stored.sha256 == job.old_hash else "deduplicated"
