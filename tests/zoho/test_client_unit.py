"""ZohoClient edge cases pinned with `responses` (no network)."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from tests.zoho.clientkit import (
    API,
    BOOKS,
    INVENTORY,
    ORG,
    TOKEN_URL,
    FakeTime,
    Sleeps,
    ZohoLogs,
    add_token,
    api_calls,
    envelope,
    make_client,
    token_calls,
)
from zoho.auth import clear_token_cache
from zoho.errors import (
    ZohoAuthError,
    ZohoNotFound,
    ZohoOrganizationError,
    ZohoPermanentError,
    ZohoQuotaExceeded,
    ZohoRateLimitError,
    ZohoTransientError,
)

ITEMS = f"{INVENTORY}/items"
QUOTA_45 = {"code": 45,
            "message": "The API call for this organization has exceeded the maximum call rate limit of 1000."}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        add_token(mock)
        yield mock


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlparse(call.request.url).query)


def test_get_sends_token_header_and_organization_id(rsps):
    rsps.get(f"{BOOKS}/invoices/123", json=envelope(invoice={"invoice_id": "123"}))
    payload = make_client().get("books", "/invoices/123")
    assert payload["invoice"] == {"invoice_id": "123"}
    call = api_calls(rsps)[0]
    assert call.request.headers["Authorization"] == "Zoho-oauthtoken tok-1"
    assert query(call)["organization_id"] == [ORG]


def test_records_pass_through_untouched_empty_numbers_and_both_stock_shapes(rsps):
    warehouses = {"item_id": "1", "rate": "", "warehouses": [{"warehouse_id": "9", "warehouse_stock_on_hand": ""}]}
    locations = {"item_id": "2", "rate": 5, "locations": [{"location_id": "8", "location_stock_on_hand": ""}]}
    rsps.get(ITEMS, json=envelope(items=[warehouses, locations], page_context={"page": 1, "has_more_page": False}))
    pages = list(make_client().paginate("inventory", "/items", list_key="items"))
    assert pages[0].records == [warehouses, locations]
    assert pages[0].records[0]["rate"] == ""


def test_pagination_follows_has_more_page_at_200_per_page(rsps):
    for number, more in ((1, True), (2, True), (3, False)):
        rsps.get(ITEMS, match=[responses.matchers.query_param_matcher(
            {"page": str(number), "per_page": "200", "organization_id": ORG, "sort_column": "last_modified_time"})],
            json=envelope(items=[{"item_id": f"{number}-{i}"} for i in range(2)],
                          page_context={"page": number, "per_page": 200, "has_more_page": more}))
    pages = make_client().paginate("inventory", "/items", list_key="items",
                                   params={"sort_column": "last_modified_time"}, per_page=500)
    seen = [(page.number, page.has_more, [r["item_id"] for r in page.records]) for page in pages]
    assert seen == [(1, True, ["1-0", "1-1"]), (2, True, ["2-0", "2-1"]), (3, False, ["3-0", "3-1"])]


def test_missing_list_key_is_a_permanent_error(rsps):
    rsps.get(ITEMS, json=envelope(contacts=[]))
    with pytest.raises(ZohoPermanentError, match="no 'items' list"):
        next(make_client().paginate("inventory", "/items", list_key="items"))


def test_item_details_chunks_ids(rsps):
    rsps.get(f"{INVENTORY}/itemdetails", json=envelope(items=[{"item_id": "x"}]))
    ids = [str(n) for n in range(250)]
    records = make_client().item_details(ids + ["0"], chunk_size=100)
    chunks = [query(call)["item_ids"][0].split(",") for call in api_calls(rsps)]
    assert [len(chunk) for chunk in chunks] == [100, 100, 50]
    assert sum(chunks, []) == ids
    assert len(records) == 3


@pytest.mark.parametrize("status", [200, 400])
def test_code_6024_raises_organization_error_at_once(rsps, status):
    rsps.get(ITEMS, status=status, json={"code": 6024, "message": "This user belongs to multiple organizations"})
    with pytest.raises(ZohoOrganizationError) as info:
        make_client().get("inventory", "/items")
    assert "multiple organizations" in str(info.value) and "6024" in str(info.value)
    assert len(api_calls(rsps)) == 1


@pytest.mark.parametrize("status", [200, 404])
def test_code_1002_raises_not_found_at_once(rsps, status):
    rsps.get(f"{BOOKS}/invoices/9", status=status, json={"code": 1002, "message": "Invoice does not exist."})
    with pytest.raises(ZohoNotFound, match="Invoice does not exist"):
        make_client().get("books", "/invoices/9")
    assert len(api_calls(rsps)) == 1


def test_other_4xx_is_permanent_with_zohos_message(rsps):
    rsps.get(ITEMS, status=400, json={"code": 2, "message": "Invalid value passed for sort_column"})
    with pytest.raises(ZohoPermanentError) as info:
        make_client().get("inventory", "/items")
    assert not info.value.transient
    assert str(info.value) == "Invalid value passed for sort_column (code 2, HTTP 400, GET /inventory/v1/items)"


def test_malformed_json_is_transient_and_retried(rsps):
    rsps.get(ITEMS, body='{"code":0,"message":"success","items":[{"item_i')
    rsps.get(ITEMS, json=envelope(items=[]))
    assert make_client().get("inventory", "/items")["items"] == []
    assert len(api_calls(rsps)) == 2


def test_server_error_retried_then_succeeds_with_backoff(rsps):
    sleeps = Sleeps()
    rsps.get(ITEMS, status=500, json={"code": 1000, "message": "Internal error"})
    rsps.get(ITEMS, status=503, body="Service Unavailable")
    rsps.get(ITEMS, json=envelope(items=[]))
    client = make_client(sleep=sleeps, retry_base=0.1, retry_max=10)
    assert client.get("inventory", "/items")["code"] == 0
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.1 and 0 <= sleeps[1] <= 0.2
    assert client.stats.retries == 2 and client.stats.total == 3


def test_retry_exhaustion_raises_the_last_transient_error(rsps):
    rsps.get(ITEMS, status=502, body="Bad Gateway")
    client = make_client(retry_attempts=3)
    with pytest.raises(ZohoTransientError) as info:
        client.get("inventory", "/items")
    assert info.value.transient and info.value.http_status == 502
    assert len(api_calls(rsps)) == 3
    assert client.stats.errors == {"ZohoTransientError": 1}


def test_network_error_is_transient_with_a_short_reason(rsps):
    rsps.get(ITEMS, body=requests.ConnectionError("Failed to establish a new connection: Connection refused"))
    with pytest.raises(ZohoTransientError, match="connection refused calling Zoho"):
        make_client(retry_attempts=2).get("inventory", "/items")


def test_code_44_waits_the_rate_limit_pause_then_retries(rsps):
    sleeps = Sleeps()
    rsps.get(ITEMS, status=429, json={"code": 44, "message": "exceeded the maximum number of requests per minute"})
    rsps.get(ITEMS, json=envelope(items=[]))
    client = make_client(sleep=sleeps, rate_limit_wait=61.0)
    client.get("inventory", "/items")
    assert sleeps == [61.0]


def test_code_1070_gets_a_short_jittered_retry(rsps):
    sleeps = Sleeps()
    rsps.get(ITEMS, status=429, json={"code": 1070, "message": "maximum number of in process requests"})
    rsps.get(ITEMS, json=envelope(items=[]))
    make_client(sleep=sleeps, retry_base=0.5).get("inventory", "/items")
    assert len(sleeps) == 1 and 0.5 <= sleeps[0] <= 1.5


def test_code_45_waits_for_a_near_reset(rsps):
    sleeps = FakeTime()
    rsps.get(ITEMS, status=429, json=QUOTA_45, headers={"X-Rate-Limit-Reset": "3", "X-Rate-Limit-Limit": "1000",
                                                        "X-Rate-Limit-Remaining": "0"})
    rsps.get(ITEMS, json=envelope(items=[]))
    make_client(sleep=sleeps, quota_max_wait=10).get("inventory", "/items")
    assert sleeps == [4.0]


def test_code_45_with_a_far_reset_raises_quota_exceeded(rsps):
    rsps.get(ITEMS, status=429, json=QUOTA_45, headers={"X-Rate-Limit-Reset": "34881"})
    with pytest.raises(ZohoQuotaExceeded) as info:
        make_client(quota_max_wait=300).get("inventory", "/items")
    assert info.value.reset_seconds == 34881 and info.value.code == 45 and info.value.transient
    assert len(api_calls(rsps)) == 1


def test_quota_headers_are_exposed_and_the_reserve_stops_calls_early(rsps):
    headers = {"X-Rate-Limit-Limit": "7,500", "X-Rate-Limit-Remaining": "40", "X-Rate-Limit-Reset": "34881"}
    rsps.get(ITEMS, json=envelope(items=[]), headers=headers)
    client = make_client(daily_quota_reserve=50, quota_max_wait=60)
    client.get("inventory", "/items")
    assert (client.quota.limit, client.quota.remaining, client.quota.reset_seconds) == (7500, 40, 34881)
    with pytest.raises(ZohoQuotaExceeded, match="40 of 7500 calls left"):
        client.get("inventory", "/items")
    assert len(api_calls(rsps)) == 1


def test_rate_limit_error_classes():
    assert issubclass(ZohoRateLimitError, ZohoTransientError)
    assert issubclass(ZohoQuotaExceeded, ZohoTransientError)
    assert ZohoAuthError("x").transient is False


def test_code_57_refreshes_the_token_once_then_succeeds(rsps):
    add_token(rsps, "tok-2")
    rsps.get(ITEMS, status=401, json={"code": 57, "message": "You are not authorized to perform this operation"})
    rsps.get(ITEMS, json=envelope(items=[]))
    client = make_client()
    client.get("inventory", "/items")
    assert len(token_calls(rsps)) == 2
    assert [c.request.headers["Authorization"] for c in api_calls(rsps)] == ["Zoho-oauthtoken tok-1",
                                                                              "Zoho-oauthtoken tok-2"]
    assert client.stats.token_refreshes == 2


def test_code_57_twice_raises_auth_error_after_one_refresh(rsps):
    rsps.get(ITEMS, status=401, json={"code": 57, "message": "You are not authorized to perform this operation"})
    with pytest.raises(ZohoAuthError, match="not authorized"):
        make_client().get("inventory", "/items")
    assert len(token_calls(rsps)) == 2 and len(api_calls(rsps)) == 2


def test_scope_refusal_does_not_refresh_again_for_the_same_endpoint(rsps):
    rsps.get(f"{ITEMS}/1/image", status=401, json={"code": 57, "message": "You are not authorized"})
    rsps.get(f"{ITEMS}/2/image", status=401, json={"code": 57, "message": "You are not authorized"})
    client = make_client()
    for item_id in ("1", "2"):
        with pytest.raises(ZohoAuthError):
            client.get_item_image(item_id)
    assert len(token_calls(rsps)) == 2 and len(api_calls(rsps)) == 3


def test_refresh_token_is_never_replaced_by_an_answer(rsps):
    rsps.replace(responses.POST, TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": API,
                       "refresh_token": "1000.attacker"})
    rsps.get(ITEMS, status=401, json={"code": 14, "message": "Invalid value passed for authtoken."})
    rsps.get(ITEMS, json=envelope(items=[]))
    make_client().get("inventory", "/items")
    sent = [parse_qs(call.request.body)["refresh_token"] for call in token_calls(rsps)]
    assert sent == [["1000.refresh-token-value"], ["1000.refresh-token-value"]]


def test_image_bytes_and_content_type(rsps):
    rsps.get(f"{ITEMS}/5/image", body=b"\x89PNG\r\n\x1a\nrest", content_type="image/png")
    image = make_client().get_item_image("5")
    assert image.content.startswith(b"\x89PNG") and image.content_type == "image/png"


@pytest.mark.parametrize("status,body", [
    (200, {"code": 1002, "message": "Item does not exist."}),
    (404, {"code": 1002, "message": "Item does not exist."}),
    (200, {"code": 0, "message": "success"}),
])
def test_image_json_answers_are_not_images(rsps, status, body):
    rsps.get(f"{ITEMS}/5/image", status=status, json=body)
    with pytest.raises(ZohoNotFound):
        make_client().get_item_image("5", timeout=3)


def test_image_json_error_keeps_its_class(rsps):
    rsps.get(f"{ITEMS}/5/image", status=200, body=json.dumps({"code": 57, "message": "not authorized"}),
             content_type="text/plain")
    with pytest.raises(ZohoAuthError):
        make_client().get_item_image("5")


def test_image_404_without_body_is_not_found(rsps):
    rsps.get(f"{ITEMS}/5/image", status=404, body=b"")
    with pytest.raises(ZohoNotFound):
        make_client().get_item_image("5")


def test_organization_picks_the_configured_org(rsps):
    orgs = [{"organization_id": "1", "name": "Other"}, {"organization_id": ORG, "name": "Zillum"}]
    rsps.get(f"{BOOKS}/organizations", json=envelope(organizations=orgs))
    assert make_client().organization()["name"] == "Zillum"


def test_organization_missing_from_the_list_is_an_organization_error(rsps):
    rsps.get(f"{BOOKS}/organizations", json=envelope(organizations=[{"organization_id": "1", "name": "Other"}]))
    with pytest.raises(ZohoOrganizationError, match=ORG):
        make_client().organization()


def test_stats_count_calls_per_endpoint_and_latency(rsps):
    rsps.get(f"{ITEMS}/4815000000044208", json=envelope(item={}))
    rsps.get(f"{ITEMS}/4815000000044209", json=envelope(item={}))
    client = make_client()
    client.get("inventory", "/items/4815000000044208")
    client.get("inventory", "/items/4815000000044209")
    assert client.stats.by_endpoint == {"GET /inventory/v1/items/{id}": 2}
    assert client.stats.total == 2 and client.stats.latency.count == 2
    assert client.stats.latency.max >= client.stats.latency.p50 >= 0


def test_code_45_blocks_further_calls_without_asking_zoho(rsps):
    rsps.get(ITEMS, status=429, json=QUOTA_45, headers={"X-Rate-Limit-Reset": "34881"})
    client = make_client(quota_max_wait=300)
    for _ in range(2):
        with pytest.raises(ZohoQuotaExceeded):
            client.get("inventory", "/items")
    assert len(api_calls(rsps)) == 1


def test_retries_are_logged_with_the_endpoint_and_no_token(rsps, caplog):
    rsps.get(ITEMS, status=500, json={"code": 1000, "message": "Internal error"})
    rsps.get(ITEMS, json=envelope(items=[]))
    with ZohoLogs(caplog) as logs:
        make_client().get("inventory", "/items")
    assert "Internal error (code 1000, HTTP 500, GET /inventory/v1/items)); retry 1/3" in logs.text
    assert "GET /inventory/v1/items -> HTTP 200" in logs.text
    assert "tok-1" not in logs.text


def test_get_client_reads_settings_and_accepts_overrides(settings):
    from zoho.client import get_client

    settings.ZOHO_ACCOUNTS_URL = "http://127.0.0.1:8765"
    settings.ZOHO_DC = "eu"
    client = get_client(retry_attempts=2)
    assert client.tokens.accounts_url == "http://127.0.0.1:8765"
    assert client.config.retry_attempts == 2 and client.config.dc == "eu"
    assert client.config.organization_id == settings.ZOHO_ORGANIZATION_ID
