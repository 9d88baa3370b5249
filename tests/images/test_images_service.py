"""images_sync's bookkeeping with an in-process client (no HTTP): dedupe, refusals, threads.

The HTTP path is covered in test_images_sync.py against the sandbox; here a
stub client returns chosen bodies so identical bytes and bad bodies can be
arranged exactly.
"""
from __future__ import annotations

import threading

import pytest

from sync.images.run import image_coverage
from sync.models.erp import Product
from sync.models.tds import SyncLog, SyncRun
from tests.images.helpers import image_bytes, images_run, media_files
from zoho.errors import ZohoNotFound, ZohoTransientError
from zoho.images import ItemImage
from zoho.metrics import CallStats

pytestmark = pytest.mark.django_db


class StubClient:
    """get_item_image from a dict: item id -> ItemImage or exception (the image side of sync.zoho_port.ZohoPort)."""

    def __init__(self, bodies: dict[str, object]) -> None:
        self.bodies = bodies
        self.calls: list[str] = []
        self.stats = CallStats()
        self._lock = threading.Lock()

    def get_item_image(self, item_id: str, *, timeout: float | None = None) -> ItemImage:
        assert timeout == 30
        with self._lock:
            self.calls.append(item_id)
        self.stats.record_call("GET /inventory/v1/items/{id}/image", 0.0)
        body = self.bodies[item_id]
        if isinstance(body, Exception):
            raise body
        return body


def make_products(*ids: str) -> None:
    Product.objects.bulk_create([Product(zoho_item_id=i, name=f"Product {i}", image_name=f"p{i}.jpg",
                                         image_type="jpg", image_document_id=f"doc{i}") for i in ids])


def test_identical_bytes_are_stored_once_and_shared(media):
    make_products("1", "2", "3")
    same = ItemImage(image_bytes("PNG"), "image/png")
    client = StubClient({"1": same, "2": same, "3": ItemImage(image_bytes("JPEG"), "image/jpeg")})

    result = images_run(client=client, concurrency=3)

    urls = dict(Product.objects.values_list("zoho_item_id", "image_url"))
    assert (result.downloaded, result.deduplicated) == (2, 1)
    assert urls["1"] == urls["2"] != urls["3"]
    assert len([f for f in media_files(media) if not f.startswith("thumbs/")]) == 2
    assert len([f for f in media_files(media) if f.startswith("thumbs/")]) == 2


def test_a_shared_file_survives_when_one_of_its_products_changes(media):
    make_products("1", "2")
    same = ItemImage(image_bytes("PNG"), "image/png")
    images_run(client=StubClient({"1": same, "2": same}))
    shared = Product.objects.get(zoho_item_id="2").image_url

    Product.objects.filter(zoho_item_id="1").update(image_document_id="doc1-new")
    images_run(client=StubClient({"1": ItemImage(image_bytes("GIF"), "image/gif")}))

    assert Product.objects.get(zoho_item_id="2").image_url == shared
    assert (media / shared.removeprefix("/media/")).is_file()
    assert Product.objects.get(zoho_item_id="1").image_url.endswith(".gif")


def test_bad_bodies_are_refused_logged_and_retried_next_run(media):
    make_products("ok", "html", "big", "junk", "gone", "flaky")
    client = StubClient({
        "ok": ItemImage(image_bytes("JPEG"), "image/jpeg"),
        "html": ItemImage(b"<!DOCTYPE html><title>Zoho</title>", "text/html"),
        "big": ItemImage(b"\xff\xd8" + b"\0" * (8 * 1024 * 1024), "image/jpeg"),
        "junk": ItemImage(b"\x89PNG\r\n\x1a\n not really", "image/png"),
        "gone": ZohoNotFound("item image not found", http_status=404),
        "flaky": ZohoTransientError("HTTP 503 calling Zoho", http_status=503),
    })

    result = images_run(client=client, concurrency=4)

    assert (result.downloaded, result.refused, result.no_image, result.failed) == (1, 3, 1, 1)
    assert sorted((r["item_id"], r["reason"]) for r in result.refusals) == [
        ("big", "too_large"), ("html", "html_body"), ("junk", "corrupt")]
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.failed, run.skipped) == (SyncRun.Status.PARTIAL, 4, 1)
    logged = dict(SyncLog.objects.filter(run=run).values_list("zoho_id", "message"))
    assert logged == {"big": "image refused: too_large", "html": "image refused: html_body",
                      "junk": "image refused: corrupt", "flaky": "image download failed: ZohoTransientError"}
    retry = StubClient({k: client.bodies[k] for k in ("html", "big", "junk", "flaky")})
    images_run(client=retry)
    assert sorted(retry.calls) == ["big", "flaky", "html", "junk"]  # not "ok", not "gone"


def test_force_fetches_again_but_unchanged_bytes_write_nothing(media):
    make_products("1")
    body = ItemImage(image_bytes("WEBP"), "image/webp")
    images_run(client=StubClient({"1": body}))
    before = media_files(media)

    client = StubClient({"1": body})
    result = images_run(client=client, force=True)

    assert client.calls == ["1"] and (result.unchanged, result.downloaded) == (1, 0)
    assert media_files(media) == before


def test_items_option_limits_the_run(media):
    make_products("1", "2")
    client = StubClient({"2": ItemImage(image_bytes("BMP"), "image/bmp")})

    result = images_run(client=client, item_ids=["2"])

    assert client.calls == ["2"] and result.downloaded == 1
    assert Product.objects.get(zoho_item_id="2").image_url.endswith(".bmp")


