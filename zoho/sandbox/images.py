"""Real item image bytes drawn with Pillow: deterministic per item and image version, cached."""
from __future__ import annotations

import hashlib
import io
import threading

from PIL import Image, ImageDraw

FORMATS = {"jpg": ("JPEG", "image/jpeg"), "jpeg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"),
           "webp": ("WEBP", "image/webp")}
FULL_SIZE = 300
PREVIEW_SIZE = 120


class ImageCache:
    def __init__(self) -> None:
        self._images: dict[tuple[str, str, int, bool], bytes] = {}
        self._lock = threading.Lock()

    def get(self, item_id: str, image_type: str, version: int, *, preview: bool = False) -> tuple[bytes, str]:
        fmt, content_type = FORMATS.get(image_type, FORMATS["jpg"])
        key = (item_id, image_type, version, preview)
        with self._lock:
            body = self._images.get(key)
        if body is None:
            body = draw(item_id, version, fmt, PREVIEW_SIZE if preview else FULL_SIZE)
            with self._lock:
                self._images[key] = body
        return body, content_type


def draw(item_id: str, version: int, fmt: str, size: int) -> bytes:
    """A product-card-like picture whose colours and shapes follow from the item id and version."""
    digest = hashlib.sha256(f"{item_id}:{version}".encode()).digest()
    background = (200 + digest[0] % 56, 200 + digest[1] % 56, 200 + digest[2] % 56)
    image = Image.new("RGB", (size, size), background)
    pen = ImageDraw.Draw(image)
    for index in range(4):
        a, b, c, d = (digest[4 + index * 4 + k] * size // 256 for k in range(4))
        colour = (digest[20 + index] % 200, digest[24 + index] % 200, digest[28 + index] % 200)
        box = (min(a, c), min(b, d), max(a, c) + size // 10, max(b, d) + size // 10)
        (pen.ellipse if index % 2 else pen.rectangle)(box, fill=colour)
    pen.text((size // 20, size - size // 8), f"{item_id[-6:]} v{version}", fill=(0, 0, 0))
    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 80}, "WEBP": {"quality": 80, "method": 1}}.get(fmt, {})
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
