"""Checking image bytes and storing them under products/ in the media storage.

Nothing that arrives from Zoho is trusted: the Content-Type, the size and the
bytes themselves (decoded by Pillow) must all say "image" before anything is
written. Files go through Django's storage API (default_storage): the local
folder (written atomically, tds_site/media_storage.py) or an S3 bucket, where
a PUT is atomic by nature; so a crash never leaves a half-written image
behind a live URL.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from tds_site.media_storage import TEMP_PREFIX

MAX_IMAGE_BYTES = 7 * 1024 * 1024  # Zoho's upload limit: nothing larger can be a real item image
THUMB_SIZE = 300
PRODUCTS_DIR = "products"
THUMBS_DIR = "thumbs"
STALE_TEMP_SECONDS = 3600
# A file name that needs no quoting in any storage's URL: url(products/<probe>) minus it is the prefix.
URL_PROBE = "probe"
ALLOWED_TYPES = {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/gif", "image/webp",
                 "image/bmp", "image/x-ms-bmp"}
# Zoho's exact image Content-Type is undocumented; a generic binary type is judged by the bytes alone.
GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream"}
FORMAT_EXT = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}


class ImageRefused(Exception):
    """The body is not an image we accept; `reason` is a short machine-readable tag."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class ImageMissing(Exception):
    """Zoho answered with a JSON "no such image" body (code 1002) instead of bytes."""


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    sha256: str
    fmt: str  # Pillow format name: JPEG, PNG, ...
    ext: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    image_url: str
    thumbnail_url: str
    written: bool  # False when identical bytes were already stored


def image_check(content: bytes, content_type: str, *, max_pixels: int | None = None) -> CheckedImage:
    """Validate a downloaded body; raise ImageRefused (or ImageMissing) with the reason."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRefused("too_large", f"{len(content)} bytes > {MAX_IMAGE_BYTES}")
    media_type = (content_type or "").split(";")[0].strip().lower()
    _refuse_text_bodies(content, media_type)
    if media_type not in ALLOWED_TYPES | GENERIC_TYPES:
        raise ImageRefused("bad_content_type", media_type or "(none)")
    fmt, width, height = _verify_bytes(content, max_pixels or Image.MAX_IMAGE_PIXELS)
    if fmt not in FORMAT_EXT:
        raise ImageRefused("unsupported_format", fmt)
    digest = hashlib.sha256(content).hexdigest()
    return CheckedImage(content, digest, fmt, FORMAT_EXT[fmt], width, height)


def _refuse_text_bodies(content: bytes, media_type: str) -> None:
    head = content[:64].lstrip().lower()
    if media_type.endswith("json") or head.startswith(b"{"):
        code, message = _json_error(content)
        if code == 1002:
            raise ImageMissing(message)
        raise ImageRefused("json_body", f"code {code}: {message}"[:200])
    if media_type.startswith("text/") or head.startswith((b"<!doctype", b"<html", b"<?xml")):
        raise ImageRefused("html_body", media_type or "(none)")


def _json_error(content: bytes) -> tuple[int | None, str]:
    try:
        body = json.loads(content)
    except ValueError:
        return None, "unparseable JSON"
    if not isinstance(body, dict):
        return None, "JSON body"
    code = body.get("code")
    return (code if isinstance(code, int) else None), str(body.get("message", ""))


def _verify_bytes(content: bytes, max_pixels: int | None) -> tuple[str, int, int]:
    try:
        with Image.open(io.BytesIO(content)) as im:
            fmt, (width, height) = im.format or "", im.size
            # Image.open only reads the header, so the pixel check happens before any decoding.
            if max_pixels is not None and width * height > max_pixels:  # None: Pillow's "no limit"
                raise ImageRefused("decompression_bomb", f"{width}x{height}")
            im.verify()
    except ImageRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageRefused("decompression_bomb", str(exc)[:200]) from exc
    except Exception as exc:  # Pillow raises many types for bad data
        raise ImageRefused("corrupt", f"{type(exc).__name__}: {exc}"[:200]) from exc
    return fmt, width, height


def thumbnail_bytes(image: CheckedImage) -> bytes:
    """A WebP of at most THUMB_SIZE px on the long side; decoding errors mean a corrupt body."""
    try:
        with Image.open(io.BytesIO(image.content)) as opened:
            im: Image.Image = opened
            im.draft("RGB", (THUMB_SIZE, THUMB_SIZE))  # JPEG: decode at reduced scale, far faster
            # Bilinear is antialiased when shrinking in Pillow and costs ~half of bicubic; reduce() first
            # makes multi-megapixel uploads cheap.
            im.thumbnail((THUMB_SIZE, THUMB_SIZE), resample=Image.Resampling.BILINEAR, reducing_gap=2.0)
            if im.mode not in ("RGB", "RGBA"):
                im = im.convert("RGBA" if _has_alpha(im) else "RGB")
            out = io.BytesIO()
            im.save(out, "WEBP", quality=80, method=0)  # fastest encoder effort; size differs by a few %
    except Exception as exc:  # verify() passes some truncated files that fail on decode
        raise ImageRefused("corrupt", f"{type(exc).__name__}: {exc}"[:200]) from exc
    return out.getvalue()


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("LA", "PA", "La") or (im.mode == "P" and "transparency" in im.info)


def image_file_name(item_id: str, name: str, image: CheckedImage) -> str:
    """item_<id>_<slug>-<hash10>.<ext>: readable, ASCII-safe, and never the name of another content.

    The short hash keeps a URL tied to one content: a changed image gets a new
    name (no stale browser caches) and never overwrites a file that another
    product may still share.
    """
    safe_id = slugify(str(item_id))[:40] or "0"
    slug = slugify(name)[:50].strip("-_") or "image"
    return f"item_{safe_id}_{slug}-{image.sha256[:10]}.{image.ext}"


def image_store(*, item_id: str, name: str, image: CheckedImage, thumb: bytes) -> StoredImage:
    """Write the image and its thumbnail through the media storage; return their public URLs.

    The image is written before its thumbnail and both before any product points at them, so a crash
    in between leaves at most an unreferenced file (orphan_cleanup removes it), never a broken URL.
    """
    file_name = image_file_name(item_id, name, image)
    thumb_name = file_name.rsplit(".", 1)[0] + ".webp"
    image_saved = _save(f"{PRODUCTS_DIR}/{file_name}", image.content)
    thumb_saved = _save(f"{PRODUCTS_DIR}/{THUMBS_DIR}/{thumb_name}", thumb)
    return StoredImage(image.sha256, default_storage.url(image_saved), default_storage.url(thumb_saved), written=True)


class StorageFailed(OSError):
    """The media storage refused a write or a read (a bucket's error, an unreachable endpoint)."""


def _storage(method: str, *args: object) -> Any:
    """default_storage.<method>(*args), its own errors (OSError, FileNotFoundError) as they are and a
    remote storage's (botocore's ClientError, EndpointConnectionError) as StorageFailed, an OSError:
    the image code already treats a full disk as "this image failed", and a bucket's refusal is the same."""
    try:
        return getattr(default_storage, method)(*args)
    except OSError:
        raise
    except Exception as exc:
        raise StorageFailed(f"media storage: {type(exc).__name__}: {exc}"[:300]) from exc


def _save(name: str, data: bytes) -> str:
    return str(_storage("save", name, ContentFile(data)))


def media_url(relative: str) -> str:
    """The public URL of products/<relative> in the media storage."""
    return default_storage.url(f"{PRODUCTS_DIR}/{relative}")


def url_to_name(url: str) -> str | None:
    """The storage name behind one of our URLs, or None for a URL we did not make."""
    prefix = media_url(URL_PROBE).removesuffix(URL_PROBE)
    if not url.startswith(prefix):
        return None
    relative = url[len(prefix):]
    if not relative or any(part in ("", ".", "..") for part in relative.split("/")) or "?" in relative:
        return None
    return f"{PRODUCTS_DIR}/{relative}"


def url_file_exists(url: str) -> bool:
    name = url_to_name(url)
    return bool(name and _storage("exists", name))


def stored_urls() -> set[str]:
    """The URLs of every stored image and thumbnail: one listing instead of a look-up per product."""
    return {media_url(relative) for relative in _listing() if not relative.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)}


