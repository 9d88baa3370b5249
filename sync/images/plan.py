"""Which product images need a download, and how complete the local copy is.

A product's Zoho image identity is its (image_document_id, image_name,
image_type); `image_source_key` remembers the identity the local file was
downloaded for. Comparing the two is free: no API call is spent on a product
whose image has not changed or that has no image in Zoho.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sync.images.store import stored_urls
from sync.models.erp import Product

PLAN_FIELDS = ("pk", "zoho_item_id", "name", "image_name", "image_type", "image_document_id",
               "image_url", "thumbnail_url", "image_hash", "image_source_key")


@dataclass(frozen=True)
class ImageJob:
    pk: int
    item_id: str
    name: str
    source_key: str
    why: str  # missing | changed | missing_file | forced
    old_hash: str = ""
    old_image_url: str = ""
    old_thumbnail_url: str = ""


@dataclass(frozen=True)
class Clearing:
    """A product whose Zoho record lost its image: the local copy goes too."""

    pk: int
    item_id: str
    old_image_url: str
    old_thumbnail_url: str


@dataclass
class ImagePlan:
    jobs: list[ImageJob]
    clearings: list[Clearing]
    up_to_date: int = 0
    unavailable: int = 0  # Zoho named an image but answered "no image" for this identity


@dataclass(frozen=True)
class Coverage:
    with_image_in_zoho: int
    downloaded: int
    missing: int
    changed: int
    unavailable: int

    @property
    def pct(self) -> float:
        """Share of the images Zoho can serve that are stored locally."""
        servable = self.with_image_in_zoho - self.unavailable
        return 100.0 if servable <= 0 else round(100.0 * self.downloaded / servable, 1)

    def as_dict(self) -> dict[str, float | int]:
        return {"with_image_in_zoho": self.with_image_in_zoho, "downloaded": self.downloaded,
                "missing": self.missing, "changed": self.changed, "unavailable": self.unavailable,
                "pct": self.pct}


def image_source_key(*, image_document_id: str, image_name: str, image_type: str) -> str:
    """The identity of a product's Zoho image, or "" when the record has none."""
    if not (image_document_id or image_name):
        return ""
    return f"{image_document_id}|{image_name}|{image_type}"


def _key(row: dict) -> str:
    return image_source_key(image_document_id=row["image_document_id"] or "",
                            image_name=row["image_name"] or "", image_type=row["image_type"] or "")


def _products(item_ids: Iterable[str] | None) -> QuerySet:
    qs = Product.objects.filter(deleted_in_zoho_at__isnull=True)
    if item_ids is not None:
        qs = qs.filter(zoho_item_id__in=[str(i) for i in item_ids])
    return qs.order_by("pk")


def images_plan(*, force: bool = False, item_ids: Iterable[str] | None = None) -> ImagePlan:
    """Sort products into: to download, to clear, up to date."""
    plan = ImagePlan(jobs=[], clearings=[])
    # One listing of the storage, not a look-up per product (each one a request when media are in S3).
    stored = _Listing()
    for row in _products(item_ids).values(*PLAN_FIELDS).iterator(chunk_size=2000):
        key = _key(row)
        if not key:
            if row["image_url"] or row["image_source_key"]:
                plan.clearings.append(Clearing(row["pk"], row["zoho_item_id"], row["image_url"],
                                               row["thumbnail_url"]))
            continue
        why = _why_download(row, key, force=force, stored=stored)
        if why:
            plan.jobs.append(_job(row, key, why))
        elif row["image_url"]:
            plan.up_to_date += 1
        else:
            plan.unavailable += 1
    return plan


class _Listing:
    """The stored URLs, listed on first use (a plan with nothing stored to check lists nothing)."""

    def __init__(self) -> None:
        self._urls: set[str] | None = None

    def __contains__(self, url: object) -> bool:
        if self._urls is None:
            self._urls = stored_urls()
        return url in self._urls


def _why_download(row: dict, key: str, *, force: bool, stored: _Listing) -> str:
    if force:
        return "forced"
    if row["image_source_key"] != key:
        return "changed" if row["image_source_key"] else "missing"
    if row["image_url"] and not (row["image_url"] in stored and row["thumbnail_url"] in stored):
        return "missing_file"
    return ""


def _job(row: dict, key: str, why: str) -> ImageJob:
    return ImageJob(pk=row["pk"], item_id=row["zoho_item_id"], name=row["name"], source_key=key, why=why,
                    old_hash=row["image_hash"], old_image_url=row["image_url"],
                    old_thumbnail_url=row["thumbnail_url"])


def image_coverage() -> Coverage:
    """Products with a local image against products whose Zoho record has one.

    Counts come from the database only (no file-system walk), so the compare
    report and the dashboard can call it on every page view.
    """
    has_zoho_image = ~(Q(image_document_id="") & Q(image_name=""))
    qs = Product.objects.filter(has_zoho_image, deleted_in_zoho_at__isnull=True)
    total = qs.count()
    never = qs.filter(image_source_key="").count()
    downloaded = current = unavailable = 0
    for row in qs.exclude(image_source_key="").values(*PLAN_FIELDS[3:]).iterator(chunk_size=2000):
        if _key(row) != row["image_source_key"]:
            continue
        current += 1
        if row["image_url"]:
            downloaded += 1
        else:
            unavailable += 1
    changed = total - never - current
    return Coverage(with_image_in_zoho=total, downloaded=downloaded, missing=never, changed=changed,
                    unavailable=unavailable)


def zoho_image_key(record: dict) -> str:
    """The image identity of a Zoho item record as the API returns it ("" when it has no image)."""
    return image_source_key(image_document_id=str(record.get("image_document_id") or ""),
                            image_name=record.get("image_name") or "", image_type=record.get("image_type") or "")
