"""Image sync never fetches (nor stores) a picture from a host off the allow-list, over real HTTP.

A hostile Zoho in front of the sandbox redirects every image download, or names a confusing
api_domain; a recorder on 127.0.0.2 stands for the foreign host.
"""
from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sync.models.erp import Product
from tests.images.helpers import images_run, media_files, products_from_records
from tests.zoho.hostilekit import CORPUS, HostileZoho, Recorder
from zoho.auth import clear_token_cache

pytestmark = pytest.mark.django_db
VARIANTS = {v.id: v for v in CORPUS}
SAMPLE = ["backslash-userinfo", "hash-at-off-list-first", "encoded-slash-then-off-list", "ipv4-mapped-ipv6",
          "decimal-ipv4", "short-ipv4", "trailing-dot-off-list", "ideographic-dots", "scheme-relative",
          "plain-off-list"]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server
        assert server.requests == [], "a request reached the host off the list"


@pytest.fixture
def hostile(sandbox, settings, media) -> Iterator[HostileZoho]:
    cfg = sandbox.config
    with HostileZoho(sandbox.url) as proxy:
        settings.ZOHO_SANDBOX, settings.ZOHO_ACCOUNTS_URL = True, proxy.url
        settings.ZOHO_CLIENT_ID, settings.ZOHO_CLIENT_SECRET = cfg.client_id, cfg.client_secret
        settings.ZOHO_REFRESH_TOKEN, settings.ZOHO_ORGANIZATION_ID = cfg.refresh_token, cfg.organization_id
        settings.ZOHO_RATE_LIMIT_PER_MINUTE = 0
        products_from_records(sandbox.store.list("items"))
        clear_token_cache()
        yield proxy
        clear_token_cache()


@pytest.mark.parametrize("variant_id", SAMPLE)
def test_a_confusing_image_redirect_stores_nothing(variant_id, hostile, recorder, media):
    hostile.redirect_path = "/inventory/v1/items/"
    hostile.redirect_to = VARIANTS[variant_id].url(recorder.port, hostile.authority) + "/picture/image.png"

    result = images_run(concurrency=2)

    assert result.candidates > 0 and result.failed == result.candidates and result.downloaded == 0
    assert {failure["reason"] for failure in result.failures} == {"ZohoHostRefused"}
    assert media_files(media) == [] and not Product.objects.exclude(image_url="").exists()


def test_with_an_honest_proxy_the_same_run_stores_the_images(hostile, recorder, media):
    result = images_run(concurrency=2)

    assert result.downloaded > 0 and result.failed == 0 and media_files(media)


def test_the_command_says_in_one_line_why_a_confusing_api_domain_stopped_it(hostile, recorder):
    hostile.api_domain = VARIANTS["backslash-userinfo"].url(recorder.port, hostile.authority)

    with pytest.raises(CommandError) as failed:
        call_command("tds_sync_images", stdout=StringIO())

    message = str(failed.value)
    assert message == (f"image sync failed: ZohoHostRefused: the token answer's api_domain points at "
                       f"127.0.0.2:{recorder.port}\\@{hostile.authority}: backslash in the address; refused")
