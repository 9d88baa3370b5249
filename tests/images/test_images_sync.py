"""images_sync over real HTTP against the Zoho sandbox."""
from __future__ import annotations

from pathlib import Path

import pytest
import responses
from PIL import Image

from sync.images import store as images_store
from sync.images.run import image_coverage
from sync.models.erp import Product
from sync.models.tds import SyncLog, SyncRun
from tds_site import media_storage
from tests.images.helpers import images_run, media_files, products_from_records


def image_calls(sb) -> int:
    return sum(n for endpoint, n in sb.calls.by_endpoint().items() if endpoint.rstrip("/").endswith("/image"))


def with_image(sb) -> list[dict]:
    return [r for r in sb.store.list("items") if r.get("image_name") or r.get("image_document_id")]


def path_of(media: Path, url: str) -> Path:
    return media / url.removeprefix("/media/")


def test_every_zoho_image_lands_with_its_real_type_and_a_thumbnail(loaded, media):
    expected = {str(r["item_id"]) for r in with_image(loaded)}
    assert expected, "the sandbox should give most items an image"

    result = images_run(concurrency=4)

    assert (result.downloaded + result.deduplicated, result.refused, result.failed) == (len(expected), 0, 0)
    assert image_calls(loaded) == len(expected) == result.candidates
    for product in Product.objects.exclude(image_url=""):
        assert product.zoho_item_id in expected
        with Image.open(path_of(media, product.image_url)) as im:
            assert images_store.FORMAT_EXT[im.format] == product.image_url.rsplit(".", 1)[1]
        with Image.open(path_of(media, product.thumbnail_url)) as thumb:
            assert thumb.format == "WEBP" and max(thumb.size) <= 300
        assert len(product.image_hash) == 64 and product.image_synced_at is not None
    assert Product.objects.exclude(image_url="").count() == len(expected)
    assert image_coverage().pct == 100.0


def test_an_immediate_rerun_makes_no_image_call(loaded):
    first = images_run(concurrency=4)
    loaded.calls.reset()

    again = images_run(concurrency=4)

    assert first.downloaded > 0
    assert (again.candidates, again.downloaded, again.api_calls, image_calls(loaded)) == (0, 0, 0, 0)
    assert again.up_to_date == first.downloaded + first.deduplicated


def test_a_changed_image_is_fetched_again_and_the_old_file_removed(loaded, media):
    images_run(concurrency=4)
    item_id = str(with_image(loaded)[0]["item_id"])
    before = Product.objects.get(zoho_item_id=item_id)

    loaded.store.change_image(item_id)
    products_from_records(loaded.store.list("items"))
    loaded.calls.reset()
    result = images_run(concurrency=4)

    after = Product.objects.get(zoho_item_id=item_id)
    assert (result.candidates, result.downloaded, image_calls(loaded)) == (1, 1, 1)
    assert after.image_hash != before.image_hash and after.image_url != before.image_url
    assert not path_of(media, before.image_url).exists() and not path_of(media, before.thumbnail_url).exists()
    assert path_of(media, after.image_url).is_file() and path_of(media, after.thumbnail_url).is_file()
    assert result.files_removed == 2


def test_an_image_named_in_zoho_but_not_served_counts_as_no_image_once(loaded):
    item = next(r for r in loaded.store.list("items") if not r.get("image_name"))
    Product.objects.filter(zoho_item_id=item["item_id"]).update(image_name="ghost.jpg", image_type="jpg")

    result = images_run(item_ids=[item["item_id"]])
    again = images_run(item_ids=[item["item_id"]])

    assert (result.no_image, result.failed, result.refused, result.api_calls) == (1, 0, 0, 1)
    assert again.api_calls == 0
    assert SyncRun.objects.get(pk=result.run_id).status == SyncRun.Status.COMPLETED
    assert image_coverage().unavailable == 1


def test_dry_run_downloads_and_writes_nothing(loaded, media):
    result = images_run(dry_run=True)

    assert result.dry_run and len(result.would_fetch) == len(with_image(loaded))
    assert image_calls(loaded) == 0 and media_files(media) == []
    assert not SyncRun.objects.exists() and not Product.objects.exclude(image_url="").exists()


def test_a_crash_while_writing_leaves_no_partial_file_and_the_next_run_recovers(loaded, media, monkeypatch):
    real_replace = media_storage.os.replace

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(media_storage.os, "replace", disk_full)
    broken = images_run(concurrency=4)
    assert broken.failed == broken.candidates > 0 and not broken.ok
    assert media_files(media) == []  # not even a temp file
    assert not Product.objects.exclude(image_url="").exists()
    assert SyncLog.objects.filter(run_id=broken.run_id, level="ERROR").count() == broken.failed

    monkeypatch.setattr(media_storage.os, "replace", real_replace)
    fixed = images_run(concurrency=4)
    assert fixed.failed == 0 and fixed.downloaded + fixed.deduplicated == broken.candidates


def test_a_product_whose_zoho_image_was_removed_loses_its_local_copy(loaded, media):
    images_run(concurrency=4)
    product = Product.objects.exclude(image_url="").first()
    old = (path_of(media, product.image_url), path_of(media, product.thumbnail_url))
    Product.objects.filter(pk=product.pk).update(image_name="", image_type="", image_document_id="")

    result = images_run()

    product.refresh_from_db()
    assert (result.cleared, result.api_calls, product.image_url, product.image_hash) == (1, 0, "", "")
    assert not old[0].exists() and not old[1].exists()


