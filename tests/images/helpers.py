"""Image bytes and media settings shared by the image tests."""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    from sync.images.result import ImageSyncResult


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (200, 30, 30),
                mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def media_files(root: Path) -> list[str]:
    """Every file under MEDIA_ROOT/products, relative, sorted (temp files included on purpose)."""
    base = root / "products"
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()) if base.exists() else []


def products_from_records(records: list[dict]) -> int:
    """Upsert Product rows from Zoho item records (the image-relevant columns only).

    The image tests and B6 need products without depending on the full pull;
    the columns written are the ones the sync engine fills from the same fields.
    """
    from sync.models.erp import Product

    rows = [Product(zoho_item_id=str(r["item_id"]), name=r.get("name") or "", sku=r.get("sku") or "",
                    image_name=r.get("image_name") or "", image_type=r.get("image_type") or "",
                    image_document_id=str(r.get("image_document_id") or ""), raw=r) for r in records]
    Product.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["zoho_item_id"],
                                update_fields=["name", "sku", "image_name", "image_type", "image_document_id", "raw"])
    return len(rows)


def images_run(**kwargs: Any) -> ImageSyncResult:
    """An image sync's image detail (downloaded, deduplicated, refusals, ...): its result's extra."""
    from sync.images.run import image_figures, images_sync

    return image_figures(images_sync(**kwargs))
