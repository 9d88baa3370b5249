"""Sandbox item images: real bytes that decode, with the matching Content-Type."""
from __future__ import annotations

import io

from PIL import Image

from tests.zoho.sandboxkit import Api

PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def test_images_decode_and_match_their_content_type(sandbox) -> None:
    api = Api(sandbox)
    items = [i for i in sandbox.store.list("items") if i["image_name"]]
    seen = set()
    for item in items[:25]:
        response = api.get(f"/items/{item['item_id']}/image")
        content_type = response.headers["Content-Type"]
        image = Image.open(io.BytesIO(response.content))
        image.load()
        assert image.format == PIL_FORMATS[content_type]
        assert item["image_name"].endswith(item["image_type"])
        seen.add(content_type)
    assert len(seen) >= 2
    again = api.get(f"/items/{items[0]['item_id']}/image").content
    assert again == api.get(f"/items/{items[0]['item_id']}/image").content


def test_preview_is_smaller_and_an_item_without_image_is_404(sandbox) -> None:
    api = Api(sandbox)
    item = next(i for i in sandbox.store.list("items") if i["image_name"])
    full = Image.open(io.BytesIO(api.get(f"/items/{item['item_id']}/image").content))
    preview = Image.open(io.BytesIO(api.get(f"/items/{item['item_id']}/image", preview="true").content))
    assert preview.size[0] < full.size[0]
    bare = next(i for i in sandbox.store.list("items") if not i["image_name"])
    response = api.get(f"/items/{bare['item_id']}/image")
    assert response.status_code == 404 and response.json()["code"] == 1002