def test_the_run_is_recorded_with_counts_and_api_calls(loaded):
    result = images_run(concurrency=4)

    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.run_type, run.status, run.created, run.api_calls) == (
        "images", SyncRun.Status.COMPLETED, result.downloaded, result.api_calls)
    assert run.summary["images"]["coverage"]["pct"] == 100.0


@pytest.mark.parametrize("concurrency", [1, 8])
def test_concurrency_does_not_change_the_outcome(loaded, media, concurrency):
    result = images_run(concurrency=concurrency)
    assert result.failed == 0 and result.downloaded + result.deduplicated == len(with_image(loaded))


def test_bad_bodies_over_http_are_refused_and_reported(loaded, media):
    """The sandbox only serves good images, so `responses` swaps in four bad bodies; the rest is real HTTP."""
    html, corrupt, huge, json_error, good = (str(r["item_id"]) for r in with_image(loaded)[:5])
    bodies = {html: (b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html; charset=UTF-8"),
              json_error: (b'{"code": 2, "message": "Invalid value passed for item_id"}', "application/json"),
              corrupt: (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x13" * 500, "image/jpeg"),
              huge: (b"\x89PNG\r\n\x1a\n" + b"\0" * (7 * 1024 * 1024 + 1), "image/png")}
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add_passthru(loaded.url)
        for item_id, (body, ctype) in bodies.items():
            mock.add(responses.GET, f"{loaded.url}/inventory/v1/items/{item_id}/image", body=body,
                     content_type=ctype)
        result = images_run(item_ids=[html, corrupt, huge, json_error, good])

    assert (result.downloaded, result.refused, result.failed) == (1, 3, 1)
    assert result.failures[0]["item_id"] == json_error  # a JSON error body is an error, not an image
    assert {r["item_id"]: r["reason"] for r in result.refusals} == {
        html: "html_body", corrupt: "corrupt", huge: "too_large"}
    logged = set(SyncLog.objects.filter(run_id=result.run_id).values_list("zoho_id", "level"))
    assert logged == {(html, "WARNING"), (corrupt, "WARNING"), (huge, "WARNING"), (json_error, "ERROR")}
    assert Product.objects.exclude(image_url="").get().zoho_item_id == good
    assert SyncRun.objects.get(pk=result.run_id).status == SyncRun.Status.PARTIAL


def test_with_the_real_pull_a_changed_image_in_zoho_is_fetched_again(sandbox, zoho_settings, media, db):
    """The sync engine fills products; images follow Zoho's image identity through an incremental pull."""
    from sync.pull.run import pull_entity
    from zoho.client import get_client

    # The pull's prefetch thread would otherwise wait on SQLite's lock held by this test's transaction.
    get_client().tokens.token()
    assert pull_entity(entity="items", full=True).status == "completed"
    first = images_run(concurrency=4)
    item_id = str(with_image(sandbox)[1]["item_id"])
    old_url = Product.objects.get(zoho_item_id=item_id).image_url

    sandbox.store.change_image(item_id)
    pull_entity(entity="items")
    sandbox.calls.reset()
    again = images_run(concurrency=4)

    assert first.downloaded + first.deduplicated == len(with_image(sandbox))
    assert (again.downloaded, image_calls(sandbox)) == (1, 1)
    assert Product.objects.get(zoho_item_id=item_id).image_url != old_url
    assert not path_of(media, old_url).exists()


def test_a_shared_image_is_unchanged_in_the_row_the_returned_result_and_the_command(loaded, monkeypatch):
    """Two Zoho items with the same picture: stored once. The second is deduplicated, and the run's
    row, the result images_sync returns and the command's closing line count it alike: unchanged."""
    import re
    from io import StringIO

    from django.core.management import call_command

    from sync.images.run import image_figures, images_sync
    from sync.ledger import COUNTERS

    by_type: dict[str, list[str]] = {}
    for record in with_image(loaded):
        by_type.setdefault(record["image_type"], []).append(str(record["item_id"]))
    first, second = next(ids for ids in by_type.values() if len(ids) >= 2)[:2]
    drawn = loaded.app.images.get
    monkeypatch.setattr(loaded.app.images, "get", lambda item_id, *args, **kwargs: drawn(
        first if item_id == second else item_id, *args, **kwargs))
    returned = []

    def kept(**kwargs):
        returned.append(images_sync(**kwargs))
        return returned[-1]

    monkeypatch.setattr("sync.management.commands.tds_sync_images.images_sync", kept)
    out = StringIO()
    call_command("tds_sync_images", "--items", first, second, "--concurrency", "1", stdout=out)

    result = returned[0]
    row = SyncRun.objects.get(pk=result.run_id)
    figures = image_figures(result)
    assert (figures.downloaded, figures.deduplicated, image_calls(loaded)) == (1, 1, 2)
    assert {n: getattr(row, n) for n in COUNTERS} == {n: getattr(result, n) for n in COUNTERS}
    assert (result.created, result.unchanged, result.processed, result.status) == (1, 1, 2, "completed")
    printed = re.search(r"created (\d+), unchanged (\d+), skipped (\d+), failed (\d+)$", out.getvalue(), re.M)
    assert printed and tuple(map(int, printed.groups())) == (row.created, row.unchanged, row.skipped, row.failed)