def test_concurrency_comes_from_tds_configuration_before_the_environment(settings):
    from sync.config import config_clear_cache
    from sync.images.run import image_concurrency
    from sync.models.tds import Configuration

    settings.TDS_IMAGE_CONCURRENCY = 10
    assert image_concurrency() == 10
    Configuration.objects.create(key="TDS_IMAGE_CONCURRENCY", value=3)
    assert image_concurrency() == 3
    Configuration.objects.filter(key="TDS_IMAGE_CONCURRENCY").update(value=500)  # past the admin's check
    config_clear_cache()  # a queryset update sends no signal: the cache would keep 3 for a few seconds
    assert image_concurrency() == 10


def test_coverage_counts_missing_changed_and_unavailable(media):
    make_products("1", "2", "3", "4")
    Product.objects.create(zoho_item_id="5", name="No image in Zoho")
    images_run(client=StubClient({"1": ItemImage(image_bytes("PNG"), "image/png"),
                                   "2": ItemImage(image_bytes("JPEG"), "image/jpeg"),
                                   "3": ZohoNotFound("item image not found", http_status=404),
                                   "4": ZohoTransientError("HTTP 502", http_status=502)}))
    Product.objects.filter(zoho_item_id="2").update(image_document_id="doc2-new")

    coverage = image_coverage()

    assert (coverage.with_image_in_zoho, coverage.downloaded, coverage.missing, coverage.changed,
            coverage.unavailable) == (4, 1, 1, 1, 1)
    assert coverage.pct == round(100 * 1 / 3, 1)


def test_the_django_q_task_runs_the_sync_and_returns_its_counts(media, monkeypatch):
    from sync import tasks
    from sync.images import run as images

    make_products("1")
    monkeypatch.setattr(images, "_default_client", lambda: StubClient({"1": ItemImage(image_bytes(), "image/jpeg")}))

    summary = tasks.sync_images()

    # Every run's task answers its RunResult; the image detail is in its extra.
    assert (summary["created"], summary["status"], summary["extra"]["images"]["downloaded"]) == (1, "completed", 1)
    assert SyncRun.objects.get(pk=summary["run_id"]).trigger == SyncRun.Trigger.SCHEDULE


def test_a_spent_daily_quota_stops_the_run_instead_of_asking_for_every_image(media):
    from zoho.errors import ZohoQuotaExceeded

    make_products("1", "2", "3")
    client = StubClient({"1": ZohoQuotaExceeded("daily API limit reached", code=45, reset_seconds=3600)})

    result = images_run(client=client, concurrency=1)

    assert client.calls == ["1"] and (result.failed, result.waiting) == (0, 3) and not result.ok
    assert result.failures == [] and result.resume_at and "ZohoQuotaExceeded" in result.waiting_reason
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.failed, run.summary["resume_at"]) == ("deferred", 0, result.resume_at)


def test_an_interrupted_run_keeps_what_it_downloaded_and_is_marked_failed(media):
    make_products("1", "2", "3", "4")
    client = StubClient({i: ItemImage(image_bytes(size=(50 + int(i), 50)), "image/jpeg") for i in "1234"})

    def interrupt(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        images_run(client=client, concurrency=1, progress=interrupt)

    saved = Product.objects.exclude(image_url="").count()
    assert saved >= 2  # the worker may have finished one more image before it saw the stop
    run = SyncRun.objects.get()
    assert (run.status, run.error_message) == (SyncRun.Status.FAILED, "KeyboardInterrupt: ")
    assert images_run(client=client).downloaded == 4 - saved


def test_a_full_run_removes_old_files_no_product_refers_to(media):
    import os
    import time

    make_products("1")
    images_run(client=StubClient({"1": ItemImage(image_bytes(), "image/jpeg")}))
    folder = media / "products"
    old_orphan, fresh_orphan = folder / "item_9_lost-0123456789.jpg", folder / "thumbs" / "item_9_new-0123456789.webp"
    old_orphan.write_bytes(b"x")
    fresh_orphan.write_bytes(b"x")
    past = time.time() - 7200
    os.utime(old_orphan, (past, past))
    kept = set(media_files(media)) - {"item_9_lost-0123456789.jpg"}

    result = images_run(client=StubClient({}))

    assert result.files_removed == 1 and set(media_files(media)) == kept


def test_the_run_row_and_the_returned_result_count_an_image_run_alike(media):
    from sync.ledger import COUNTERS
    from sync.pull.derived import images_pass

    make_products("1", "2", "3", "4")
    same = ItemImage(image_bytes("PNG"), "image/png")
    client = StubClient({"1": same, "2": same, "3": ZohoNotFound("no image"),
                         "4": ItemImage(b"not an image", "image/png")})
    result = images_pass(client=client, dry_run=False, trigger="manual")
    row = SyncRun.objects.get(pk=result.run_id)
    assert {n: getattr(row, n) for n in COUNTERS} == {n: getattr(result, n) for n in COUNTERS}
    # A deduplicated image stores no file: unchanged, in both.
    assert (result.created, result.unchanged, result.skipped, result.failed, result.status) == (1, 1, 1, 1, "partial")
    assert result.processed == result.created + result.unchanged + result.skipped + result.failed
    assert row.status == result.status
