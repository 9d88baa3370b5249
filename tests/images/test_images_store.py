"""Checking and storing image bytes, without any network."""
from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from sync.images import store as images_store
from sync.images.store import ImageMissing, ImageRefused, image_check, image_file_name, thumbnail_bytes
from tds_site import media_storage
from tests.images.helpers import image_bytes, media_files


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    return tmp_path


@pytest.mark.parametrize(("fmt", "ctype", "ext"), [
    ("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("GIF", "image/gif", "gif"),
    ("WEBP", "image/webp", "webp"), ("BMP", "image/bmp", "bmp"),
])
def test_every_zoho_format_is_accepted_with_its_real_extension(fmt, ctype, ext):
    checked = image_check(image_bytes(fmt), ctype)
    assert (checked.fmt, checked.ext, checked.width, checked.height) == (fmt, ext, 640, 480)


def test_a_generic_binary_type_is_judged_by_the_bytes():
    assert image_check(image_bytes("GIF"), "application/octet-stream").ext == "gif"


def test_extension_follows_the_bytes_not_the_header():
    assert image_check(image_bytes("PNG"), "image/jpeg").ext == "png"


@pytest.mark.parametrize(("body", "ctype", "reason"), [
    (b"<!DOCTYPE html><html><body>Login</body></html>", "text/html; charset=utf-8", "html_body"),
    (b"<html>oops</html>", "image/jpeg", "html_body"),
    (b'{"code": 57, "message": "You are not authorized to perform this operation"}', "application/json",
     "json_body"),
    (b"\xff\xd8\xff\xe0 definitely not a jpeg" * 10, "image/jpeg", "corrupt"),
    (b"GIF89a", "image/gif", "corrupt"),
    (image_bytes("PNG"), "application/pdf", "bad_content_type"),
    (image_bytes("PNG"), "", "bad_content_type"),
    (b"%PDF-1.7 not an image", "application/octet-stream", "corrupt"),
    (image_bytes("TIFF"), "image/jpeg", "unsupported_format"),
])
def test_bodies_that_are_not_images_are_refused_with_a_reason(body, ctype, reason):
    with pytest.raises(ImageRefused) as caught:
        image_check(body, ctype)
    assert caught.value.reason == reason


def test_json_1002_body_means_no_image():
    with pytest.raises(ImageMissing):
        image_check(b'{"code": 1002, "message": "Image does not exist."}', "application/json;charset=UTF-8")


def test_body_over_seven_megabytes_is_refused_before_decoding():
    with pytest.raises(ImageRefused) as caught:
        image_check(b"\x89PNG" + b"\0" * (7 * 1024 * 1024), "image/png")
    assert caught.value.reason == "too_large"


def test_decompression_bomb_is_refused_from_the_header(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(ImageRefused) as caught:
        image_check(image_bytes("PNG", size=(400, 400)), "image/png")
    assert caught.value.reason == "decompression_bomb"


def test_truncated_jpeg_is_refused_when_thumbnailing():
    body = image_bytes("JPEG", size=(800, 800))
    checked = image_check(body[: len(body) // 2], "image/jpeg")  # verify() is lenient on JPEG
    with pytest.raises(ImageRefused) as caught:
        thumbnail_bytes(checked)
    assert caught.value.reason == "corrupt"


@pytest.mark.parametrize(("fmt", "size", "mode"), [
    ("JPEG", (1200, 600), "RGB"), ("PNG", (200, 900), "RGBA"), ("GIF", (500, 500), "P"), ("BMP", (120, 80), "RGB"),
])
def test_thumbnail_is_webp_at_most_300_px(fmt, size, mode):
    thumb = thumbnail_bytes(image_check(image_bytes(fmt, size=size, mode=mode), f"image/{fmt.lower()}"))
    with Image.open(io.BytesIO(thumb)) as im:
        assert im.format == "WEBP"
        assert max(im.size) == min(300, max(size))


def test_file_name_is_ascii_safe_bounded_and_tied_to_content():
    checked = image_check(image_bytes("PNG"), "image/png")
    name = image_file_name("4815000000044080", "حقيبة ../../etc/passwd " + "x" * 300, checked)
    assert name.startswith("item_4815000000044080_etcpasswd-xxx") and name.endswith(f"-{checked.sha256[:10]}.png")
    assert name.isascii() and "/" not in name and len(name) < 120
    assert image_file_name("7", "كاميرا", checked).startswith("item_7_image-")


def test_store_writes_image_and_thumbnail_under_products(media):
    checked = image_check(image_bytes("JPEG"), "image/jpeg")
    stored = images_store.image_store(item_id="1", name="Red Bag", image=checked, thumb=thumbnail_bytes(checked))
    assert stored.image_url == f"/media/products/item_1_red-bag-{checked.sha256[:10]}.jpg"
    assert stored.thumbnail_url == f"/media/products/thumbs/item_1_red-bag-{checked.sha256[:10]}.webp"
    assert (media / stored.image_url.removeprefix("/media/")).read_bytes() == checked.content
    assert images_store.url_file_exists(stored.thumbnail_url)


def test_crash_mid_write_leaves_no_partial_file(media, monkeypatch):
    def dying_replace(src, dst):
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(media_storage.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        default_storage.save("products/item_1_x.jpg", ContentFile(b"partial bytes"))
    assert media_files(media) == []


def test_urls_outside_our_folder_are_never_touched(media):
    (media / "secret.txt").write_text("keep")
    assert images_store.remove_url_file("/media/products/../secret.txt") is False
    assert images_store.remove_url_file("/static/secret.txt") is False
    assert (media / "secret.txt").exists()


def test_stale_temp_files_from_a_killed_run_are_cleaned(media):
    folder = media / "products"
    folder.mkdir()
    old, young = folder / ".tmp-old", folder / ".tmp-young"
    old.write_bytes(b"x")
    young.write_bytes(b"x")
    past = time.time() - 2 * images_store.STALE_TEMP_SECONDS
    os.utime(old, (past, past))
    assert images_store.stale_temp_cleanup() == 1
    assert media_files(media) == [".tmp-young"]
