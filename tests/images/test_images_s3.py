"""Product images in an S3 bucket (MEDIA_STORAGE=s3): moto's S3 server on loopback stands in for the bucket.

Every web and worker machine reaches the bucket, so the image sync writes there, the pages link there,
and nothing lands on the local disk.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

from sync.models.erp import Product
from sync.models.tds import SyncRun
from tds_site.media_storage import media_storage_from_env
from tests.images.helpers import images_run, media_files

BUCKET = "tds-media"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, media):
    """A fresh bucket, and settings made from the environment an operator would write."""
    for name, value in {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_S3_REGION_NAME": "us-east-1",
                        "AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_ADDRESSING_STYLE": "path"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    # What an operator sets once: the images are public (the pages link straight to them).
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_env()}
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", ()):
            client.delete_object(Bucket=BUCKET, Key=entry["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))


def image_calls(sandbox) -> int:
    return sum(n for endpoint, n in sandbox.calls.by_endpoint().items() if endpoint.rstrip("/").endswith("/image"))


def test_image_sync_stores_in_the_bucket_and_the_pages_link_there(loaded, bucket, s3_endpoint, media, staff_client):
    result = images_run(concurrency=4)

    assert result.ok and result.downloaded > 0 and result.failed == 0
    products = list(Product.objects.exclude(image_url=""))
    assert len(products) == result.downloaded + result.deduplicated
    assert media_files(media) == []  # nothing on this machine's disk
    stored = keys(bucket)
    assert stored and all(key.startswith("products/") for key in stored)
    for product in products:
        for url in (product.image_url, product.thumbnail_url):
            assert url.startswith(f"{s3_endpoint}/{BUCKET}/products/") and "Signature" not in url
            answer = requests.get(url, timeout=10)  # public URLs: no signature that could expire
            assert answer.status_code == 200, url
        assert hashlib.sha256(requests.get(product.image_url, timeout=10).content).hexdigest() == product.image_hash
        thumb = bucket.head_object(Bucket=BUCKET, Key=product.thumbnail_url.split(f"/{BUCKET}/", 1)[1])
        assert thumb["ContentType"] == "image/webp"

    page = staff_client.get("/tds-admin/images/")
    assert page.status_code == 200
    shown = page.content.decode()
    newest = Product.objects.exclude(image_url="").order_by("-image_synced_at").first()
    assert f'src="{newest.thumbnail_url}"' in shown


def test_a_second_run_lists_the_bucket_once_and_asks_zoho_nothing(loaded, bucket):
    first = images_run(concurrency=4)
    loaded.calls.reset()

    again = images_run(concurrency=4)

    assert again.ok and again.candidates == 0 and again.up_to_date == first.downloaded + first.deduplicated
    assert image_calls(loaded) == 0


def test_an_object_deleted_from_the_bucket_is_fetched_again(loaded, bucket):
    images_run(concurrency=4)
    product = Product.objects.exclude(image_url="").order_by("pk").first()
    key = product.image_url.split(f"/{BUCKET}/", 1)[1]
    bucket.delete_object(Bucket=BUCKET, Key=key)
    loaded.calls.reset()

    again = images_run(concurrency=4)

    assert again.ok and again.candidates >= 1
    assert key in keys(bucket)
    assert image_calls(loaded) == again.candidates


def test_an_image_removed_in_zoho_leaves_the_bucket(loaded, bucket):
    images_run(concurrency=4)
    product = Product.objects.exclude(image_url="").order_by("pk").first()
    gone = {product.image_url.split(f"/{BUCKET}/", 1)[1], product.thumbnail_url.split(f"/{BUCKET}/", 1)[1]}
    shared = Product.objects.filter(image_hash=product.image_hash).count()
    Product.objects.filter(pk=product.pk).update(image_name="", image_type="", image_document_id="")

    result = images_run()

    product.refresh_from_db()
    assert result.ok and result.cleared == 1 and product.image_url == ""
    if shared == 1:  # identical bytes of another product keep their files
        assert not gone & set(keys(bucket))


def test_an_unreachable_bucket_fails_the_run_with_the_reason_and_writes_nothing(loaded, bucket, settings, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_env()}

    with pytest.raises(OSError, match="media storage: EndpointConnectionError"):
        images_run(concurrency=2)

    run = SyncRun.objects.get(run_type="images")
    assert run.status == "failed" and "EndpointConnectionError" in run.error_message
    assert not Product.objects.exclude(image_url="").exists()
    assert keys(bucket) == []
    assert default_storage.__class__.__name__ == "S3MediaStorage"


def test_s3_without_a_bucket_is_refused_with_one_clear_line(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"):
        media_storage_from_env()
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "only-half")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="go together"):
        media_storage_from_env()


def test_the_local_folder_stays_the_default(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    assert media_storage_from_env() == {"BACKEND": "tds_site.media_storage.AtomicFileSystemStorage"}


def test_each_thread_of_the_image_pool_gets_its_own_bucket_object(bucket):
    import threading

    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(default_storage.bucket)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(b) for b in seen}) == 2 and default_storage.bucket is default_storage.bucket