def remove_url_file(url: str) -> bool:
    name = url_to_name(url)
    if name is None or not _storage("exists", name):
        return False
    _storage("delete", name)
    return True


def _listing() -> list[str]:
    """Files under products/ and products/thumbs/, relative to products/."""
    found: list[str] = []
    for folder, prefix in ((PRODUCTS_DIR, ""), (f"{PRODUCTS_DIR}/{THUMBS_DIR}", f"{THUMBS_DIR}/")):
        try:
            _dirs, files = _storage("listdir", folder)
        except FileNotFoundError:
            continue
        found.extend(prefix + file for file in files)
    return found


def _older_than(name: str, cutoff: datetime) -> bool:
    try:
        return bool(_storage("get_modified_time", name) < cutoff)
    except FileNotFoundError:  # removed meanwhile by a concurrent run
        return False


def _delete(name: str) -> bool:
    try:
        _storage("delete", name)
    except FileNotFoundError:
        return False
    return True


def stale_temp_cleanup(*, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove temp files left by a killed run (a live run's temp files are younger)."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    removed = 0
    for relative in _listing():
        name = f"{PRODUCTS_DIR}/{relative}"
        if relative.rsplit("/", 1)[-1].startswith(TEMP_PREFIX) and _older_than(name, cutoff) and _delete(name):
            removed += 1
    return removed


def orphan_cleanup(referenced: set[str], *, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove stored images no product refers to (left by a run killed between writing and saving).

    Only files older than `older_than` go: a concurrent run's fresh files are
    not in the database yet.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than)
    removed = 0
    for relative in _listing():
        name = f"{PRODUCTS_DIR}/{relative}"
        if not relative.rsplit("/", 1)[-1].startswith("item_") or media_url(relative) in referenced:
            continue
        if _older_than(name, cutoff) and _delete(name):
            removed += 1
    return removed
