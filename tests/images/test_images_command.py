"""manage.py tds_sync_images: what the operator sees."""
from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sync.images import run as images
from sync.models.tds import SyncRun
from tests.images.helpers import image_bytes, media_files
from tests.images.test_images_service import StubClient, make_products
from zoho.errors import ZohoTransientError
from zoho.images import ItemImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(monkeypatch):
    client = StubClient({"1": ItemImage(image_bytes("JPEG"), "image/jpeg"),
                         "2": ItemImage(b"<html>login</html>", "text/html")})
    monkeypatch.setattr(images, "_default_client", lambda: client)
    make_products("1", "2")
    return client


def run(*args: str) -> str:
    out = StringIO()
    call_command("tds_sync_images", *args, stdout=out)
    return out.getvalue()


def test_summary_table_and_refusal_lines(stub, media):
    output = run("--concurrency", "2")

    assert "refused item 2: html_body" in output
    assert re.search(r"^downloaded\s+1$", output, re.M) and re.search(r"^refused\s+1$", output, re.M)
    assert "API calls" in output and "image sync done, run" in output
    assert "images: 2/2" in output  # plain progress lines when not on a terminal
    assert SyncRun.objects.get().trigger == SyncRun.Trigger.CLI


def test_dry_run_prints_what_would_be_fetched_and_writes_nothing(stub, media):
    output = run("--dry-run")

    assert "would fetch item 1 (missing): Product 1" in output
    assert "dry run: 2 image(s) would be fetched" in output
    assert stub.calls == [] and media_files(media) == [] and not SyncRun.objects.exists()


def test_failed_downloads_exit_non_zero_with_one_line(stub, media):
    stub.bodies["1"] = ZohoTransientError("HTTP 503 calling Zoho", http_status=503)

    with pytest.raises(CommandError, match=r"^1 image download\(s\) failed; see the run's logs"):
        run("--items", "1")


def test_bad_concurrency_is_refused(stub):
    with pytest.raises(CommandError, match="--concurrency must be between 1 and 64"):
        run("--concurrency", "0")


def test_unknown_item_ids_are_named(stub, media):
    err = StringIO()
    call_command("tds_sync_images", "--items", "1", "999", stdout=StringIO(), stderr=err)

    assert err.getvalue().strip() == "not in products (pull items first): 999"
    assert stub.calls == ["1"]


def test_refused_while_another_image_sync_runs(stub, media):
    from sync.schedules import IMAGE_SYNC, schedule_lock

    with schedule_lock(IMAGE_SYNC) as held:
        assert held
        with pytest.raises(CommandError, match="another image sync is running"):
            run()
    assert stub.calls == [] and not SyncRun.objects.exists()
    assert "downloaded" in run()  # the lock is gone with the other run
