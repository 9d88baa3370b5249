"""The engine's clients all satisfy ZohoPort, and a page stream stops fetching when closed."""
from __future__ import annotations

import pytest

from sync.zoho_port import ImagePort, ZohoPort
from tests.compare.fakes import FakeClient
from tests.images.test_images_service import StubClient
from tests.zoho.clientkit import make_client
from zoho.errors import ZohoNotFound


def test_the_real_client_and_the_engine_fake_satisfy_the_port():
    assert isinstance(make_client(), ZohoPort)
    assert isinstance(FakeClient({}), ZohoPort)


def test_the_image_stub_serves_image_sync_only():
    assert isinstance(StubClient({}), ImagePort)
    assert not isinstance(StubClient({}), ZohoPort)


def test_closing_a_page_stream_stops_fetching_pages():
    client = FakeClient({"/items": [{"item_id": str(i)} for i in range(5)]})
    pages = client.paginate("inventory", "/items", list_key="items", per_page=2)
    assert [r["item_id"] for r in next(pages).records] == ["0", "1"]
    pages.close()
    assert list(pages) == []
    assert client.stats.total == 1


def test_the_fake_answers_item_details_and_has_no_images():
    client = FakeClient({"/items": [{"item_id": "1", "name": "A"}, {"item_id": "2", "name": "B"}]})
    assert client.item_details(["2"]) == [{"item_id": "2", "name": "B"}]
    with pytest.raises(ZohoNotFound):
        client.get_item_image("1", timeout=5)
    assert client.stats.total == 2
